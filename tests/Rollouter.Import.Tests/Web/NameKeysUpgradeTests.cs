using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Names stored before names were compared as seen (decision 0041) kept the key of that time, the name in lower case
/// as stored: "Müller-PC" typed on a Mac (u + U+0308) was not found by a search for "Müller", "PC" + a zero-width space
/// + "-7" not by "PC-7", since a search looks for the text as seen in the name key. The upgrade's start rewrites the
/// keys once (Data/NameKeysAsSeen). Each database here is one this version made and seeded, set back to what a
/// version before 2026-12-05 left: clients with such keys, and the migration that records the rewrite not applied.
/// </summary>
public sealed class NameKeysUpgradeTests
{
    /// <summary>The app on the SQLite database of an existing data folder, which it leaves in place.</summary>
    private sealed class OnDataFolder(string folder) : RolloutWebFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { ["Rollouter:DataFolder"] = folder };
    }

    /// <summary>The key a name was stored with before 2026-12-05: its lower case, as stored.</summary>
    private static string OldKey(string name) => name.ToLowerInvariant();

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task NamesStoredBeforeTheyWereComparedAsSeen_AreFoundBySearch_AfterTheUpgradesStart(DatabaseProvider provider)
    {
        var folder = Directory.CreateTempSubdirectory("rollouter-upgrade-").FullName;
        var postgres = PostgresTemplates.NewName("web");
        string connectionString;
        Func<RolloutWebFactory> app;
        if (provider == DatabaseProvider.Sqlite)
        {
            connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "rollouter.db"), Pooling = false }.ToString();
            app = () => new OnDataFolder(folder);
            using var first = app();
            first.CreateClient().Dispose(); // migrates and seeds the demo
        }
        else
        {
            connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = postgres }.ToString();
            PostgresTemplates.CreateWithDemoData(postgres);
            app = () => RolloutWebFactory.OnTemplate(postgres);
        }

        try
        {
            const string Decomposed = "Mu\u0308ller-PC", ZeroWidth = "PC\u200B-ZW7", Composed = "J\u00F6rg-PC", LookAlike = "Jo\u0308rg-PC";
            int laptops;
            var options = new DbContextOptionsBuilder<RolloutDbContext>();
            options.UseRollouterDatabase(provider, connectionString);
            await using (var db = new RolloutDbContext(options.Options))
            {
                var inventory = await db.Inventories.SingleAsync(i => i.Name == "Laptops" && db.Rollouts.Any(r => r.Id == i.RolloutId && r.Identifier == "W11"));
                laptops = inventory.Id;
                var status = await db.Clients.Where(c => c.InventoryId == laptops).Select(c => c.StatusId).FirstAsync();
                Client New(string name) => new() { RolloutId = inventory.RolloutId, InventoryId = laptops, StatusId = status, Name = name, Values = [] };
                db.Clients.AddRange(New(Decomposed), New(ZeroWidth), New(Composed), New(LookAlike + "-tmp"));
                await db.SaveChangesAsync();
                // As a version before 2026-12-05 stored them; the look-alike beside "Jörg-PC" was allowed then.
                foreach (var name in new[] { Decomposed, ZeroWidth })
                {
                    await db.Clients.Where(c => c.Name == name).ExecuteUpdateAsync(s => s.SetProperty(c => c.NameKey, OldKey(name)));
                }

                await db.Clients.Where(c => c.Name == LookAlike + "-tmp").ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.Name, LookAlike).SetProperty(c => c.NameKey, OldKey(LookAlike)));
                await db.Database.ExecuteSqlRawAsync(
                    "DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" LIKE '%NameKeysAsSeen'");
            }

            using (var upgraded = app())
            {
                var api = await ApiTestClient.LoginAsync(upgraded, "manager@demo.test");
                async Task<string[]> FoundAsync(string text)
                {
                    var found = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?search={Uri.EscapeDataString(text)}");
                    return [.. found["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
                }

                Assert.Equal([Decomposed], await FoundAsync("M\u00FCller"));
                Assert.Equal([Decomposed], await FoundAsync("m\u00FCller-pc"));
                Assert.Equal([ZeroWidth], await FoundAsync("PC-ZW7"));
                // The look-alike keeps its old key (the unique index takes one "jörg-pc" a rollout): the start went on.
                Assert.Equal([Composed], await FoundAsync("J\u00F6rg"));
            }

            await using (var db = new RolloutDbContext(options.Options))
            {
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
                Assert.Equal(OldKey(LookAlike), await db.Clients.Where(c => c.Name == LookAlike).Select(c => c.NameKey).SingleAsync());
                Assert.Equal(Decomposed, await db.Clients.Where(c => c.NameKey == "m\u00FCller-pc").Select(c => c.Name).SingleAsync());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            if (provider == DatabaseProvider.PostgreSql)
            {
                NpgsqlConnection.ClearAllPools();
                PostgresTemplates.Drop(postgres);
            }
        }
    }
}
