using Hangfire;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The Hangfire job of an approved import (<see cref="HangfireImportQueue"/>). It runs the import
/// (<see cref="ImportLifecycle.RunAsync"/>) while holding the import's <see cref="DatabaseLock"/>,
/// so however often it is enqueued (a resume, Hangfire fetching a dead worker's job again), one run at a time checks
/// and writes, and a run after the import finished does nothing (the processor only runs an import In Progress). The
/// write is one transaction, so a run that dies leaves nothing behind and the next one starts from the beginning.
/// On PostgreSQL and SQL Server the run beats every second: its progress and a new lease go to the import's row, where
/// every instance reads them; <see cref="ImportRecovery"/> runs again an import whose lease ran out while no one holds
/// its lock. Hangfire does not retry: that recovery is the one way an interrupted import is run again.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class ImportJob(
    ImportLifecycle lifecycle,
    ImportProgressRegistry registry,
    IServiceScopeFactory scopes,
    RolloutDbContext db,
    TimeProvider clock,
    ILogger<ImportJob> logger)
{
    /// <summary>How often a run writes its progress and lease to the import's row (PostgreSQL and SQL Server).</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a job waits for the import's lock before it leaves the import to the run that holds it.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);

    [JobDisplayName("Import #{0}")]
    public async Task RunAsync(int importId, CancellationToken cancellationToken)
    {
        // Every line the run logs, the engine's and EF Core's included, carries the import's id (docs/operations.md).
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["ImportId"] = importId });
        // SQLite: wait for another write (a second import's) as long as it takes, not the pages' busy timeout.
        SqliteWaits.WaitAsAJob(db);
        await using var runLock = await DatabaseLock.TryAcquireAsync(
            db, DatabaseLock.ImportRun(importId), LockWait, cancellationToken);
        if (runLock is null)
        {
            logger.LogInformation("Import {ImportId} is run by another worker; this job leaves it to that run", importId);
            return;
        }

        // SQLite: one instance, and the running write transaction blocks every other writer, so the progress stays in
        // this process (the registry). Elsewhere it goes to the row, and every instance shows the row's figures.
        var shared = db.Provider != DatabaseProvider.Sqlite;
        var progress = new LatestProgress(importId, registry);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = shared ? BeatAsync(importId, progress, runLock, run, stop.Token) : Task.CompletedTask;
        try
        {
            var import = await lifecycle.RunAsync(importId, progress, run.Token);
            logger.LogInformation("Import {ImportId} job ended with {Status}", importId, import.Status);
        }
        finally
        {
            await stop.CancelAsync();
            await heartbeat;
            registry.Remove(importId);
        }
    }

    /// <summary>
    /// Writes the latest progress and a new lease to the row at once and then every <see cref="HeartbeatInterval"/>,
    /// through a context of its own, while the import is In Progress. Stops the run should its lock be lost (its
    /// session ended while this process lives on), as another instance may then take the import.
    /// </summary>
    private async Task BeatAsync(
        int importId, LatestProgress progress, DatabaseLock runLock, CancellationTokenSource run, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, clock);
        var failing = false;
        do
        {
            try
            {
                if (!await runLock.IsHeldAsync(cancellationToken))
                {
                    logger.LogError("Import {ImportId} lost its lock (its database session ended); the run stops, " +
                                    "writing nothing, and the import is run again", importId);
                    await run.CancelAsync();
                    return;
                }

                var current = progress.Current;
                var leaseEnd = clock.GetUtcNow() + ImportLifecycle.RunLease;
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports
                    .Where(i => i.Id == importId && i.Status == ImportStatus.InProgress)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(i => i.RowsChecked, current.Checked)
                        .SetProperty(i => i.RowsWritten, current.Written)
                        .SetProperty(i => i.FailedRowCount, current.Failed)
                        .SetProperty(i => i.LeaseExpiresAt, leaseEnd), cancellationToken);
                failing = false;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                // The run goes on: it holds the import's lock, so a lease that runs out meanwhile starts no second run.
                if (!failing)
                {
                    logger.LogWarning(e, "Heartbeat of import {ImportId} could not be written; the import goes on", importId);
                }

                failing = true;
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private sealed class LatestProgress(int importId, ImportProgressRegistry registry) : IProgress<ImportProgress>
    {
        private ImportProgress _current;

        public ImportProgress Current => _current;

        public void Report(ImportProgress value)
        {
            _current = value;
            registry.Report(importId, value);
        }
    }
}
