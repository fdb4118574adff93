using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The Hangfire job of an approved import (<see cref="HangfireImportQueue"/>). Idempotent: the run does nothing unless the import is In Progress,
/// and a run writes all rows in one transaction or none, so a retry after a crash or a second enqueue never writes
/// twice. A distributed lock per import keeps two workers (or instances) from running the same import at once.
/// </summary>
[AutomaticRetry(Attempts = 5)]
public sealed class ImportJob(
    ImportLifecycle lifecycle,
    ImportProgressRegistry registry,
    JobStorage storage,
    IServiceScopeFactory scopes,
    RolloutDbContext db,
    ILogger<ImportJob> logger)
{
    /// <summary>How often the progress is written to the import's row (PostgreSQL and SQL Server).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    [JobDisplayName("Import #{0}")]
    public async Task RunAsync(int importId, CancellationToken cancellationToken)
    {
        using var connection = storage.GetConnection();
        // A timeout means another worker runs this import right now: fail, and let the retry find it finished.
        using var runLock = connection.AcquireDistributedLock($"rollouter:import:{importId}", TimeSpan.FromSeconds(15));

        var persistProgress = DatabaseProviders.FromProviderName(db.Database.ProviderName) != DatabaseProvider.Sqlite;
        var progress = new LatestProgress(importId, registry);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = persistProgress ? WriteProgressAsync(importId, progress, stop.Token) : Task.CompletedTask;
        try
        {
            var import = await lifecycle.RunAsync(importId, progress, cancellationToken);
            logger.LogInformation("Import {ImportId} job ended with {Status}", importId, import.Status);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
            registry.Remove(importId);
        }
    }

    /// <summary>Writes the latest progress to the row about once a second, through a context of its own.</summary>
    private async Task WriteProgressAsync(int importId, LatestProgress progress, CancellationToken ct)
    {
        ImportProgress written = default;
        using var timer = new PeriodicTimer(ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var current = progress.Current;
                if (current == written)
                {
                    continue;
                }

                await using var scope = scopes.CreateAsyncScope();
                var progressDb = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
                await progressDb.Imports
                    .Where(i => i.Id == importId && i.Status == ImportStatus.InProgress)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(i => i.RowsChecked, current.Checked)
                        .SetProperty(i => i.RowsWritten, current.Written), ct);
                written = current;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogWarning(e, "Progress of import {ImportId} could not be written; the import goes on", importId);
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
