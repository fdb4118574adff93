using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The address a page's script polls (the import's progress, decision 0057) answers its refusals as problem details;
/// QA: an error of the server on it (a busy database, a full disk, an exception) was the HTML error page, which the
/// script cannot read. It is problem details with the error page's sentence, as the API's are; the pages keep theirs.
/// </summary>
public sealed class PolledAddressFailureTests(BusyImportReadsWebFactory factory) : IClassFixture<BusyImportReadsWebFactory>
{
    [Fact]
    public async Task TheProgressAddress_WhenTheDatabaseIsBusy_Answers503ProblemDetails_AndThePageTheBusyPage()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, await api.InventoryIdAsync(rolloutId, "Laptops"),
            "polled.csv", Encoding.UTF8.GetBytes($"Name\nPOLL-{Guid.NewGuid().ToString("N")[..8]}\n")));
        var browser = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{import.Id()}";

        var (progress, page) = await factory.WhileBusyAsync(async () => (await browser.GetAsync(path + "/progress"), await browser.GetAsync(path)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, progress.StatusCode);
        Assert.Equal("application/problem+json", progress.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(30), progress.Headers.RetryAfter?.Delta);
        var problem = await ApiTestClient.ReadAsync(progress);
        Assert.Equal(503, problem["status"]?.GetValue<int>());
        Assert.Equal(DatabaseBusy.Message, problem["detail"]?.GetValue<string>());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("The database is busy", (await page.ReadPageAsync()).One("h1").NormalizedText());

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(path + "/progress")).StatusCode);
    }
}

/// <summary>The app, whose database refuses every read of an import as a busy SQLite does while <see cref="WhileBusyAsync"/> runs.</summary>
public sealed class BusyImportReadsWebFactory : FailingStatementsWebFactory
{
    public Task<T> WhileBusyAsync<T>(Func<Task<T>> requests) =>
        WhileFailingAsync(command => command.CommandText.Contains("FROM \"Imports\"", StringComparison.Ordinal)
            ? new SqliteException("SQLite Error 5: 'database is locked'.", 5)
            : null, requests);
}
