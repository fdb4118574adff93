using System.Diagnostics;
using System.Text.Json.Nodes;
using Rollouter.Import.BrowserTests.Infrastructure;

namespace Rollouter.Import.BrowserTests.Recovery;

[CollectionDefinition(Name)]
public sealed class RecoveryCollection
{
    public const string Name = "Recovery";
}

/// <summary>
/// The published app as real processes on one PostgreSQL database, ended as a crash ends them (SIGKILL, as `kill -9`)
/// while an import writes: the import is completed within a minute, by the restarted app or by another instance, and
/// every row of the file is in the database exactly once. Also: two instances starting at once on an empty database.
/// </summary>
[Collection(RecoveryCollection.Name)]
public sealed class RecoveryTests
{
    /// <summary>The promise: an interrupted import finishes within this time of the restart, or of the crash.</summary>
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Rows in several batches. The write cannot commit while the test holds the inventory's row
    /// (<see cref="PostgresDatabase.HoldInventoryAsync"/>), so the test sees it going and kills the app before it ends
    /// on any machine; when the test lets go, the next run completes.
    /// </summary>
    private const int Rows = 30_000;

    [Fact]
    public async Task AppKilledDuringTheWrite_TheRestartedAppCompletesTheImportWithinAMinute_EveryRowOnce()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var (csv, prefix) = ClientsFile();
        int importId;
        JsonNode beforeTheCrash;
        await using (var app = await AppServer.StartAsync("recovery-single", database.AppSettings))
        {
            using var api = await AppApi.SignInAsync(app, "admin@demo.test");
            await using (await database.HoldInventoryAsync("SRV", "Servers"))
            {
                importId = await api.ApproveCsvAsync("SRV", "Servers", csv);
                beforeTheCrash = await WaitUntilWritingAsync(api, importId);

                await app.KillAsync();
            }
        }

        await AssertNothingWrittenAsync(database, prefix, importId);

        var restart = Stopwatch.StartNew();
        await using var restarted = await AppServer.StartAsync("recovery-single-restart", database.AppSettings);
        using var again = await AppApi.SignInAsync(restarted, "admin@demo.test");
        var done = await again.WaitForImportAsync(importId, i => i["status"]!.GetValue<string>() != "InProgress",
            Promise - restart.Elapsed, "finished after the restart");

        await AssertCompletedOnceAsync(database, prefix, done, beforeTheCrash);
    }

    [Fact]
    public async Task InstanceKilledDuringTheWrite_TheOtherInstanceCompletesTheImportWithinAMinute_EveryRowOnce()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var (csv, prefix) = ClientsFile();
        var starting = (AppServer.StartAsync("recovery-first", database.AppSettings),
            AppServer.StartAsync("recovery-second", database.AppSettings));
        await using var first = await starting.Item1;
        await using var second = await starting.Item2;
        using var firstApi = await AppApi.SignInAsync(first, "admin@demo.test");
        using var secondApi = await AppApi.SignInAsync(second, "admin@demo.test");

        AppServer survivor;
        AppApi survivorApi;
        JsonNode beforeTheCrash;
        int importId;
        Stopwatch crash;
        await using (await database.HoldInventoryAsync("SRV", "Servers"))
        {
            importId = await firstApi.ApproveCsvAsync("SRV", "Servers", csv);
            // Either instance may take the job; each shows the progress of the other's run, read from the import's row.
            var runner = await RunnerAsync(importId, first, second);
            AppApi runnerApi;
            (survivor, survivorApi, runnerApi) = runner == first ? (second, secondApi, firstApi) : (first, firstApi, secondApi);
            beforeTheCrash = await WaitUntilWritingAsync(survivorApi, importId);
            var runnersView = await runnerApi.ImportAsync(importId);
            Assert.True(runnersView["progress"]!["written"]!.GetValue<int>() > 0, AppApi.Describe(runnersView));

            await runner.KillAsync();
            crash = Stopwatch.StartNew();
        }

        await AssertNothingWrittenAsync(database, prefix, importId);
        var done = await survivorApi.WaitForImportAsync(importId, i => i["status"]!.GetValue<string>() != "InProgress",
            Promise - crash.Elapsed, "finished by the other instance after the crash");
        await AssertCompletedOnceAsync(database, prefix, done, beforeTheCrash);
        Assert.True(survivor.HasWritten($"Import {importId} starts its run, attempt 2"), survivor.RecentOutput);
    }

    [Fact]
    public async Task TwoInstancesStartingAtOnceOnAnEmptyDatabase_BothServe_WithOneSetOfDemoData()
    {
        await using var database = await PostgresDatabase.CreateAsync();

        var starting = new[] { "startup-first", "startup-second" }
            .Select(name => AppServer.StartAsync(name, database.AppSettings)).ToList();
        var apps = await Task.WhenAll(starting);
        try
        {
            foreach (var app in apps)
            {
                using var api = await AppApi.SignInAsync(app, "manager@demo.test");
                var rollouts = (await api.GetAsync("api/rollouts")).AsArray();
                Assert.Single(rollouts, r => r!["identifier"]!.GetValue<string>() == "W11");
            }

            Assert.Equal(6L, await database.ScalarAsync<long>("""SELECT count(*) FROM "AspNetUsers" """));
            Assert.Equal(2L, await database.ScalarAsync<long>("""SELECT count(*) FROM "Rollouts" """));
            Assert.Equal(40L, await database.ScalarAsync<long>(
                """SELECT count(*) FROM "Clients" c JOIN "Inventories" i ON i."Id" = c."InventoryId" WHERE i."Name" = 'Laptops'"""));
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>A CSV of new servers, each name starting with a prefix of this test's own.</summary>
    private static (string Csv, string Prefix) ClientsFile()
    {
        var prefix = "K" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = new ClientFile("Name", "Location").Rows(Rows, i => [$"{prefix}{i:D6}", $"Room {i % 500}"]).ToCsv();
        return (csv, prefix);
    }

    /// <summary>Waits until the import has written rows, as its row shows them; fails when it finished first.</summary>
    private static Task<JsonNode> WaitUntilWritingAsync(AppApi api, int importId) =>
        api.WaitForImportAsync(importId, import =>
        {
            Assert.True(import["status"]!.GetValue<string>() == "InProgress",
                $"The import finished before the test could interrupt it: {AppApi.Describe(import)}");
            return import["progress"]!["written"]!.GetValue<int>() > 0;
        }, Promise, "writing");

    /// <summary>The instance that runs the import: the one that says it started it.</summary>
    private static async Task<AppServer> RunnerAsync(int importId, params AppServer[] apps)
    {
        var line = $"Import {importId} starts its run, attempt 1";
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (apps.SingleOrDefault(a => a.HasWritten(line)) is { } runner)
            {
                return runner;
            }

            Assert.True(waited.Elapsed < Promise, $"No instance started import {importId}.");
            await Task.Delay(100);
        }
    }

    /// <summary>All or nothing: the killed run's transaction left no client behind, and the import is still In Progress.</summary>
    private static async Task AssertNothingWrittenAsync(PostgresDatabase database, string prefix, int importId)
    {
        Assert.Equal(0L, await CountAsync(database, prefix));
        Assert.Equal("InProgress", await database.ScalarAsync<string>(
            """SELECT "Status" FROM "Imports" WHERE "Id" = @id""", ("id", importId)));
    }

    /// <summary>Completed by a second run that kept the first's start: every row of the file once.</summary>
    private static async Task AssertCompletedOnceAsync(PostgresDatabase database, string prefix, JsonNode done, JsonNode beforeTheCrash)
    {
        Assert.True(done["status"]!.GetValue<string>() == "Completed", AppApi.Describe(done));
        Assert.Equal(Rows, done["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(Rows, done["progress"]!["written"]!.GetValue<int>());
        Assert.Equal(2, done["attempt"]!.GetValue<int>());
        Assert.Equal(beforeTheCrash["startedAt"]!.GetValue<DateTimeOffset>(), done["startedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Rows, await CountAsync(database, prefix));
        Assert.Equal(Rows, await database.ScalarAsync<long>(
            """SELECT count(DISTINCT "Name") FROM "Clients" WHERE starts_with("Name", @prefix)""", ("prefix", prefix)));
    }

    private static Task<long> CountAsync(PostgresDatabase database, string prefix) => database.ScalarAsync<long>(
        """SELECT count(*) FROM "Clients" WHERE starts_with("Name", @prefix)""", ("prefix", prefix));
}
