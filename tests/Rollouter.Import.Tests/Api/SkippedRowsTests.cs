using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A row whose values are all in columns that are not imported (a remark beside the table) is a row of the file: the
/// upload counts it (rows that hold a value), and the run skips it (nothing in the columns imported). A row empty in
/// every column is no row at all. QA: the progress ended at "2 of 3 rows", the check said "All 2 rows would be
/// imported" of a file of 3, and a failure "1 of 2 rows could not be imported". Now a skipped row counts as done in the
/// progress, which ends at its total, and the check and the failure name the skipped rows, so their counts add up to
/// the file's.
/// </summary>
public abstract class SkippedRowsTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Two clients, a row with a value only in column D (not imported) and a row empty in every column.</summary>
    private static string File(string secondStatus = "New") =>
        $"Name,Status,Department,Remark\n{Unique("SK")},New,IT,first\n,,,only a remark\n,,,\n{Unique("SK")},{secondStatus},HR,last\n";

    private async Task<(HttpClient Api, JsonNode Import)> UploadAsync(string csv)
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var uploaded = await api.UploadAsync(rolloutId, await api.InventoryIdAsync(rolloutId, "Laptops"), "remarks.csv", csv);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var import = await ApiTestClient.ReadAsync(uploaded);
        Assert.Null(import["mapping"]!["columns"]!.AsArray().Single(c => c!["letter"]!.GetValue<string>() == "D")!["target"]?.GetValue<string>());
        return (api, import);
    }

    private static (int Processed, int Written, int Total) Progress(JsonNode import) =>
        (import["progress"]!["processed"]!.GetValue<int>(), import["progress"]!["written"]!.GetValue<int>(),
            import["progress"]!["total"]!.GetValue<int>());

    [Fact]
    public async Task ARowWithValuesOnlyInColumnsNotImported_IsSkipped_AndCountedSo_TheProgressEndsAtItsTotal()
    {
        var (api, import) = await UploadAsync(File());
        var id = import.Id();
        Assert.Equal(3, import["rowCount"]!.GetValue<int>());

        var check = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/imports/{id}/check", null));
        Assert.Equal((2, (int?)1, 2, 0), (check["rowCount"]!.GetValue<int>(), check["skippedRows"]?.GetValue<int>(),
            check["toCreate"]!.GetValue<int>(), check["failedRows"]!.GetValue<int>()));

        var browser = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{id}";
        var checkedPage = await (await RolloutWebFactory.PostFormAndFollowAsync(browser, path + "/check", new(), formPage: path)).ReadPageAsync();
        Assert.Equal("All 2 rows would be imported.", checkedPage.TestId("check-summary").NormalizedText());
        Assert.Equal("Row 3 had nothing to import and was skipped: its values are only in columns that are not imported.",
            checkedPage.TestId("check-skipped").NormalizedText());

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        var done = await api.WaitForResultAsync(id);

        Assert.Equal("Completed", done.Status());
        Assert.Equal(2, done["counts"]!["created"]!.GetValue<int>());
        Assert.Equal((3, 3, 3), Progress(done));
        var polled = await browser.GetJsonAsync(path + "/progress");
        Assert.Equal((3, 3, 3), (polled["checked"]!.GetValue<int>(), polled["written"]!.GetValue<int>(), polled["total"]!.GetValue<int>()));
    }

    /// <summary>Uploads <paramref name="csv"/>, approves it and waits for Completed.</summary>
    private async Task<(HttpClient Api, int Id)> CompleteAsync(string csv)
    {
        var (api, import) = await UploadAsync(csv);
        var id = import.Id();
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        var done = await api.WaitForResultAsync(id);
        Assert.True(done.Status() == "Completed", done.ToJsonString());
        return (api, id);
    }

    [Fact]
    public async Task ACompletedImport_NamesTheRowsItSkipped_OnItsPageTheReviewAndInTheApi()
    {
        // QA: a failed run's message and the Check said a row was skipped; a Completed import said nothing of it
        // (decision 0069's "not done"). Rows 3, 5, 6, 7 and 9 hold only a remark in column D, which is not imported.
        var (api, id) = await CompleteAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,\n,,,a remark\n{Unique("SK")},New,IT,\n" +
            $",,,section\n,,,notes\n,,,more notes\n{Unique("SK")},New,HR,\n,,,the end\n");

        var import = await api.GetJsonAsync($"/api/imports/{id}");
        const string Sentence = "Rows 3, 5–7 and 9 had nothing to import and were skipped: their values are only in columns that are not imported.";
        Assert.Equal(5, import["skipped"]!["count"]!.GetValue<int>());
        Assert.Equal([3, 5, 6, 7, 9], import["skipped"]!["rows"]!.AsArray().Select(r => r!.GetValue<int>()));
        Assert.Equal(Sentence, import["skipped"]!["message"]!.GetValue<string>());
        var page = await (await factory.SignInAsync("manager@demo.test")).GetPageAsync($"/rollouts/W11/imports/{id}");
        Assert.StartsWith("Completed. 3 clients created, 0 updated.", page.TestId("result").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal(Sentence, page.TestId("result-skipped").NormalizedText());
        var review = await (await factory.SignInAsync("kam@demo.test")).GetPageAsync($"/reviews/W11/imports/{id}");
        Assert.Equal(Sentence, review.TestId("result-skipped").NormalizedText());
    }

    [Fact]
    public async Task TheCheck_NamesTheRowsItSkipped_OnTheManagersAndTheReviewsCheckCard_AndInTheApi()
    {
        // QA: the check counted them ("5 more rows of the file hold values only in columns …") where a Completed
        // import names them; a manager looking for the remark lines had to find them in the file.
        var (api, import) = await UploadAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,\n,,,a remark\n{Unique("SK")},New,IT,\n" +
            $",,,section\n,,,notes\n,,,more notes\n{Unique("SK")},New,HR,\n,,,the end\n");
        var id = import.Id();
        const string Sentence = "Rows 3, 5–7 and 9 had nothing to import and were skipped: their values are only in columns that are not imported.";

        var check = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/imports/{id}/check", null));
        Assert.Equal(5, check["skippedRows"]!.GetValue<int>());
        Assert.Equal(5, check["skipped"]!["count"]!.GetValue<int>());
        Assert.Equal([3, 5, 6, 7, 9], check["skipped"]!["rows"]!.AsArray().Select(r => r!.GetValue<int>()));
        Assert.Equal(Sentence, check["skipped"]!["message"]!.GetValue<string>());

        var path = $"/rollouts/W11/imports/{id}";
        var managerPage = await (await RolloutWebFactory.PostFormAndFollowAsync(await factory.SignInAsync("manager@demo.test"), path + "/check",
            new(), formPage: path)).ReadPageAsync();
        Assert.Equal(Sentence, managerPage.TestId("check-skipped").NormalizedText());
        var reviewPage = await (await factory.SignInAsync("kam@demo.test")).GetPageAsync($"/reviews/W11/imports/{id}/check");
        Assert.Equal(Sentence, reviewPage.TestId("check-skipped").NormalizedText());

        // None skipped: no line, and the API's skipped says so.
        var (_, plain) = await UploadAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,fine\n");
        var none = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/imports/{plain.Id()}/check", null));
        Assert.Equal((0, 0), (none["skipped"]!["count"]!.GetValue<int>(), none["skipped"]!["rows"]!.AsArray().Count));
        Assert.Null(none["skipped"]!["message"]);
    }

    [Fact]
    public async Task TheRolloutsListOfImports_GivesEachImportsSkippedRows_AsTheImportDoes()
    {
        // QA: GET /api/imports/{id} said which rows the run skipped, the rollout's list of imports did not.
        var (api, skipping) = await CompleteAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,\n,,,a remark\n,,,section\n");
        var (_, none) = await CompleteAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,fine\n");
        var (_, waiting) = await UploadAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,\n,,,a remark\n");

        var list = await api.GetJsonAsync($"/api/rollouts/{await api.RolloutIdAsync("W11")}/imports?pageSize=1000");
        JsonNode Item(int id) => list["items"]!.AsArray().Single(i => i!["id"]!.GetValue<int>() == id)!;

        Assert.Equal((await api.GetJsonAsync($"/api/imports/{skipping}"))["skipped"]!.ToJsonString(), Item(skipping)["skipped"]!.ToJsonString());
        Assert.Equal(2, Item(skipping)["skipped"]!["count"]!.GetValue<int>());
        Assert.Equal([3, 4], Item(skipping)["skipped"]!["rows"]!.AsArray().Select(r => r!.GetValue<int>()));
        Assert.Equal("Rows 3 and 4 had nothing to import and were skipped: their values are only in columns that are not imported.",
            Item(skipping)["skipped"]!["message"]!.GetValue<string>());
        Assert.Equal((0, 0), (Item(none)["skipped"]!["count"]!.GetValue<int>(), Item(none)["skipped"]!["rows"]!.AsArray().Count));
        // Not run yet: nothing recorded, as GET /api/imports/{id} says.
        Assert.Null(Item(waiting.Id())["skipped"]);
    }

    [Fact]
    public async Task ACompletedImport_ListsTheFirst100SkippedRows_AndCountsTheRest()
    {
        var rows = string.Concat(Enumerable.Repeat(",,,only a remark\n", 150));
        var (api, id) = await CompleteAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,\n" + rows);

        var import = await api.GetJsonAsync($"/api/imports/{id}");
        Assert.Equal(150, import["skipped"]!["count"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(3, 100), import["skipped"]!["rows"]!.AsArray().Select(r => r!.GetValue<int>()));
        var page = await (await factory.SignInAsync("manager@demo.test")).GetPageAsync($"/rollouts/W11/imports/{id}");
        Assert.Equal("Rows 3–102 and 50 more had nothing to import and were skipped: their values are only in columns that are not imported.",
            page.TestId("result-skipped").NormalizedText());
    }

    [Fact]
    public async Task ACompletedImport_WithoutSkippedRows_OrCompletedBeforeTheyWereRecorded_SaysNothingOfThem()
    {
        var (api, none) = await CompleteAsync($"Name,Status,Department,Remark\n{Unique("SK")},New,IT,fine\n");
        var (_, earlier) = await CompleteAsync(File());
        // An import completed before the run recorded its skipped rows: both columns empty, as the migration leaves them.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            await db.Database.ExecuteSqlRawAsync(
                """UPDATE "Imports" SET "SkippedRowCount" = NULL, "SkippedRows" = NULL WHERE "Id" = {0}""", earlier);
        }

        var manager = await factory.SignInAsync("manager@demo.test");
        var withNone = await api.GetJsonAsync($"/api/imports/{none}");
        Assert.Equal((0, 0), (withNone["skipped"]!["count"]!.GetValue<int>(), withNone["skipped"]!["rows"]!.AsArray().Count));
        Assert.Null(withNone["skipped"]!["message"]);
        Assert.False((await manager.GetPageAsync($"/rollouts/W11/imports/{none}")).HasTestId("result-skipped"));
        Assert.Null((await api.GetJsonAsync($"/api/imports/{earlier}"))["skipped"]);
        var page = await manager.GetPageAsync($"/rollouts/W11/imports/{earlier}");
        Assert.StartsWith("Completed. 2 clients created", page.TestId("result").NormalizedText(), StringComparison.Ordinal);
        Assert.False(page.HasTestId("result-skipped"));
    }

    [Fact]
    public async Task AFailedImport_NamesTheSkippedRow_SoItsCountsAddUpToTheFilesRows()
    {
        var (api, import) = await UploadAsync(File(secondStatus: "Nope"));
        var id = import.Id();

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        var failed = await api.WaitForResultAsync(id);

        Assert.Equal("Failed", failed.Status());
        Assert.Equal("1 of 2 rows could not be imported; 1 more row, which holds values only in columns that are not imported, " +
            "was skipped. The import was cancelled and no clients have been created or changed.", failed["failureMessage"]!.GetValue<string>());
        Assert.Equal(3, Progress(failed).Processed);
        Assert.Equal(3, Progress(failed).Total);
    }
}

public sealed class SqliteSkippedRowsTests(RolloutWebFactory factory)
    : SkippedRowsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSkippedRowsTests(PostgresWebFactory factory)
    : SkippedRowsTests(factory), IClassFixture<PostgresWebFactory>;
