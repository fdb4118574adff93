using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Importing;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Dry runs are bounded (security QA 5, decision 0099): sixteen checks of a 200,000-row import at once each read the
/// whole file (46 s, 1.36 GB, other pages 3–5 s), and a key account manager's Check is a GET a link from another site
/// can start. One check or replacement preview of an import at a time, and a few in all: beyond, 429 with Retry-After
/// and a sentence, on the pages and in the API. The test holds the slots itself, as a check running meanwhile would.
/// </summary>
public sealed class DryRunLimitTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private const string Busy = "A check of this import is already running; try again in a moment.";

    private async Task<int> UploadAsync()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var name = "DR-" + Guid.NewGuid().ToString("N")[..8];
        var import = await ApiTestClient.ReadAsync(await manager.UploadAsync(rolloutId, await manager.InventoryIdAsync(rolloutId, "Laptops"),
            "dry-run.csv", $"Name,Status,Department\n{name}-1,New,IT\n{name}-2,New,HR\n"));
        Assert.True(import.Status() == "WaitingForApproval", import.ToJsonString());
        return import.Id();
    }

    private static async Task<(HttpStatusCode Status, string? RetryAfter, string Error)> ApiRefusalAsync(HttpResponseMessage response) =>
        (response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (await ApiTestClient.ReadAsync(response))["error"]?.GetValue<string>() ?? "(no error: the request was answered)");

    private static async Task<(HttpStatusCode Status, string? RetryAfter, string Alert)> PageRefusalAsync(HttpResponseMessage response)
    {
        var page = await response.ReadPageAsync();
        return (response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join(" ", page.QuerySelectorAll("[role=alert]").Select(a => a.NormalizedText()).Where(t => t.Length > 0)));
    }

    [Fact]
    public async Task ASecondCheckOfTheSameImport_IsA429_OnThePagesAndInTheApi_AndTheFirstOneEndingLetsItThrough()
    {
        var id = await UploadAsync();
        var limiter = factory.Services.GetRequiredService<DryRunLimiter>();
        var managerApi = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var kamApi = await ApiTestClient.LoginAsync(factory, "kam@demo.test");
        var manager = await factory.SignInAsync("manager@demo.test");
        var kam = await factory.SignInAsync("kam@demo.test");

        var running = limiter.TryEnter(id, "a check");
        Assert.True(running.Succeeded);
        (HttpStatusCode, string?, string) api, kamsApi, preview, managersPage, review, previewPage;
        try
        {
            api = await ApiRefusalAsync(await managerApi.PostAsync($"/api/imports/{id}/check", null));
            kamsApi = await ApiRefusalAsync(await kamApi.PostAsync($"/api/imports/{id}/check", null));
            preview = await ApiRefusalAsync(await managerApi.GetAsync($"/api/imports/{id}/corrections/preview?column=C&from=IT"));
            managersPage = await PageRefusalAsync(await manager.GetAsync($"/rollouts/W11/imports/{id}/check"));
            review = await PageRefusalAsync(await kam.GetAsync($"/reviews/W11/imports/{id}/check"));
            previewPage = await PageRefusalAsync(await manager.GetAsync($"/rollouts/W11/imports/{id}/replacements/preview?column=C&from=IT&to=Finance"));
        }
        finally
        {
            // The check that was running ends.
            running.Value?.Dispose();
        }

        var after = await managerApi.PostAsync($"/api/imports/{id}/check", null);

        Assert.Equal((HttpStatusCode.TooManyRequests, "5", Busy), api);
        Assert.Equal((HttpStatusCode.TooManyRequests, "5", Busy), kamsApi);
        Assert.Equal((HttpStatusCode.TooManyRequests, "5", Busy), preview);
        Assert.Equal((HttpStatusCode.TooManyRequests, "5", Busy), managersPage);
        Assert.Equal((HttpStatusCode.TooManyRequests, "5", Busy), review);
        Assert.Equal((HttpStatusCode.TooManyRequests, "5", Busy), previewPage);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, (await ApiTestClient.ReadAsync(after))["rowCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task ChecksOfOtherImports_PastTheServersBound_AreA429_UntilOneEnds()
    {
        var id = await UploadAsync();
        var limiter = factory.Services.GetRequiredService<DryRunLimiter>();
        var managerApi = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        // Checks of other imports hold every slot (ids no import has, so that no request of another test meets them).
        var others = Enumerable.Range(1, limiter.MaxConcurrent).Select(i => limiter.TryEnter(-i, "a check")).ToList();
        Assert.All(others, o => Assert.True(o.Succeeded));

        (HttpStatusCode, string?, string) refused;
        HttpResponseMessage after;
        try
        {
            refused = await ApiRefusalAsync(await managerApi.PostAsync($"/api/imports/{id}/check", null));
            others[0].Value?.Dispose();
            after = await managerApi.PostAsync($"/api/imports/{id}/check", null);
        }
        finally
        {
            others.ForEach(o => o.Value?.Dispose());
        }

        Assert.Equal((HttpStatusCode.TooManyRequests, "5",
            $"The server is already checking {limiter.MaxConcurrent} imports, as many as it checks at once; try again in a moment."), refused);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
