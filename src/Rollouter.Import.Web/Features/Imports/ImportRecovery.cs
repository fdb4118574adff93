using Hangfire;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// Runs again, on whichever instance looks first, an import that was left In Progress with no live run: its instance
/// was killed or crashed, stopped, or lost the job. Every instance looks every <see cref="CheckInterval"/>, and once at
/// start-up. An import is run again when its lease has run out (<see cref="ImportLifecycle.RunLease"/>), no run holds its lock
/// (a live run always does, even when a stalled database kept it from renewing its lease) and no job for it waits in
/// the queue (enqueued, not yet fetched, or scheduled). Of several instances that find it at once, the one whose update
/// grants the next lease enqueues the job; should two jobs still meet, the import's lock lets one run and the other
/// finds the import finished. A revert asked for whose job died is queued again the same way (<see cref="ResumeRevertsAsync"/>).
/// </summary>
public sealed class ImportRecovery(
    IServiceScopeFactory scopes,
    JobStorage storage,
    TimeProvider clock,
    ILogger<ImportRecovery> logger,
    IOptions<ImportSettings>? settings = null) : BackgroundService
{
    /// <summary>How often every instance looks for interrupted imports.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often every instance sweeps, besides at start-up, the files a killed process left in the data folder
    /// (<see cref="SweepFilesAsync"/>): a file is swept within this time after it is <see cref="LocalDisk.AbandonedAfter"/> old.
    /// </summary>
    public static readonly TimeSpan FileSweepInterval = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, clock);
        // The start-up swept already (ImportJobsSetup.ResumeInterruptedImportsAsync).
        var nextSweep = clock.GetUtcNow() + FileSweepInterval;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ResumeAsync(startingUp: false, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Looking for interrupted imports failed; the next look is in {Seconds} s",
                        CheckInterval.TotalSeconds);
                }

                if (clock.GetUtcNow() >= nextSweep)
                {
                    nextSweep = clock.GetUtcNow() + FileSweepInterval;
                    try
                    {
                        await SweepFilesAsync(stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning(e, "Sweeping abandoned files failed; the next sweep is in {Minutes} min",
                            FileSweepInterval.TotalMinutes);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Deletes the files a killed process left in the data folder once they are <see cref="LocalDisk.AbandonedAfter"/>
    /// old: uploads (<see cref="ImportUploads.SweepAbandoned"/>), failed rows reports (<see cref="ReportFiles.SweepAbandoned"/>)
    /// and half-written copies in the file cache (<see cref="ImportFileStore.SweepPartials"/>), and the cached copies of imports that no longer exist
    /// or whose file was deleted under the retention (<see cref="ImportFileStore.SweepCacheAsync"/>: before 2026-12-07 at
    /// start-up only); first the retention of uploaded files deletes the files of imports past it (<see cref="ImportSettings.KeepFilesDays"/>).
    /// Returns how many went.
    /// </summary>
    public async Task<int> SweepFilesAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var files = scope.ServiceProvider.GetRequiredService<ImportFileStore>();
        var expired = await DeleteExpiredFilesAsync(files, cancellationToken);
        // The cached copies of deleted imports, and of files deleted under the retention (by any instance), go at every
        // sweep: a list of the folder and of the imports' ids.
        var removed = await files.SweepCacheAsync(cancellationToken)
                      + scope.ServiceProvider.GetRequiredService<ImportUploads>().SweepAbandoned()
                      + scope.ServiceProvider.GetRequiredService<ReportFiles>().SweepAbandoned();
        if (removed > 0)
        {
            logger.LogInformation("Swept {Files} files from the data folder: uploads, reports and copies left by a killed process, copies of deleted imports and of deleted files", removed);
        }

        return removed + expired;
    }

    /// <summary>The most files the retention deletes in one sweep (the rest go with the next, 15 minutes later).</summary>
    public const int ExpiredFilesPerSweep = 1000;

    /// <summary>
    /// The retention of uploaded files (<see cref="ImportSettings.KeepFilesDays"/>, decision 0136): deletes the kept files
    /// of imports whose last activity is older than that, at most <see cref="ExpiredFilesPerSweep"/>, and logs how many.
    /// </summary>
    private async Task<int> DeleteExpiredFilesAsync(ImportFileStore files, CancellationToken cancellationToken)
    {
        var days = (settings?.Value ?? new ImportSettings()).KeepFilesDays;
        if (days <= 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        var deleted = await files.DeleteExpiredFilesAsync(now - TimeSpan.FromDays(days), now, ExpiredFilesPerSweep, cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation(
                "Deleted the uploaded files of {Imports} imports whose last activity is more than {Days} days ago (Rollouter:Imports:KeepFilesDays)",
                deleted, days);
        }

        return deleted;
    }

    /// <summary>
    /// Enqueues a job for every interrupted import and returns their ids. At start-up the leases are not waited for:
    /// a run this instance had before it stopped is gone, and another instance's live run holds its lock.
    /// </summary>
    public async Task<IReadOnlyList<int>> ResumeAsync(bool startingUp, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var now = clock.GetUtcNow();
        var candidates = await db.Imports
            .Where(i => i.Status == ImportStatus.InProgress &&
                        (startingUp || i.LeaseExpiresAt == null || i.LeaseExpiresAt < now))
            .Select(i => new { i.Id, i.LeaseExpiresAt })
            .ToListAsync(cancellationToken);
        HashSet<int>? waiting = null;
        var resumed = new List<int>();
        foreach (var import in candidates)
        {
            await using (var runLock = await DatabaseLock.TryAcquireAsync(
                             db, DatabaseLock.ImportRun(import.Id), TimeSpan.Zero, cancellationToken))
            {
                if (runLock is null)
                {
                    continue;
                }
            }

            waiting ??= ImportsWithWaitingJobs(typeof(ImportJob));
            if (waiting.Contains(import.Id))
            {
                continue;
            }

            var leaseEnd = now + ImportLifecycle.RunLease;
            var granted = await db.Imports
                .Where(i => i.Id == import.Id && i.Status == ImportStatus.InProgress &&
                            (startingUp || i.LeaseExpiresAt == null || i.LeaseExpiresAt < now))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseExpiresAt, leaseEnd), cancellationToken);
            if (granted == 0)
            {
                continue;
            }

            var jobId = scope.ServiceProvider.GetRequiredService<IImportQueue>().Enqueue(import.Id);
            logger.LogWarning(
                "Import {ImportId} was In Progress with no run (lease until {LeaseExpiresAt:u}); job {JobId} runs it again",
                import.Id, import.LeaseExpiresAt, jobId);
            resumed.Add(import.Id);
        }

        await ResumeRevertsAsync(startingUp, cancellationToken);
        return resumed;
    }

    /// <summary>
    /// Queues again the reverts asked for and not ended whose job is gone: the instance running it was killed, or it
    /// stopped. A revert is one transaction, so an interrupted one left nothing. As for imports: no run holds the
    /// import's lock (a live revert job always does), no revert job for it waits in the queue, and a conditional
    /// <c>UPDATE</c> that grants a lease (<see cref="ImportLifecycle.RunLease"/>) makes one instance of several do it; a
    /// revert asked for less than <see cref="CheckInterval"/> ago is left to the job its request queued. At start-up
    /// neither the lease nor that time is waited for. A revert job that failed with an error (rather than died with its
    /// process) is queued again only at start-up, so that a revert that fails every time is not run every few seconds.
    /// Two jobs that still meet take turns at the import's lock, and the second finds the import Reverted.
    /// </summary>
    public async Task<IReadOnlyList<int>> ResumeRevertsAsync(bool startingUp, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var now = clock.GetUtcNow();
        var candidates = await RevertsToResume(db, startingUp, now).ToListAsync(cancellationToken);
        HashSet<int>? waiting = null;
        HashSet<int>? failed = null;
        var requeued = new List<int>();
        foreach (var importId in candidates)
        {
            await using (var runLock = await DatabaseLock.TryAcquireAsync(
                             db, DatabaseLock.ImportRun(importId), TimeSpan.Zero, cancellationToken))
            {
                if (runLock is null)
                {
                    continue;
                }
            }

            waiting ??= ImportsWithWaitingJobs(typeof(ImportRevertJob));
            failed ??= startingUp ? [] : ImportsWithFailedJobs(typeof(ImportRevertJob));
            if (waiting.Contains(importId) || failed.Contains(importId))
            {
                continue;
            }

            var leaseEnd = now + ImportLifecycle.RunLease;
            var granted = await db.Imports
                .Where(i => i.Id == importId && i.Status == ImportStatus.Completed && i.RevertRequestedAt != null &&
                            (startingUp || i.LeaseExpiresAt == null || i.LeaseExpiresAt < now))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseExpiresAt, leaseEnd), cancellationToken);
            if (granted == 0)
            {
                continue;
            }

            var jobId = scope.ServiceProvider.GetRequiredService<IImportQueue>().EnqueueRevert(importId);
            logger.LogWarning("The revert of import {ImportId} had not ended and no job runs it; job {JobId} runs it again",
                importId, jobId);
            requeued.Add(importId);
        }

        return requeued;
    }

    /// <summary>
    /// The Completed imports with a revert asked for that <see cref="ResumeRevertsAsync"/> may queue again: read through
    /// the filtered index of such imports (<c>IX_Imports_RevertsAsked</c>), which holds nearly none, not through every
    /// Completed import.
    /// </summary>
    internal static IQueryable<int> RevertsToResume(RolloutDbContext db, bool startingUp, DateTimeOffset now)
    {
        var askedBefore = now - CheckInterval;
        return db.Imports
            .Where(i => i.Status == ImportStatus.Completed && i.RevertRequestedAt != null &&
                        (startingUp || (i.RevertRequestedAt < askedBefore &&
                                        (i.LeaseExpiresAt == null || i.LeaseExpiresAt < now))))
            .Select(i => i.Id);
    }

    /// <summary>
    /// The imports whose job waits for a worker: enqueued and not yet fetched, or scheduled. A job a worker fetched is
    /// not counted: its worker may have died with it (Hangfire hands it out again only after its invisibility timeout).
    /// </summary>
    private HashSet<int> ImportsWithWaitingJobs(Type jobType)
    {
        var monitoring = storage.GetMonitoringApi();
        return ImportIds(monitoring.Queues()
            .SelectMany(q => monitoring.EnqueuedJobs(q.Name, 0, MostJobsLooked).Select(j => j.Value?.Job))
            .Concat(monitoring.ScheduledJobs(0, MostJobsLooked).Select(j => j.Value?.Job)), jobType);
    }

    /// <summary>The imports with a job of <paramref name="jobType"/> that failed with an error (kept by Hangfire).</summary>
    private HashSet<int> ImportsWithFailedJobs(Type jobType) =>
        ImportIds(storage.GetMonitoringApi().FailedJobs(0, MostJobsLooked).Select(j => j.Value?.Job), jobType);

    private const int MostJobsLooked = 10_000;

    private static HashSet<int> ImportIds(IEnumerable<Hangfire.Common.Job?> jobs, Type jobType) =>
        jobs.Select(job => job?.Type == jobType && job.Args.Count > 0 && job.Args[0] is int importId ? importId : (int?)null)
            .OfType<int>()
            .ToHashSet();
}
