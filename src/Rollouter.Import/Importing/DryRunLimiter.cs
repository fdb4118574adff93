using System.Collections.Concurrent;
using System.Globalization;

namespace Rollouter.Import.Importing;

/// <summary>
/// Bounds the work that reads an import's whole file without writing anything: the dry run (Check, a key account
/// manager's too) and the preview of a value replacement. At most one of them per import at a time, and at most
/// <see cref="MaxConcurrent"/> in the whole process; beyond, the request is refused at once as
/// <see cref="ProblemKind.Busy"/> (429 with Retry-After), never queued (docs/decisions/0099). Sixteen checks of a
/// 200,000-row import at once took 46 s each and 0.9 GB, and slowed every other user's pages to seconds. One instance
/// of the app counts its own; several instances each allow as many.
/// </summary>
public sealed class DryRunLimiter
{
    private readonly ConcurrentDictionary<int, string> _running = new();
    private readonly SemaphoreSlim _slots;

    public DryRunLimiter(int maxConcurrent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        MaxConcurrent = maxConcurrent;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
    }

    /// <summary>The default bound: the machine's processors (a dry run keeps one busy), at least 2.</summary>
    public static int DefaultMaxConcurrent => Math.Max(2, Environment.ProcessorCount);

    /// <summary>How many dry runs and previews the process runs at once.</summary>
    public int MaxConcurrent { get; }

    /// <summary>
    /// A slot for <paramref name="what"/> ("a check", "a preview of a replacement") of import <paramref name="importId"/>,
    /// to dispose of when done; or why not: one of this import already runs, or <see cref="MaxConcurrent"/> of any import do.
    /// </summary>
    public Result<IDisposable> TryEnter(int importId, string what)
    {
        if (!_running.TryAdd(importId, what))
        {
            var running = _running.TryGetValue(importId, out var other) ? other : what;
            return Problem.Busy(string.Create(CultureInfo.InvariantCulture,
                $"{char.ToUpperInvariant(running[0])}{running[1..]} of this import is already running; try again in a moment."));
        }

        if (!_slots.Wait(0))
        {
            _running.TryRemove(importId, out _);
            return Problem.Busy(string.Create(CultureInfo.InvariantCulture,
                $"The server is already checking {MaxConcurrent} imports, as many as it checks at once; try again in a moment."));
        }

        return Result<IDisposable>.Success(new Lease(this, importId));
    }

    private sealed class Lease(DryRunLimiter limiter, int importId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                limiter._running.TryRemove(importId, out _);
                limiter._slots.Release();
            }
        }
    }
}
