using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>The app on an existing database (SQLite in a data folder, or PostgreSQL), its log events captured.</summary>
    private sealed class Upgraded : RolloutWebFactory
    {
        private readonly string? _folder;

        public Upgraded(string folder) => _folder = folder;

        public Upgraded(string postgresDatabase, DatabaseProvider provider) : base(postgresDatabase) =>
            Assert.Equal(DatabaseProvider.PostgreSql, provider);

        public CapturedLogEvents Logs { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => _folder is null
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["Rollouter:DataFolder"] = _folder };

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<Serilog.Core.ILogEventSink>(Logs));
        }
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

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task AClientKeptOnItsOldKey_GetsItsKeyAsSeen_OnceItsLookAlikeIsGone_ByARevertOrBeforeTheNextStart(DatabaseProvider provider)
    {
        // QA: the upgrade's Warning said "revert the import that created the other"; done, the kept client stayed on its
        // old key for good (the rewrite never runs again), so neither spelling of its name found it.
        var folder = Directory.CreateTempSubdirectory("rollouter-upgrade-").FullName;
        var postgres = PostgresTemplates.NewName("web");
        string connectionString;
        Func<Upgraded> app;
        if (provider == DatabaseProvider.Sqlite)
        {
            connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "rollouter.db"), Pooling = false }.ToString();
            app = () => new Upgraded(folder);
        }
        else
        {
            connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = postgres }.ToString();
            PostgresTemplates.CreateWithDemoData(postgres);
            app = () => new Upgraded(postgres, provider);
        }

        try
        {
            const string Imported = "J\u00F6rg-PC", ImportedTwin = "Jo\u0308rg-PC", Stored = "Zo\u00EB-PC", StoredTwin = "Zoe\u0308-PC";
            int laptops, importId;
            using (var first = app())
            {
                // "Jörg-PC" comes with an import, as a customer's clients do; "Zoë-PC" is there without one.
                var api = await ApiTestClient.LoginAsync(first, "manager@demo.test");
                var rolloutId = await api.RolloutIdAsync("W11");
                laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
                importId = (await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "names.csv", $"Name,Department\n{Imported},IT\n"))).Id();
                Assert.Equal(System.Net.HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
                Assert.Equal("Completed", (await api.WaitForResultAsync(importId)).Status());
            }

            var options = new DbContextOptionsBuilder<RolloutDbContext>();
            options.UseRollouterDatabase(provider, connectionString);
            await using (var db = new RolloutDbContext(options.Options))
            {
                var inventory = await db.Inventories.SingleAsync(i => i.Id == laptops);
                var status = await db.Clients.Where(c => c.InventoryId == laptops).Select(c => c.StatusId).FirstAsync();
                Client New(string name) => new() { RolloutId = inventory.RolloutId, InventoryId = laptops, StatusId = status, Name = name, Values = [] };
                db.Clients.AddRange(New(Stored), New(ImportedTwin + "-tmp"), New(StoredTwin + "-tmp"));
                await db.SaveChangesAsync();
                // The look-alikes as a version before 2026-12-05 stored them beside the others, which the index allowed then.
                foreach (var twin in new[] { ImportedTwin, StoredTwin })
                {
                    await db.Clients.Where(c => c.Name == twin + "-tmp").ExecuteUpdateAsync(s => s
                        .SetProperty(c => c.Name, twin).SetProperty(c => c.NameKey, OldKey(twin)));
                }

                // Neither the rewrite nor the table of the clients it keeps was there.
                await db.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS \"NameKeysKept\"");
                await db.Database.ExecuteSqlRawAsync(
                    "DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" LIKE '%NameKeysAsSeen' OR \"MigrationId\" LIKE '%NameKeysKept'");
            }

            async Task<string[]> FoundAsync(HttpClient api, string text)
            {
                var found = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?search={Uri.EscapeDataString(text)}");
                return [.. found["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
            }

            using (var upgraded = app())
            {
                var api = await ApiTestClient.LoginAsync(upgraded, "manager@demo.test");
                Assert.Equal([Imported], await FoundAsync(api, "J\u00F6rg"));
                Assert.Equal([Stored], await FoundAsync(api, "Zo\u00EB"));
                // As the upgrade's Warning says: the revert of the import that created the other.
                Assert.Equal(System.Net.HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
                var reverted = await api.WaitForImportAsync(importId, i => i["revert"]?["running"]?.GetValue<bool>() != true,
                    TimeSpan.FromMinutes(1));
                Assert.Equal("Reverted", reverted.Status());
                // The revert's job tries the kept clients again once the revert committed: just after the import reads
                // Reverted, which is what the test waits for (a minute at most).
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while ((await FoundAsync(api, "J\u00F6rg")).Length == 0 && waited.Elapsed < TimeSpan.FromMinutes(1))
                {
                    await Task.Delay(100);
                }

                Assert.Equal([ImportedTwin], await FoundAsync(api, "J\u00F6rg"));
                Assert.Equal([ImportedTwin], await FoundAsync(api, "Jo\u0308rg-pc"));

                // The Warning names the import whose revert ends it, by number, and what else there is to do.
                var warnings = upgraded.Logs.Events.Where(e => e.Level == Serilog.Events.LogEventLevel.Warning)
                    .Select(e => e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                var imported = Assert.Single(warnings, w => w.Contains(ImportedTwin, StringComparison.Ordinal));
                Assert.Contains($"Keep one of the two: revert import #{importId}, which created client ", imported, StringComparison.Ordinal);
                Assert.Contains("and this one gets the key of its name as seen at once", imported, StringComparison.Ordinal);
                var stored = Assert.Single(warnings, w => w.Contains(StoredTwin, StringComparison.Ordinal));
                Assert.Contains("neither was created by an import", stored, StringComparison.Ordinal);
            }

            await using (var db = new RolloutDbContext(options.Options))
            {
                // The other's look-alike goes while the app is stopped (as an inventory's deletion by a version without this).
                var gone = await db.Clients.Where(c => c.Name == Stored).ExecuteDeleteAsync();
                Assert.Equal(1, gone);
                await db.Inventories.Where(i => i.Id == laptops).ExecuteUpdateAsync(s => s.SetProperty(i => i.ClientCount, i => i.ClientCount - 1));
            }

            using (var again = app())
            {
                var api = await ApiTestClient.LoginAsync(again, "manager@demo.test");
                Assert.Equal([StoredTwin], await FoundAsync(api, "Zo\u00EB"));
                Assert.Equal([StoredTwin], await FoundAsync(api, "zoe\u0308-PC"));
            }

            await using (var db = new RolloutDbContext(options.Options))
            {
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
                Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM \"NameKeysKept\"").SingleAsync());
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
