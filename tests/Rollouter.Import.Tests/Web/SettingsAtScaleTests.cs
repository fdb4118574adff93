using AngleSharp.Dom;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Settings pages with more clients than they count (issue 13: no list grows slower with the number of clients): the
/// workflows and custom fields show how many clients they reach from the counts kept with the inventories, and a
/// workflow's page counts each status's clients only up to 10,000.
/// </summary>
public abstract class SettingsAtScaleTests(StatementLoggingWebFactory factory)
{
    /// <summary>One client more than a workflow's page counts for a status (it shows "10,000+").</summary>
    private const int Waiting = 10_001;

    [Fact]
    public async Task SettingsPages_ShowTheClientsTheyReach_WithoutCountingMoreThanTheBound()
    {
        var (workflowId, fieldId) = await factory.WithDbAsync(async db =>
        {
            var workflow = new Workflow
            {
                Name = "Scale workflow",
                Statuses = [new() { Name = "Waiting", Position = 0 }, new() { Name = "Ready", Position = 1 }, new() { Name = "Done", Position = 2 }],
            };
            var field = new CustomField { Name = "Scale field", Type = CustomFieldType.Input };
            db.AddRange(workflow, field);
            await db.SaveChangesAsync();
            return (workflow.Id, field.Id);
        });
        var statuses = await factory.WithDbAsync(db => Task.FromResult(
            db.WorkflowStatuses.Where(s => s.WorkflowId == workflowId).ToDictionary(s => s.Name, s => s.Id)));
        await factory.AddInventoryAsync("Scale", workflowId, [fieldId],
        [
            .. Enumerable.Range(0, Waiting).Select(i => ($"SC-{i:D5}", statuses["Waiting"], new Dictionary<int, string[]>())),
            ("SC-READY-1", statuses["Ready"], []), ("SC-READY-2", statuses["Ready"], []),
        ]);
        var admin = await factory.SignInAsync("admin@demo.test");

        factory.Statements.Clear();
        var workflows = await admin.GetPageAsync("/settings/workflows");
        var fields = await admin.GetPageAsync("/settings/custom-fields");
        var fieldPage = await admin.GetPageAsync($"/settings/custom-fields/{fieldId}");
        var listsReadClients = factory.Statements.ReadingClients;
        factory.Statements.Clear();
        var workflowPage = await admin.GetPageAsync($"/settings/workflows/{workflowId}");
        var statusCounts = factory.Statements.ReadingClients;

        Assert.Empty(listsReadClients);
        Assert.Equal("10,003", workflows.RowOf("Scale workflow").Cell("Clients"));
        Assert.Equal("10,003", fields.RowOf("Scale field").Cell("Clients"));
        Assert.Contains("Used by 1 inventory with 10,003 clients: Windows 11 Refresh / Scale.", fieldPage.Body?.TextContent);
        Assert.Contains("Used by 1 inventory with 10,003 clients: Windows 11 Refresh / Scale.", workflowPage.Body?.TextContent);
        Assert.Equal([("Waiting", "10,000+"), ("Ready", "2"), ("Done", "0")], Statuses(workflowPage));
        // One statement for all the statuses, each count bounded: none reads more than the bound's clients.
        var statusCount = Assert.Single(statusCounts);
        Assert.Contains("LIMIT", statusCount, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AWorkflowWithFewClients_CountsEachStatusExactly()
    {
        var workflowId = await factory.WithDbAsync(async db =>
        {
            var workflow = new Workflow
            {
                Name = "Small workflow",
                Statuses = [new() { Name = "Open", Position = 0 }, new() { Name = "Closed", Position = 1 }],
            };
            db.Add(workflow);
            await db.SaveChangesAsync();
            return workflow.Id;
        });
        var statuses = await factory.WithDbAsync(db => Task.FromResult(
            db.WorkflowStatuses.Where(s => s.WorkflowId == workflowId).ToDictionary(s => s.Name, s => s.Id)));
        await factory.AddInventoryAsync("Small one", workflowId, [], ("SM-1", statuses["Open"], []), ("SM-2", statuses["Open"], []));
        await factory.AddInventoryAsync("Small two", workflowId, [], ("SM-3", statuses["Closed"], []));
        var admin = await factory.SignInAsync("admin@demo.test");

        var page = await admin.GetPageAsync($"/settings/workflows/{workflowId}");

        Assert.Equal([("Open", "2"), ("Closed", "1")], Statuses(page));
    }

    private static List<(string Status, string Clients)> Statuses(IDocument page) =>
        [.. page.TestId("statuses").QuerySelectorAll("tbody tr").Select(row => (row.GetAttribute("data-status") ?? "", row.Cell("Clients")))];
}

public sealed class SqliteSettingsAtScaleTests(StatementLoggingWebFactory factory)
    : SettingsAtScaleTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresSettingsAtScaleTests(PostgresStatementLoggingWebFactory factory)
    : SettingsAtScaleTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
