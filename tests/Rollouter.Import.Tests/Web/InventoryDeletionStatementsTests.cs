using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// An inventory's delete confirmation names the imports that also changed clients of other inventories
/// (<c>InventoryPagesTests</c>). Issue 13, decision 0179: to find those clients it asked for "the rollout's clients but
/// this inventory's", which no index serves (PostgreSQL read every client of the rollout: 99–119 ms for the inventory
/// holding a million, growing with them), and joined the history with the inventory's imports, which PostgreSQL
/// estimated as an average share of the whole history and read all of it (315 ms for an inventory of 5,000 imports
/// without history beside a million entries). The statement now names the other inventories, whose clients the clients'
/// inventory index gives, and the imports by id.
/// </summary>
public abstract class InventoryDeletionStatementsTests(StatementLoggingWebFactory factory)
{
    [Fact]
    public async Task DeleteConfirmation_ReadsTheOtherInventoriesClientsByTheirInventory_NotEveryClientOfTheRollout()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (rollout, laptops, admin) = await factory.WithDbAsync(async db =>
        {
            var inventory = await db.Inventories.Where(i => i.Name == "Laptops" && i.Rollout.Identifier == "W11")
                .Select(i => new { i.RolloutId, i.Id }).SingleAsync();
            return (inventory.RolloutId, inventory.Id, await db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync());
        });
        // An import of the inventory, whose history the confirmation reads.
        using (var scope = factory.Services.CreateScope())
        {
            await TestImports.CreateAsync(scope.ServiceProvider, rollout, laptops, "deletion-statements.csv",
                Encoding.UTF8.GetBytes("Name,Status\nDS-1,New\n"), admin);
        }

        factory.Statements.Clear();
        var page = await manager.GetAsync($"/rollouts/W11/inventories/{laptops}/delete");
        var history = factory.Statements.ReadingClients.Where(s => s.Contains("\"ClientHistory\"", StringComparison.Ordinal)).ToList();

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        var statement = Assert.Single(history);
        // The clients of the other inventories (Monitors) by their inventory, the index's first column; not by the rollout
        // with this inventory left out ("RolloutId" = … AND "InventoryId" <> …), which reads every client of the rollout.
        Assert.Contains("\"InventoryId\"", statement, StringComparison.Ordinal);
        Assert.DoesNotContain("\"RolloutId\"", statement, StringComparison.Ordinal);
        // The inventory's imports by id (read before), not joined: a join is planned from the history's whole statistics.
        Assert.DoesNotContain("\"Imports\"", statement, StringComparison.Ordinal);
    }
}

public sealed class SqliteInventoryDeletionStatementsTests(StatementLoggingWebFactory factory)
    : InventoryDeletionStatementsTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresInventoryDeletionStatementsTests(PostgresStatementLoggingWebFactory factory)
    : InventoryDeletionStatementsTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
