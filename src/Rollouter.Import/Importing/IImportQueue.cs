namespace Rollouter.Import.Importing;

/// <summary>
/// Where an approved import waits for its run. The web app queues a Hangfire job that calls
/// <see cref="ImportLifecycle.RunAsync"/>; the benchmark and the tests run it themselves.
/// </summary>
public interface IImportQueue
{
    /// <summary>Queues the run of <paramref name="importId"/>; returns the job's id, if the queue has one.</summary>
    string? Enqueue(int importId);
}

/// <summary>A queue that keeps nothing: the caller runs the import itself (the benchmark, tests), or nobody does (as after a crash).</summary>
public sealed class NoImportQueue : IImportQueue
{
    public static readonly NoImportQueue Instance = new();

    public string? Enqueue(int importId) => null;
}
