using System.Collections.Concurrent;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;

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

    private bool FromRow => provider != DatabaseProvider.Sqlite;

    public void Report(int importId, ImportProgress progress)
    {
        if (!FromRow)
        {
            _running[importId] = progress;
        }
    }

    public void Remove(int importId) => _running.TryRemove(importId, out _);

    /// <summary>The import's rows checked and written, of its rows.</summary>
    public ImportProgress Of(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return !FromRow && _running.TryGetValue(import.Id, out var live)
            ? live
            : new ImportProgress(import.RowsChecked, import.RowsWritten, import.RowCount ?? 0);
    }
}
