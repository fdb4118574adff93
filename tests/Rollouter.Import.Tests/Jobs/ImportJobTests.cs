using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Tests.Jobs;

/// <summary>The approval job: one run per import whatever calls it, and nothing written twice.</summary>
public abstract class ImportJobTests(RolloutWebFactory factory)
{
    protected RolloutWebFactory Factory => factory;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// An import created through the API and approved without a job, as after a crash. Its lease runs
    /// <paramref name="leaseLeft"/> from now (by default long enough that no recovery takes it while the test sets up).
    /// </summary>
    protected async Task<(HttpClient Client, int ImportId, string Name)> InterruptedImportAsync(TimeSpan? leaseLeft = null)
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var name = Unique("JOB");
        var import = await ApiTestClient.ReadAsync(
            await client.UploadAsync(rolloutId, laptops, "job.csv", $"Name,Department\n{name},IT\n"));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var managerId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, import.Id(), managerId);
        var leaseEnd = DateTimeOffset.UtcNow + (leaseLeft ?? TimeSpan.FromMinutes(10));
        await db.Imports.Where(i => i.Id == import.Id()).ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseExpiresAt, leaseEnd));
        return (client, import.Id(), name);
    }

    private Task<IReadOnlyList<int>> LookForInterruptedImportsAsync() =>
        factory.Services.GetRequiredService<ImportRecovery>().ResumeAsync(startingUp: false, CancellationToken.None);

    /// <summary>The jobs of the import the storage holds, whatever their state.</summary>
    private List<string> JobsOf(int importId) => JobsOf(importId, typeof(ImportJob));

    /// <summary>The jobs of <paramref name="jobType"/> for the import the storage holds, whatever their state.</summary>
    private List<string> JobsOf(int importId, Type jobType)
    {
        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        return monitoring.EnqueuedJobs("default", 0, 1000).Select(j => (j.Key, j.Value.Job))
            .Concat(monitoring.ProcessingJobs(0, 1000).Select(j => (j.Key, j.Value.Job)))
            .Concat(monitoring.SucceededJobs(0, 1000).Select(j => (j.Key, j.Value.Job)))
            .Concat(monitoring.FailedJobs(0, 1000).Select(j => (j.Key, j.Value.Job)))
            .Concat(monitoring.ScheduledJobs(0, 1000).Select(j => (j.Key, j.Value.Job)))
            .Where(j => j.Job?.Type == jobType && j.Job.Args[0] is int id && id == importId)
            .Select(j => j.Key)
            .Distinct()
            .ToList();
    }

    private async Task<int> ClientCountAsync(string name)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients.CountAsync(c => c.Name == name);
    }

    protected async Task RunJobAsync(int importId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ImportJob>().RunAsync(importId, CancellationToken.None);
    }

    /// <summary>
    /// A completed import whose revert was asked for <paramref name="askedAgo"/> and has no job: its job died with the
    /// instance that ran it (a revert is one transaction: nothing of it is left), or was never queued.
    /// </summary>
    private async Task<(HttpClient Client, int ImportId)> RevertWithoutJobAsync(TimeSpan askedAgo)
    {
        var (client, importId, _) = await InterruptedImportAsync();
        await RunJobAsync(importId);
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var managerId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        (await TestImports.Lifecycle(db, Path.Combine(Path.GetTempPath(), "rollouter-revert-recovery-tests"))
            .RequestRevertAsync(importId, managerId, CancellationToken.None)).Expect();
        // Its run's lease long over (set ten minutes ahead above; on SQLite no heartbeat moved it).
        var asked = DateTimeOffset.UtcNow - askedAgo;
        await db.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.RevertRequestedAt, asked)
            .SetProperty(i => i.LeaseExpiresAt, asked - TimeSpan.FromMinutes(1)));
        return (client, importId);
    }

    private static Task<System.Text.Json.Nodes.JsonNode> WaitForRevertAsync(HttpClient client, int importId) =>
        client.WaitForImportAsync(importId, i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromSeconds(40));

    [Fact]
    public async Task ARevertWhoseJobDied_IsQueuedAgainByTheLookEveryFewSeconds_OnceOfSeveralLooks_AndReverts()
    {
        // QA: an instance killed during a revert left it to the survivor's Hangfire, about a minute later: only the
        // start-up queued reverts again, the look every 5 s only imports.
        var (client, importId) = await RevertWithoutJobAsync(askedAgo: TimeSpan.FromMinutes(1));

        // Several instances look at the same moment (and this one's own look may come first).
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(LookForInterruptedImportsAsync)));

        var reverted = await WaitForRevertAsync(client, importId);
        Assert.Equal("Reverted", reverted.Status());
        Assert.Single(JobsOf(importId, typeof(ImportRevertJob)));
    }

    [Fact]
    public async Task ARevertJustAskedFor_OrWhoseJobHoldsItsLock_IsLeftToItsJob()
    {
        var (client, importId) = await RevertWithoutJobAsync(askedAgo: TimeSpan.Zero);
        var recovery = Factory.Services.GetRequiredService<ImportRecovery>();

        // Its request queues its job right after asking: the look does not race it.
        Assert.Empty(await recovery.ResumeRevertsAsync(startingUp: false, CancellationToken.None));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var asked = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s.SetProperty(i => i.RevertRequestedAt, asked));
            await using (await DatabaseLock.AcquireAsync(db, DatabaseLock.ImportRun(importId), CancellationToken.None))
            {
                // A live revert job holds the import's lock.
                Assert.Empty(await recovery.ResumeRevertsAsync(startingUp: false, CancellationToken.None));
                Assert.Empty(JobsOf(importId, typeof(ImportRevertJob)));
            }
        }

        Assert.Equal("Reverted", (await WaitForRevertAsync(client, importId)).Status());
    }

    [Fact]
    public async Task TwoRunsOfTheSameImportAtOnce_WriteItOnce_AndItCompletes()
    {
        var (client, importId, name) = await InterruptedImportAsync();

        await Task.WhenAll(Task.Run(() => RunJobAsync(importId)), Task.Run(() => RunJobAsync(importId)));

        var import = await client.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal("Completed", import.Status());
        Assert.Equal(1, import["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task RunningACompletedImportAgain_ChangesNothing()
    {
        var (client, importId, name) = await InterruptedImportAsync();
        await RunJobAsync(importId);
        var finished = await client.GetJsonAsync($"/api/imports/{importId}");

        await RunJobAsync(importId);

        var again = await client.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal("Completed", again.Status());
        Assert.Equal(finished["finishedAt"]!.GetValue<DateTimeOffset>(), again["finishedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task ImportLeftInProgressWithoutJob_IsEnqueuedAgainAtStartUp_AndCompletes()
    {
        var (client, importId, name) = await InterruptedImportAsync();

        // What Program does after the migrations: an in-memory queue is empty after a restart, and a durable one
        // lacks the job when the app stopped between the approval and the enqueue.
        await ImportJobsSetup.ResumeInterruptedImportsAsync(Factory.Services);

        var result = await client.WaitForResultAsync(importId);
        Assert.Equal("Completed", result.Status());
        Assert.Equal(1, result["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task ImportInProgressWithAWaitingJob_IsNotEnqueuedTwiceAtStartUp()
    {
        var (_, importId, _) = await InterruptedImportAsync();
        var jobs = factory.Services.GetRequiredService<IBackgroundJobClient>();
        var retry = jobs.Schedule<ImportJob>(job => job.RunAsync(importId, CancellationToken.None), TimeSpan.FromHours(1));

        await ImportJobsSetup.ResumeInterruptedImportsAsync(Factory.Services);

        Assert.Equal(new[] { retry }, JobsOf(importId));
        jobs.Delete(retry);
    }

    [Fact]
    public async Task ImportWhoseLeaseRanOutWithNoRun_IsRunAgainOnce_AndCompletesAsItsSecondAttempt()
    {
        var (client, importId, name) = await InterruptedImportAsync(leaseLeft: TimeSpan.FromSeconds(-1));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // The run that died had started and counted its attempt.
            await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.Where(i => i.Id == importId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Attempt, 1));
        }

        // Several instances look at the same moment (and this one's own look, every few seconds, may come first).
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(LookForInterruptedImportsAsync)));

        var result = await client.WaitForResultAsync(importId);
        Assert.Equal("Completed", result.Status());
        Assert.Equal(2, result["attempt"]!.GetValue<int>());
        Assert.Equal(1, await ClientCountAsync(name));
        Assert.Single(JobsOf(importId));
    }

    /// <summary>Uploads, maps Name and Department (updating existing clients or not), approves and waits for the result.</summary>
    private static async Task<JsonNode> ImportAsync(HttpClient client, int rolloutId, int inventoryId, string csv, bool updateExisting)
    {
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, inventoryId, "written.csv", csv))).Id();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{importId}/mapping", new
        {
            updateExisting,
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" } },
        })).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        return await client.WaitForResultAsync(importId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImportAnOlderVersionLeftInProgressAfterItsWrite_IsCompletedWithItsCounts_NotRunAgain_AndCanBeReverted(
        bool updateExisting)
    {
        // QA: versions before 2026-12-05 committed an import's clients, then saved its end apart; kill -9 between the two
        // left it In Progress over its own clients. Run again at the next start, every row failed on its own name
        // ("already exists"), the import was Failed saying no clients had been created, and its revert was refused.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var (changed, created) = (Unique("KEPT"), new[] { Unique("OLD"), Unique("OLD") });
        Assert.Equal("Completed", (await ImportAsync(client, rolloutId, laptops, $"Name,Department\n{changed},IT\n", false)).Status());
        // Without "Update existing clients" (the QA's import) it creates clients only; with it, it also changes one.
        var updated = updateExisting ? 1 : 0;
        var written = await ImportAsync(client, rolloutId, laptops,
            $"Name,Department\n{(updateExisting ? changed + ",HR\n" : "")}{created[0]},IT\n{created[1]},IT\n", updateExisting);
        Assert.Equal(("Completed", 2, updated), (written.Status(), written["counts"]!["created"]!.GetValue<int>(),
            written["counts"]!["updated"]!.GetValue<int>()));
        var importId = written.Id();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            // What such a version left: the clients and their history committed, the import's row as its run began
            // (its first attempt, the heartbeat's figures, no counts, no end), its lease long over.
            await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.Where(i => i.Id == importId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, ImportStatus.InProgress)
                    .SetProperty(i => i.Attempt, 1)
                    .SetProperty(i => i.CreatedCount, 0)
                    .SetProperty(i => i.UpdatedCount, 0)
                    .SetProperty(i => i.RowsChecked, 2 + updated)
                    .SetProperty(i => i.RowsWritten, 2 + updated)
                    .SetProperty(i => i.FinishedAt, (DateTimeOffset?)null)
                    .SetProperty(i => i.LeaseExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-5)));
        }

        // The next start (of the new version) finds it In Progress with no run.
        await ImportJobsSetup.ResumeInterruptedImportsAsync(Factory.Services);

        var result = await client.WaitForResultAsync(importId);
        Assert.True(result.Status() == "Completed", result.Json());
        Assert.Equal((2, updated, 0), (result["counts"]!["created"]!.GetValue<int>(), result["counts"]!["updated"]!.GetValue<int>(),
            result["counts"]!["failedRows"]!.GetValue<int>()));
        Assert.Equal(1, result["attempt"]!.GetValue<int>());
        Assert.Equal(3, await ClientCountAsync(changed) + await ClientCountAsync(created[0]) + await ClientCountAsync(created[1]));

        var revert = await client.PostAsync($"/api/imports/{importId}/revert", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, revert.StatusCode);
        Assert.Equal("Reverted", (await WaitForRevertAsync(client, importId)).Status());
        Assert.Equal((0, 0), (await ClientCountAsync(created[0]), await ClientCountAsync(created[1])));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var department = await db.CustomFields.Where(f => f.Name == "Department").Select(f => f.Id).SingleAsync();
            var values = await db.Clients.Where(c => c.Name == changed).Select(c => c.Values).SingleAsync();
            Assert.Equal(["IT"], values[department]);
        }
    }

    [Fact]
    public async Task ImportWhoseLeaseRanOut_ButWhoseRunHoldsItsLock_IsLeftToThatRun()
    {
        var (_, importId, _) = await InterruptedImportAsync(leaseLeft: TimeSpan.FromSeconds(-1));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        await using (await DatabaseLock.AcquireAsync(db, DatabaseLock.ImportRun(importId), CancellationToken.None))
        {
            // A run whose database stalled misses its heartbeats but still holds the lock: it is alive.
            Assert.Empty(await LookForInterruptedImportsAsync());
            Assert.Empty(JobsOf(importId));
        }

        await RunJobAsync(importId);
    }

    [Fact]
    public async Task ImportWithinItsLease_IsLeftAlone_ExceptAtStartUp()
    {
        var (client, importId, _) = await InterruptedImportAsync(leaseLeft: TimeSpan.FromMinutes(10));

        Assert.Empty(await LookForInterruptedImportsAsync());
        Assert.Empty(JobsOf(importId));

        // At start-up a run of this instance's own is gone, and another instance's run would hold the lock.
        await ImportJobsSetup.ResumeInterruptedImportsAsync(Factory.Services);
        Assert.Equal("Completed", (await client.WaitForResultAsync(importId)).Status());
    }

    [Fact]
    public async Task ApprovingAgainAfterAFailure_StartsTheAttemptsAndTheStartAnew()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "failing.csv",
            $"Name,Department\n{Unique("FAIL")},Nowhere\n"))).Id();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        var failed = await client.WaitForResultAsync(importId);
        Assert.Equal(("Failed", 1), (failed.Status(), failed["attempt"]!.GetValue<int>()));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // As if that approval's first runs had been interrupted, long ago.
            await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.Where(i => i.Id == importId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Attempt, 3)
                    .SetProperty(i => i.StartedAt, DateTimeOffset.UtcNow.AddDays(-1)));
        }

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);

        var again = await client.WaitForResultAsync(importId);
        Assert.Equal(("Failed", 1), (again.Status(), again["attempt"]!.GetValue<int>()));
        Assert.True(again["startedAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddHours(-1));
    }

    [Fact]
    public async Task InProgressImport_ShowsItsRowsFigures_AndItsAttempt_OnPageAndApi()
    {
        var (client, importId, _) = await InterruptedImportAsync();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.Where(i => i.Id == importId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.RowsChecked, 1)
                    .SetProperty(i => i.RowsWritten, 1)
                    .SetProperty(i => i.Attempt, 2));
        }

        var import = await client.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal(2, import["attempt"]!.GetValue<int>());
        Assert.Equal(1, import["progress"]!["written"]!.GetValue<int>());
        Assert.Equal(1, import["progress"]!["processed"]!.GetValue<int>());
        var browser = await factory.SignInAsync("manager@demo.test");
        var page = await browser.GetStringAsync($"/rollouts/W11/imports/{importId}");
        Assert.Contains("1 written (attempt 2)", page);
        var bar = System.Text.Json.Nodes.JsonNode.Parse(await browser.GetStringAsync($"/rollouts/W11/imports/{importId}/progress"))!;
        Assert.Equal(2, bar["attempt"]!.GetValue<int>());

        await RunJobAsync(importId);
        Assert.Contains("(attempt 3: an interrupted run keeps nothing",
            await browser.GetStringAsync($"/rollouts/W11/imports/{importId}"));
    }
}

public sealed class SqliteImportJobTests(RolloutWebFactory factory)
    : ImportJobTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportJobTests(PostgresWebFactory factory)
    : ImportJobTests(factory), IClassFixture<PostgresWebFactory>
{
    [Fact]
    public async Task RunWhoseLockSessionEnds_StopsWritingNothing_AndIsRunAgain()
    {
        const int rows = 20_000;
        var client = await ApiTestClient.LoginAsync(Factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("SRV");
        var servers = await client.InventoryIdAsync(rolloutId, "Servers");
        var prefix = "LOCK-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = new ClientFile("Name").Rows(rows, i => [prefix + i], first: 0).ToCsv();

        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, servers, "lock.csv", csv))).Id();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            // The inventory's row held as an UPDATE would hold it: the run writes every row, then waits at the end of its
            // transaction (where it adds to the inventory's client count), so it cannot commit before the test lets go,
            // however fast the machine.
            await using var hold = new Npgsql.NpgsqlConnection(db.Database.GetConnectionString());
            await hold.OpenAsync();
            await using var holding = await hold.BeginTransactionAsync();
            await using (var select = new Npgsql.NpgsqlCommand(
                             "SELECT 1 FROM \"Inventories\" WHERE \"Id\" = @id FOR NO KEY UPDATE", hold, holding))
            {
                select.Parameters.AddWithValue("id", servers);
                Assert.Equal(1, await select.ExecuteScalarAsync());
            }

            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
            // As soon as the run holds its lock, the server ends the session that holds it (restarted, or ended by an
            // administrator) while this process lives on: another instance could now take the import, so this run must
            // not go on writing.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            List<int> ended;
            while ((ended = await LockHoldersAsync(db, importId)).Count == 0)
            {
                var running = await client.GetJsonAsync($"/api/imports/{importId}");
                Assert.True(running.Status() == "InProgress", $"The import finished before its lock was taken away: {running.Json()}");
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), running.Json());
                await Task.Delay(20);
            }

            foreach (var pid in ended)
            {
                await db.Database.SqlQueryRaw<bool>("SELECT pg_terminate_backend({0}) AS \"Value\"", pid).ToListAsync();
            }

            // The run learns of it with its next heartbeat and gives up; the import is run again, in a session of its own.
            // Only then the hold ends: had the first run gone on, it could have committed now.
            while (!(await LockHoldersAsync(db, importId)).Except(ended).Any())
            {
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), "The import was not run again");
                await Task.Delay(50);
            }

            var again = await client.GetJsonAsync($"/api/imports/{importId}");
            Assert.Equal("InProgress", again.Status());
            Assert.Equal(0, await db.Clients.CountAsync(c => c.Name.StartsWith(prefix)));
            await holding.RollbackAsync();
        }

        var result = await client.WaitForResultAsync(importId);
        Assert.Equal("Completed", result.Status());
        // 2, unless the first run was stopped before it recorded its start (its heartbeat's first look comes at once):
        // then the run that wrote is the first the import counts.
        Assert.InRange(result["attempt"]!.GetValue<int>(), 1, 2);
        Assert.Equal(rows, result["counts"]!["created"]!.GetValue<int>());
        await using var check = Factory.Services.CreateAsyncScope();
        Assert.Equal(rows, await check.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients
            .CountAsync(c => c.Name.StartsWith(prefix)));
    }

    /// <summary>
    /// Holds the inventory's row as an UPDATE would, runs <paramref name="start"/> (an approval, a revert), waits until a
    /// session of the app waits for that row (the job's write, at the end of its transaction), ends that session as a
    /// restarted server or an administrator would, and lets go of the row. The import's lock, in a session of its own,
    /// stays held: the job lives on and sees its write's connection broken.
    /// </summary>
    private async Task EndTheWritingSessionAsync(int inventoryId, Func<Task> start, string end = "pg_terminate_backend")
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        await using var hold = new Npgsql.NpgsqlConnection(db.Database.GetConnectionString());
        await hold.OpenAsync();
        await using var holding = await hold.BeginTransactionAsync();
        await using (var select = new Npgsql.NpgsqlCommand(
                         "SELECT 1 FROM \"Inventories\" WHERE \"Id\" = @id FOR NO KEY UPDATE", hold, holding))
        {
            select.Parameters.AddWithValue("id", inventoryId);
            Assert.Equal(1, await select.ExecuteScalarAsync());
        }

        // Not awaited yet: should the request itself wait for the row, its session is the one ended, and it fails.
        var started = start();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        List<int> writers;
        while ((writers = await db.Database.SqlQueryRaw<int>(
                   "SELECT pid AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND {0} = ANY(pg_blocking_pids(pid))",
                   hold.ProcessID).ToListAsync()).Count == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "No session of the app came to wait for the inventory's row");
            await Task.Delay(20);
        }

        foreach (var pid in writers)
        {
            await db.Database.SqlQueryRaw<bool>(end == "pg_cancel_backend"
                ? "SELECT pg_cancel_backend({0}) AS \"Value\""
                : "SELECT pg_terminate_backend({0}) AS \"Value\"", pid).ToListAsync();
        }

        await holding.RollbackAsync();
        await started;
    }

    [Fact]
    public async Task RunWhoseWritingSessionEnds_WritesNothing_AndIsRunAgain_NotFailed()
    {
        // QA: the server restarted (or the session was ended) while the run wrote: the import was Failed with "An
        // unexpected error stopped the import" when the database was back by the time the run looked, and run again
        // when it was not. It is run again, as after a crash (decision 0115).
        const int rows = 2_000;
        var client = await ApiTestClient.LoginAsync(Factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("SRV");
        var servers = await client.InventoryIdAsync(rolloutId, "Servers");
        var prefix = "LOST-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = new ClientFile("Name").Rows(rows, i => [prefix + i], first: 0).ToCsv();
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, servers, "lost.csv", csv))).Id();

        await EndTheWritingSessionAsync(servers, async () =>
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode));

        var result = await client.WaitForResultAsync(importId);
        Assert.Equal("Completed", result.Status());
        Assert.Equal(2, result["attempt"]!.GetValue<int>());
        Assert.Equal(rows, result["counts"]!["created"]!.GetValue<int>());
        await using var check = Factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<RolloutDbContext>();
        Assert.Equal(rows, await db.Clients.CountAsync(c => c.Name.StartsWith(prefix)));
        Assert.Equal(await db.Clients.CountAsync(c => c.InventoryId == servers),
            await db.Inventories.Where(i => i.Id == servers).Select(i => i.ClientCount).SingleAsync());
    }

    [Fact]
    public async Task RevertWhoseWritingSessionEnds_ChangesNothing_AndIsRunAgain_NotLeftRunning()
    {
        // QA: the revert's job failed with the broken connection, and a failed revert job is queued again only at the
        // next start-up: the revert showed "running" until someone restarted the app (decision 0115).
        var client = await ApiTestClient.LoginAsync(Factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("SRV");
        var servers = await client.InventoryIdAsync(rolloutId, "Servers");
        var prefix = "UNDO-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = new ClientFile("Name").Rows(50, i => [prefix + i], first: 0).ToCsv();
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, servers, "undo.csv", csv))).Id();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(importId)).Status());

        await EndTheWritingSessionAsync(servers, async () =>
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode));

        var reverted = await client.WaitForImportAsync(importId,
            i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromMinutes(1));
        Assert.Equal("Reverted", reverted.Status());
        await using var check = Factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<RolloutDbContext>();
        Assert.Equal(0, await db.Clients.CountAsync(c => c.Name.StartsWith(prefix)));
        Assert.Equal(await db.Clients.CountAsync(c => c.InventoryId == servers),
            await db.Inventories.Where(i => i.Id == servers).Select(i => i.ClientCount).SingleAsync());
    }

    [Fact]
    public async Task RevertStoppedByTheDatabase_EndsRefusedWithTheReason_AtOnce_AndCanBeAskedAgain()
    {
        // QA: a revert whose statement the database stopped (its statement_timeout, a lock timeout; here the server
        // cancels the statement as a timeout does) failed its job, and a failed revert job is queued again only at the
        // next start-up: the page showed "Reverting" until someone restarted the app (decision 0116).
        var client = await ApiTestClient.LoginAsync(Factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("SRV");
        var servers = await client.InventoryIdAsync(rolloutId, "Servers");
        var prefix = "STOP-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = new ClientFile("Name").Rows(50, i => [prefix + i], first: 0).ToCsv();
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, servers, "stop.csv", csv))).Id();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(importId)).Status());

        await EndTheWritingSessionAsync(servers, async () =>
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode),
            end: "pg_cancel_backend");

        // Within seconds, not at the next start-up: no longer running, still Completed, and why.
        var refused = await client.WaitForImportAsync(importId,
            i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromSeconds(30));
        Assert.Equal("Completed", refused.Status());
        var message = refused["revert"]!["failureMessage"]!.GetValue<string>();
        Assert.StartsWith("The database stopped the revert because a statement took longer than it allows", message);
        Assert.Contains("nothing was changed. Revert it again", message);
        var browser = await Factory.SignInAsync("admin@demo.test");
        var page = await browser.GetStringAsync($"/rollouts/SRV/imports/{importId}");
        Assert.Contains("The database stopped the revert", page);
        Assert.DoesNotContain("The import is being reverted", page);
        await using (var check = Factory.Services.CreateAsyncScope())
        {
            Assert.Equal(50, await check.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients
                .CountAsync(c => c.Name.StartsWith(prefix)));
        }

        // Asked again, it reverts.
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        var reverted = await client.WaitForImportAsync(importId,
            i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromMinutes(1));
        Assert.Equal("Reverted", reverted.Status());
        Assert.Null(reverted["revert"]!["failureMessage"]?.GetValue<string>());
    }

    [Fact]
    public async Task ImportAndRevertLongerThanTheDatabasesStatementTimeout_AreNotStoppedByIt_WhileThePagesKeepIt()
    {
        // QA: an operator's statement_timeout meant for the pages failed every import whose write took longer (decision
        // 0117): the job's own transaction lifts it; the pages keep it.
        const int rows = 40_000;
        var client = await ApiTestClient.LoginAsync(Factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("SRV");
        var servers = await client.InventoryIdAsync(rolloutId, "Servers");
        var prefix = "SLOW-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = new ClientFile("Name", "Department").Rows(rows, i => [prefix + i, "IT"], first: 0).ToCsv();
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, servers, "slow.csv", csv))).Id();
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var adminId = await db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync();
        await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, importId, adminId);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).Database;
        await SetStatementTimeoutAsync(db, database, "'200ms'");
        try
        {
            // The pages keep the operator's guard: a statement longer than it is stopped.
            await using (var page = Factory.Services.CreateAsyncScope())
            {
                var pageDb = page.ServiceProvider.GetRequiredService<RolloutDbContext>();
                var stopped = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
                    pageDb.Database.SqlQueryRaw<int>("SELECT 1 AS \"Value\" FROM pg_sleep(0.5)").ToListAsync());
                Assert.Equal("57014", stopped.SqlState);
            }

            await RunJobAsync(importId);
            var result = await client.GetJsonAsync($"/api/imports/{importId}");
            Assert.True(result.Status() == "Completed", result.Json());
            Assert.Equal(rows, result["counts"]!["created"]!.GetValue<int>());

            // The revert asked for without the guard (the request's look for conflicts reads every client it created)
            // and without a job; its job then runs with the guard.
            await SetStatementTimeoutAsync(db, database, "DEFAULT");
            await using (var revertScope = Factory.Services.CreateAsyncScope())
            {
                var revertDb = revertScope.ServiceProvider.GetRequiredService<RolloutDbContext>();
                (await TestImports.Lifecycle(revertDb, Path.Combine(Path.GetTempPath(), "rollouter-revert-timeout-tests"))
                    .RequestRevertAsync(importId, adminId, CancellationToken.None)).Expect();
            }

            await SetStatementTimeoutAsync(db, database, "'200ms'");
            await using (var job = Factory.Services.CreateAsyncScope())
            {
                await job.ServiceProvider.GetRequiredService<ImportRevertJob>().RunAsync(importId, CancellationToken.None);
            }

            var reverted = await client.GetJsonAsync($"/api/imports/{importId}");
            Assert.True(reverted.Status() == "Reverted", reverted.Json());
        }
        finally
        {
            await SetStatementTimeoutAsync(db, database, "DEFAULT");
        }

        Assert.Equal(0, await db.Clients.CountAsync(c => c.Name.StartsWith(prefix)));
    }

    /// <summary>
    /// Sets the test database's statement_timeout as an operator would (<c>ALTER DATABASE</c>), and clears the app's
    /// pool, so that its sessions from now on have it.
    /// </summary>
    private static async Task SetStatementTimeoutAsync(RolloutDbContext db, string? database, string value)
    {
        await using (var admin = new Npgsql.NpgsqlConnection(db.Database.GetConnectionString()))
        {
            await admin.OpenAsync();
            await using var alter = new Npgsql.NpgsqlCommand(
                "ALTER DATABASE \"" + database + "\" SET statement_timeout = " + value, admin);
            await alter.ExecuteNonQueryAsync();
        }

        Npgsql.NpgsqlConnection.ClearPool((Npgsql.NpgsqlConnection)db.Database.GetDbConnection());
    }

    /// <summary>The sessions holding the run lock of the import.</summary>
    private static Task<List<int>> LockHoldersAsync(RolloutDbContext db, int importId) =>
        db.Database.SqlQueryRaw<int>(
            "SELECT pid AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {0} AND objid = {1}",
            DatabaseLock.ImportRun(importId).Class, importId).ToListAsync();

    [Fact]
    public async Task RunningImport_ShowsTheFiguresOfItsRow_WhicheverInstanceRunsIt()
    {
        var (client, importId, _) = await InterruptedImportAsync();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            // What the job running it on another instance wrote with its last heartbeat.
            await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.Where(i => i.Id == importId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.RowsChecked, 1).SetProperty(i => i.RowsWritten, 0));
        }

        // A run of this instance reporting other figures (as a run of the same import here would, a second earlier).
        var registry = Factory.Services.GetRequiredService<ImportProgressRegistry>();
        registry.Report(importId, new Rollouter.Import.Importing.ImportProgress(1, 1, 1));
        try
        {
            var import = await client.GetJsonAsync($"/api/imports/{importId}");
            Assert.Equal((1, 0), (import["progress"]!["processed"]!.GetValue<int>(), import["progress"]!["written"]!.GetValue<int>()));
            var browser = await Factory.SignInAsync("manager@demo.test");
            var bar = System.Text.Json.Nodes.JsonNode.Parse(
                await browser.GetStringAsync($"/rollouts/W11/imports/{importId}/progress"))!;
            Assert.Equal((1, 0), (bar["checked"]!.GetValue<int>(), bar["written"]!.GetValue<int>()));
        }
        finally
        {
            registry.Remove(importId);
            await RunJobAsync(importId);
        }
    }
}
