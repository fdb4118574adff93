using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// What one client list request costs the database in round trips (issue 13: the lists are the most frequent requests,
/// and under bench/load every round trip is CPU of the app and of PostgreSQL that the other requests wait for).
/// </summary>
public abstract class ListRequestRoundTripsTests(StatementLoggingWebFactory factory)
{
    [Fact]
    public async Task TheListPageAndTheApi_ReadTheRolloutAndTheMembershipInOneStatement()
    {
        var page = await factory.SignInAsync("technician@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var laptops = await InventoryIdAsync(factory, "Laptops");

        factory.Statements.Clear();
        var shown = await page.GetAsync($"/rollouts/W11/inventories/{laptops}");
        var pageStatements = factory.Statements.Statements;
        factory.Statements.Clear();
        var listed = await api.GetAsync($"/api/inventories/{laptops}/clients?pageSize=5");
        var apiStatements = factory.Statements.Statements;

        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        // The membership is read with the rollout (an EXISTS of the same statement), not asked again on its own.
        Assert.All([pageStatements, apiStatements], statements =>
        {
            var members = Assert.Single(statements, s => s.Contains("\"RolloutMembers\"", StringComparison.Ordinal));
            Assert.Contains("FROM \"Rollouts\"", members, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task TheListPageAndTheApi_ReadTheInventoryItsStatusesAndItsFieldsInOneStatement()
    {
        var page = await factory.SignInAsync("technician@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var laptops = await InventoryIdAsync(factory, "Laptops");
        await page.GetAsync($"/rollouts/W11/inventories/{laptops}");
        await api.GetAsync($"/api/inventories/{laptops}/clients?pageSize=5");

        factory.Statements.Clear();
        var shown = await page.GetAsync($"/rollouts/W11/inventories/{laptops}");
        var pageStatements = factory.Statements.Statements;
        factory.Statements.Clear();
        var listed = await api.GetAsync($"/api/inventories/{laptops}/clients?pageSize=5&search=a");
        var apiStatements = factory.Statements.Statements;

        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        // Three lookups by key, one round trip: the inventory, its workflow's statuses, its custom fields (2026-12-07).
        Assert.All([pageStatements, apiStatements], statements =>
        {
            var inventory = Assert.Single(statements, s => s.Contains("\"WorkflowStatuses\"", StringComparison.Ordinal));
            Assert.Contains("FROM \"Inventories\"", inventory, StringComparison.Ordinal);
            Assert.Contains("\"InventoryCustomFields\"", inventory, StringComparison.Ordinal);
            Assert.Single(statements, s => s.Contains("\"InventoryCustomFields\"", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task TheListPageAndTheApi_ShowTheInventorysOwnStatusesAndFields()
    {
        // Read in one statement, the statuses and fields are still the inventory's own, in the fields' order.
        var page = await factory.SignInAsync("technician@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var inventories = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Rollout.Identifier == "W11")
            .Select(i => new
            {
                i.Id,
                i.Name,
                Statuses = i.Workflow.Statuses.Select(s => s.Name).ToList(),
                Fields = i.CustomFields.OrderBy(f => f.Position).ThenBy(f => f.CustomFieldId).Select(f => f.CustomField.Name).ToList(),
            })
            .ToListAsync());
        Assert.True(inventories.Count >= 2);

        foreach (var inventory in inventories)
        {
            var html = await page.GetStringAsync($"/rollouts/W11/inventories/{inventory.Id}");
            var fieldsShown = inventory.Fields.Select(f => html.IndexOf($">{System.Net.WebUtility.HtmlEncode(f)}<", StringComparison.Ordinal)).ToList();
            Assert.All(fieldsShown, at => Assert.True(at >= 0));
            Assert.Equal(fieldsShown.Order(), fieldsShown);
            var others = inventories.Where(o => o.Id != inventory.Id).SelectMany(o => o.Fields).Except(inventory.Fields);
            Assert.All(others, f => Assert.DoesNotContain($">{System.Net.WebUtility.HtmlEncode(f)}<", html, StringComparison.Ordinal));

            var json = await api.GetStringAsync($"/api/inventories/{inventory.Id}/clients?pageSize=20");
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            foreach (var client in doc.RootElement.GetProperty("items").EnumerateArray())
            {
                Assert.Contains(client.GetProperty("status").GetString(), inventory.Statuses);
                Assert.All(client.GetProperty("values").EnumerateObject(), v => Assert.Contains(v.Name, inventory.Fields));
            }
        }
    }

    [Fact]
    public async Task AnotherRolloutsList_IsStillNotFound()
    {
        // The technician is a member of W11 only: the membership read with the rollout still refuses the others.
        var page = await factory.SignInAsync("technician@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var other = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Rollout.Identifier != "W11")
            .Select(i => new { i.Id, i.Rollout.Identifier }).FirstAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync($"/rollouts/{other.Identifier}/inventories/{other.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/inventories/{other.Id}/clients")).StatusCode);
    }

    [Fact]
    public void TheDatabaseOptions_AreMadeOnceForTheApp()
    {
        // Made for every request's context, they were about 2 % of the app's CPU under bench/load.
        using var first = factory.Services.CreateScope();
        using var second = factory.Services.CreateScope();

        Assert.Same(first.ServiceProvider.GetRequiredService<DbContextOptions<RolloutDbContext>>(),
            second.ServiceProvider.GetRequiredService<DbContextOptions<RolloutDbContext>>());
        Assert.NotSame(first.ServiceProvider.GetRequiredService<RolloutDbContext>(),
            second.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }
}

public sealed class SqliteListRequestRoundTripsTests(StatementLoggingWebFactory factory)
    : ListRequestRoundTripsTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresListRequestRoundTripsTests(PostgresStatementLoggingWebFactory factory)
    : ListRequestRoundTripsTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>
{
    private PostgresStatementLoggingWebFactory Factory { get; } = factory;

    [Fact]
    public async Task TheListSetting_GoesWithTheListsFirstStatement()
    {
        var api = await ApiTestClient.LoginAsync(Factory, "technician@demo.test");
        var laptops = await InventoryIdAsync(Factory, "Laptops");

        Factory.Statements.Clear();
        var listed = await api.GetAsync($"/api/inventories/{laptops}/clients?pageSize=5&search=a");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        // PostgreSQL's "plan for the values" (ClientPages) is no statement of its own: it goes with the page's first.
        Assert.DoesNotContain(Factory.Statements.Statements, s => s.Contains("plan_cache_mode", StringComparison.Ordinal));
    }
}
