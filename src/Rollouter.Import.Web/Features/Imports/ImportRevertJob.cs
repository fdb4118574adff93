using Hangfire;
using Rollouter.Import.Data;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Reverting;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The Hangfire job of a revert asked for (<see cref="HangfireImportQueue.EnqueueRevert"/>): it runs
/// <see cref="ImportLifecycle.RunRevertAsync"/> while holding the import's <see cref="DatabaseLock"/>, as
/// <see cref="ImportJob"/> does, so a second job for the same import waits and then finds it Reverted. The revert is
/// one transaction: a job that dies leaves the import Completed with its revert still asked for, and the next look of
/// any instance queues it again (<see cref="ImportRecovery.ResumeRevertsAsync"/>). Its progress is kept in this process (<see cref="ImportProgressRegistry"/>).
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class ImportRevertJob(
    ImportLifecycle lifecycle,
    ImportProgressRegistry registry,
    RolloutDbContext db,
    ILogger<ImportRevertJob> logger)
{
    [JobDisplayName("Revert import #{0}")]
    public async Task RunAsync(int importId, CancellationToken cancellationToken)
    {
        // SQLite: wait for another write (an import's) as long as it takes, not the pages' busy timeout.
        SqliteWaits.WaitAsAJob(db);
        await using var runLock = await DatabaseLock.TryAcquireAsync(
            db, DatabaseLock.ImportRun(importId), ImportJob.LockWait, cancellationToken);
        if (runLock is null)
        {
            logger.LogInformation("Import {ImportId} is reverted by another worker; this job leaves it to that one", importId);
            return;
        }

        try
        {
            var result = await lifecycle.RunRevertAsync(importId,
                new Progress(importId, registry), cancellationToken);
            logger.LogInformation("Revert job of import {ImportId} ended: {Outcome}", importId,
                result.Succeeded ? result.Value.Status.ToString() : result.Problem.Message);
            if (result.Succeeded && result.Value.Status == Data.Entities.ImportStatus.Reverted)
            {
                // A client the upgrade kept on its old name key gets the key of its name as seen once its look-alike,
                // which this revert may have deleted, is gone (decision 0064).
                await NameKeysAsSeen.RetryKeptAfterRemovalAsync(db, logger, CancellationToken.None);
            }
        }
        catch (Exception e) when (BusyDatabase.IsBusyOrUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            // The database's connection broke (a restarted server, the session ended), or the database stopped the revert
            // and then refused the record of why too (read-only, still timing out): the revert is one transaction, so
            // nothing changed, and it is still asked for. The job ends without an error, so that the next look of any
            // instance queues it again, as after a crash (ImportRecovery.ResumeRevertsAsync), once the database answers
            // and accepts changes (the look's own lease is a write); a job failed with an error is queued again only at
            // the next start-up, and the revert showed "running" until then (decisions 0115, 0116). A revert the
            // database stopped whose refusal could be recorded ends refused, with the reason (ImportReverter).
            logger.LogWarning(e, "The revert of import {ImportId} was stopped by the database ({Outage}); nothing was " +
                                 "changed, and it is run again once the database answers and accepts changes", importId,
                UnavailableDatabase.Find(e)?.ToString() ?? "busy");
        }
        finally
        {
            registry.RemoveRevert(importId);
        }
    }

    private sealed class Progress(int importId, ImportProgressRegistry registry) : IProgress<RevertProgress>
    {
        public void Report(RevertProgress value) => registry.ReportRevert(importId, value);
    }
}
