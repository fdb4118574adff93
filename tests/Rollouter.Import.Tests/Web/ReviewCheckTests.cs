using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A key account manager checks an import they review against the current settings (decision 0080): the seed page
/// sends a rollout manager whose file fails to them ("ask your Key Account Manager to review your file"), and the review
/// showed the file and mapping but could not run the Check. The review's Check is a GET that shows what the manager's
/// Check shows and writes nothing; the API's check takes whoever may read the import. Non-members 404, roles below refused.
/// </summary>
public abstract partial class ReviewCheckTests(StatementLoggingWebFactory factory)
{
    private const string Kam = "kam@demo.test";

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Row 3 has a status that does not exist, row 4 a serial number off the pattern.</summary>
    private static string FailingLaptops() =>
        $"Name,Status,Department,Serial number\n{Unique("KC")},New,IT,SN930001\n{Unique("KC")},Nope,IT,SN930002\n{Unique("KC")},New,HR,SN93\n";

    /// <summary>An import uploaded through the API by <paramref name="email"/>, Waiting for Approval (not run).</summary>
    private async Task<int> UploadAsync(string email, string rollout, string inventory, string csv)
    {
        var client = await ApiTestClient.LoginAsync(factory, email);
        var rolloutId = await client.RolloutIdAsync(rollout);
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, await client.InventoryIdAsync(rolloutId, inventory),
            "kam-check.csv", csv));
        Assert.True(import.Status() == "WaitingForApproval", import.ToJsonString());
        return import.Id();
    }

    /// <summary>What the database holds of the import and around it: every field a step would change, and the counts of what a run writes.</summary>
    private async Task<string> SnapshotAsync(int importId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var i = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId);
        return string.Join(" | ", i.Status, i.Mapping, i.ParseOptions, i.RowCount, i.ApprovedById, i.ApprovedAt, i.FirstApprovedAt,
            i.StartedAt, i.FinishedAt, i.LastActivityAt, i.Attempt, i.RowsChecked, i.RowsWritten, i.CreatedCount, i.UpdatedCount,
            i.FailedRowCount, i.FailureMessage, i.ConcurrencyStamp,
            await db.ImportRowErrors.CountAsync(e => e.ImportId == importId),
            await db.ImportCellCorrections.CountAsync(c => c.ImportId == importId),
            await db.Clients.CountAsync(), await db.ClientHistory.CountAsync(), await db.CustomFieldOptions.CountAsync());
    }

    /// <summary>A check's failing cells as the user reads them: row, column, value, message (the manager's table also has a Correction column).</summary>
    private static List<string> CheckErrors(IDocument page) =>
        [.. page.TestId("check-errors").QuerySelectorAll("tbody tr")
            .Select(r => string.Join(" | ", r.Cell("Row"), r.Cell("Column"), r.Cell("Value"), r.Cell("Message")))];

    [GeneratedRegex(@"^\s*(INSERT|UPDATE|DELETE|MERGE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Writes();

    [Fact]
    public async Task Kam_ChecksAnImportWaitingForApproval_OnTheReviewAndThroughTheApi_SeesWhatTheManagerSees_AndNothingIsWritten()
    {
        var id = await UploadAsync("manager@demo.test", "W11", "Laptops", FailingLaptops());
        var review = $"/reviews/W11/imports/{id}";
        var (kam, kamApi) = (await factory.SignInAsync(Kam), await ApiTestClient.LoginAsync(factory, Kam));
        var before = await SnapshotAsync(id);
        factory.Statements.Clear();

        var page = await kam.GetPageAsync(review);
        Assert.Equal(review + "/check#check", page.Href("check"));
        var response = await kam.GetAsync(review + "/check");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checkedPage = await response.ReadPageAsync();
        Assert.Equal("Read-only review: nothing on this page changes the import.", checkedPage.TestId("review-notice").NormalizedText());
        Assert.Equal("2 of 3 rows would fail (2 errors).", checkedPage.TestId("check-summary").NormalizedText());
        var errors = CheckErrors(checkedPage);
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("3 | B (Status) | Nope | ", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("4 | D (Serial number) | SN93 | ", errors[1], StringComparison.Ordinal);
        // Nothing to correct or approve in a review: no form posts from the check's result.
        Assert.Empty(checkedPage.TestId("check-result").QuerySelectorAll("form"));
        Assert.DoesNotContain("Approve", checkedPage.Actions());

        var api = await kamApi.PostAsync($"/api/imports/{id}/check", null);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        var result = await ApiTestClient.ReadAsync(api);
        Assert.Equal((3, 2, 2), (result["rowCount"]!.GetValue<int>(), result["failedRows"]!.GetValue<int>(), result["errorCount"]!.GetValue<int>()));
        Assert.Equal([3, 4], result["errors"]!.AsArray().Select(e => e!["row"]!.GetValue<int>()));

        // Nothing stored: no statement of the app's context wrote, and the import and what a run writes are as they were.
        Assert.DoesNotContain(factory.Statements.Statements, s => Writes().IsMatch(s));
        Assert.Equal(before, await SnapshotAsync(id));

        // The manager's Check of the same import says the same.
        var manager = await factory.SignInAsync("manager@demo.test");
        var wizard = $"/rollouts/W11/imports/{id}";
        var managers = await (await RolloutWebFactory.PostFormAndFollowAsync(manager, wizard + "/check", new(), formPage: wizard)).ReadPageAsync();
        Assert.Equal(checkedPage.TestId("check-summary").NormalizedText(), managers.TestId("check-summary").NormalizedText());
        Assert.Equal(errors, CheckErrors(managers));
    }

    [Fact]
    public async Task Kam_ChecksAFailedImport_AndLinksSharedWithTheManagerLeadEachToTheirCheck()
    {
        var id = await UploadAsync("manager@demo.test", "W11", "Laptops", FailingLaptops());
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await manager.WaitForResultAsync(id)).Status());
        var (review, wizard) = ($"/reviews/W11/imports/{id}", $"/rollouts/W11/imports/{id}");
        var kam = await factory.SignInAsync(Kam);

        var page = await kam.GetPageAsync(review + "/check");

        Assert.Equal("2 of 3 rows would fail (2 errors).", page.TestId("check-summary").NormalizedText());
        Assert.Equal(2, CheckErrors(page).Count);
        // The manager's check result opened by the key account manager is the review's, and the other way round.
        var shared = await kam.GetAsync(wizard + "/check");
        Assert.Equal(HttpStatusCode.Redirect, shared.StatusCode);
        Assert.Equal(review + "/check", shared.Headers.Location!.OriginalString);
        var back = await (await factory.SignInAsync("manager@demo.test")).GetAsync(review + "/check");
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal(wizard + "/check", back.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task TheReviewOffersNoCheck_WhereTheStatusAllowsNone_AndSaysWhyWhenAskedAnyway()
    {
        var id = await UploadAsync("manager@demo.test", "W11", "Laptops", $"Name,Department\n{Unique("KC")},IT\n");
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await manager.WaitForResultAsync(id)).Status());
        var kam = await factory.SignInAsync(Kam);

        Assert.False((await kam.GetPageAsync($"/reviews/W11/imports/{id}")).HasTestId("check"));
        var response = await kam.GetAsync($"/reviews/W11/imports/{id}/check");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal($"Import {id} is Completed: there is nothing to check.", page.TestId("page-error").NormalizedText());
        Assert.False(page.HasTestId("check-result"));
    }

    [Fact]
    public async Task TheCheck_OfAnImportOfARolloutTheKamIsNotAMemberOf_IsNotFound_AndRolesBelowAreRefused()
    {
        var foreign = await UploadAsync("admin@demo.test", "SRV", "Servers", $"Name,Status\n{Unique("SRV")},Nope\n");
        var own = await UploadAsync("manager@demo.test", "W11", "Laptops", FailingLaptops());
        var before = await SnapshotAsync(foreign);
        var (kam, kamApi) = (await factory.SignInAsync(Kam), await ApiTestClient.LoginAsync(factory, Kam));

        Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync($"/reviews/SRV/imports/{foreign}/check")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync($"/reviews/W11/imports/{foreign}/check")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kamApi.PostAsync($"/api/imports/{foreign}/check", null)).StatusCode);
        Assert.Equal(before, await SnapshotAsync(foreign));

        // A technician of the rollout, neither a manager nor a key account manager: refused on the page and in the API.
        var technician = await factory.SignInAsync("technician@demo.test");
        var denied = await technician.GetAsync($"/reviews/W11/imports/{own}/check");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        var technicianApi = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await technicianApi.PostAsync($"/api/imports/{own}/check", null)).StatusCode);
    }
}

public sealed class SqliteReviewCheckTests(StatementLoggingWebFactory factory)
    : ReviewCheckTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresReviewCheckTests(PostgresStatementLoggingWebFactory factory)
    : ReviewCheckTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
