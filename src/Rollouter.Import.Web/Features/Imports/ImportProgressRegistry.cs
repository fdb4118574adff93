using System.Collections.Concurrent;
using Rollouter.Import.Importing;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The progress of the imports running in this process, in memory: on SQLite the running import's write transaction
/// holds the database lock, so the progress endpoint reads it from here rather than from the import's row.
/// </summary>
public sealed class ImportProgressRegistry
{
    private readonly ConcurrentDictionary<int, ImportProgress> _running = new();

    public void Report(int importId, ImportProgress progress) => _running[importId] = progress;

    public bool TryGet(int importId, out ImportProgress progress) => _running.TryGetValue(importId, out progress);

    public void Remove(int importId) => _running.TryRemove(importId, out _);
}
