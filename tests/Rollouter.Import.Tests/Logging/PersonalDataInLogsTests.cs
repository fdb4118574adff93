using System.Net;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Logging;

/// <summary>
/// What docs/personal-data.md promises of the logs (personal data QA, 2026-12-07): a sign-in, a failed one, an API call
/// with a token, an upload and an import that fails on a person's email write no password, token, cookie or cell value
/// to any sink, at every level the app logs here (EF Core's commands included, which the shipped configuration leaves
/// at Warning). The walk found none; this keeps it so.
/// </summary>
public sealed class PersonalDataInLogsTests(LogCapturingWebFactory factory) : IClassFixture<LogCapturingWebFactory>
{
    [Fact]
    public async Task SignInsApiCallsAndAFailedImport_LogNoPasswordTokenCookieOrCellValue()
    {
        const string wrongPassword = "Wr0ng-Secret!pw7";
        const string email = "jane.doe@customer.example";
        const string note = "PRIVATE-NOTE-7f3a";
        var refused = await RolloutWebFactory.PostFormAsync(factory.CreateBrowser(), "/account/login",
            new() { ["Email"] = "manager@demo.test", ["Password"] = wrongPassword });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var browser = factory.CreateBrowser();
        var signIn = await RolloutWebFactory.PostFormAsync(browser, "/account/login",
            new() { ["Email"] = "manager@demo.test", ["Password"] = DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("Rollouter.Auth=", StringComparison.Ordinal))
            .Split(';')[0]["Rollouter.Auth=".Length..];
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts/W11")).StatusCode);

        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var token = api.DefaultRequestHeaders.Authorization?.Parameter ?? throw new InvalidOperationException("No token");
        var rolloutId = await ApiTestClient.RolloutIdAsync(api, "W11");
        var laptops = await ApiTestClient.InventoryIdAsync(api, rolloutId, "Laptops");
        var id = ApiTestClient.Id(await ApiTestClient.ReadAsync(await ApiTestClient.UploadAsync(api, rolloutId, laptops, "people.csv",
            $"Name,Status,Client User,Notes\nPD-{Guid.NewGuid():N},No such status,{email},{note}\n")));
        await api.PostAsync($"/api/imports/{id}/approve", null);
        await ApiTestClient.WaitForResultAsync(api, id);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/imports/{id}/errors")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/imports/{id}/error-report")).StatusCode);

        var lines = factory.Logs.Events
            .Select(e => $"{e.RenderMessage()} {string.Join(' ', e.Properties.Select(p => p.Value.ToString()))} {e.Exception}")
            .ToList();
        Assert.Contains(lines, l => l.Contains($"Import {id} job ended", StringComparison.Ordinal));
        foreach (var (what, secret) in new[]
                 {
                     ("the wrong password", wrongPassword), ("the password", DemoSeeder.Password), ("the API token", token),
                     ("the session cookie", cookie), ("a cell's email", email), ("a cell's note", note),
                 })
        {
            var line = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(line is null, $"{what} was logged: {line}");
        }
    }
}
