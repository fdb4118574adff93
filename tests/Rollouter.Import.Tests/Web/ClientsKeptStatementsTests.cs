using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A member taken out of a rollout, or lowered below Technician, is told how many clients still have them (decision
/// 0088). Issue 13: that count must not read every client of the rollout (or of every rollout) to find theirs; it
/// counts an inventory at a time through the clients' (inventory, assignee) and (inventory, client user) indexes.
/// </summary>
public abstract class ClientsKeptStatementsTests(StatementLoggingWebFactory factory)
{
    [Fact]
    public async Task LeavingARolloutOrLosingTheRole_CountsTheirClientsInEachInventory_ThroughTheInventoriesIndexes()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = "Kept Counted", email = $"kept.{Guid.NewGuid():N}@example.test",
            userCode = "U-K" + Guid.NewGuid().ToString("N")[..12], role = "Technician", password = "Str0ng!Password",
            rolloutIds = new[] { await admin.RolloutIdAsync("W11") },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await ApiTestClient.ReadAsync(created)).Id();
        // Assignee of two clients of Laptops and one of Monitors; client user of one of Laptops and two of Monitors.
        await factory.WithDbAsync(async db =>
        {
            var inventories = await db.Inventories.Where(i => i.Rollout.Identifier == "W11").ToDictionaryAsync(i => i.Name, i => i.Id);
            var laptops = await db.Clients.Where(c => c.InventoryId == inventories["Laptops"]).OrderBy(c => c.Id).Select(c => c.Id)
                .Take(3).ToListAsync();
            var monitors = await db.Clients.Where(c => c.InventoryId == inventories["Monitors"]).OrderBy(c => c.Id).Select(c => c.Id)
                .Take(3).ToListAsync();
            List<int> assigned = [laptops[0], laptops[1], monitors[0]];
            List<int> used = [laptops[2], monitors[1], monitors[2]];
            await db.Clients.Where(c => assigned.Contains(c.Id)).ExecuteUpdateAsync(c => c.SetProperty(x => x.AssigneeId, id));
            return await db.Clients.Where(c => used.Contains(c.Id)).ExecuteUpdateAsync(c => c.SetProperty(x => x.ClientUserId, id));
        });

        factory.Statements.Clear();
        var demoted = await NoticeAsync(await admin.PutAsJsonAsync($"/api/users/{id}", new { role = "ServiceDesk" }));
        var demotionReads = factory.Statements.ReadingClients;
        factory.Statements.Clear();
        var removed = await NoticeAsync(await admin.PutAsJsonAsync($"/api/users/{id}", new { rolloutIds = Array.Empty<int>() }));
        var removalReads = factory.Statements.ReadingClients;

        Assert.Equal("They stay assignee of 3 clients in W11: the clients keep them, and an import that names them on such a client " +
            "changes nothing there, but a Service Desk user cannot be made the assignee of another.", demoted);
        Assert.Equal("They stay assignee of 3 clients and client user of 3 clients in W11: the clients keep them, and an import " +
            "that names them on such a client changes nothing there, but cannot give them another.", removed);
        // Each count asks for the user's clients of given inventories (the first column of both indexes), never for
        // those of a rollout or of the whole table, which read every client there.
        Assert.NotEmpty(demotionReads);
        Assert.Equal(2, removalReads.Count);
        Assert.All(demotionReads.Concat(removalReads), sql => Assert.Contains("\"InventoryId\"", sql, StringComparison.Ordinal));
        // And by nothing but the index's columns: grouped by the client's rollout, or with the inventories as a subquery,
        // the demotion's count read every client row of the user from the table (a million: twice the removal's time).
        Assert.All(demotionReads, sql => Assert.DoesNotContain("\"RolloutId\"", sql, StringComparison.Ordinal));
    }

    private static async Task<string?> NoticeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.TryGetProperty("notice", out var notice) ? notice.GetString() : null;
    }
}

public sealed class SqliteClientsKeptStatementsTests(StatementLoggingWebFactory factory)
    : ClientsKeptStatementsTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresClientsKeptStatementsTests(PostgresStatementLoggingWebFactory factory)
    : ClientsKeptStatementsTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
