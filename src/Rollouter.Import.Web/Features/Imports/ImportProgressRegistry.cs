using System.Collections.Concurrent;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Reverting;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// Where the page and the API read a running import's progress. On PostgreSQL and SQL Server from the import's row,
/// which the running job updates every second: every instance shows the same figures, whichever runs the import. On
/// SQLite (one instance) the running import's write transaction keeps the job from updating the row, so its progress
/// is kept here, in memory.
/// </summary>
public sealed class ImportProgressRegistry(DatabaseProvider provider)
{
    private readonly ConcurrentDictionary<int, ImportProgress> _running = new();
    private readonly ConcurrentDictionary<int, RevertProgress> _reverting = new();

    private bool FromRow => provider != DatabaseProvider.Sqlite;

    public void Report(int importId, ImportProgress progress)
    {
        if (!FromRow)
        {
            _running[importId] = progress;
        }
    }

    public void Remove(int importId) => _running.TryRemove(importId, out _);

    /// <summary>
    /// A running revert's clients done, on every provider: the revert is short (seconds for 100,000 clients), so its
    /// figures stay in the process that runs it; another instance's page shows the revert without them.
    /// </summary>
    public void ReportRevert(int importId, RevertProgress progress) => _reverting[importId] = progress;

    public void RemoveRevert(int importId) => _reverting.TryRemove(importId, out _);

    public RevertProgress RevertOf(int importId) => _reverting.GetValueOrDefault(importId);

    /// <summary>The revert's clients done, when this process runs it; null when another runs it, or none does.</summary>
    public RevertProgress? RunningRevertOf(int importId) => _reverting.TryGetValue(importId, out var running) ? running : null;

    /// <summary>The import's rows checked, written and failed, of its rows.</summary>
    public ImportProgress Of(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return !FromRow && _running.TryGetValue(import.Id, out var live)
            ? live
            : new ImportProgress(import.RowsChecked, import.RowsWritten, import.RowCount ?? 0, import.FailedRowCount);
    }
}
