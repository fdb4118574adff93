using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>The app in the Development environment, as <c>dotnet run</c> starts the demo (README, user guide).</summary>
public sealed class DevelopmentWebFactory : RolloutWebFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Development");
    }
}

/// <summary>
/// QA of the docs (decision 0120): the user guide quotes the pages a refused form shows ("The form is too large", 413),
/// but under <c>dotnet run</c>, the Development environment the README's demo runs in, such a form showed ASP.NET Core's
/// developer exception page with its stack trace. What the app answers on purpose is the same page in every
/// environment; only an unexpected error shows the developer page there.
/// </summary>
public sealed class DevelopmentErrorPagesTests(DevelopmentWebFactory factory) : IClassFixture<DevelopmentWebFactory>
{
    [Fact]
    public async Task AFormPastTheServersLimitOfValues_ShowsThePageTheGuideQuotes_InDevelopmentToo()
    {
        var client = factory.CreateBrowser();
        var values = Enumerable.Range(0, 1_100)
            .Select(i => KeyValuePair.Create($"extra{i.ToString(CultureInfo.InvariantCulture)}", "x"))
            .Prepend(KeyValuePair.Create("Email", "manager@demo.test"));
        using var content = new FormUrlEncodedContent(values);

        var response = await client.PostAsync("/account/login", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal("The form is too large", page.QuerySelector("h1")?.NormalizedText());
        Assert.StartsWith("This form sent more values than the server takes in one form (at most 1,024), so it was not read",
            page.TestId("error-message").NormalizedText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnexpectedError_StillShowsTheDeveloperExceptionPage_InDevelopment()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/test/throw");
        request.Headers.Accept.ParseAdd("text/html");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Secret internal detail", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
