using Hangfire;
using Rollouter.Import.Importing;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// Queues an approved import's run (<see cref="ImportJob"/>) and a revert (<see cref="ImportRevertJob"/>) as Hangfire jobs,
/// shared by every instance.
/// </summary>
public sealed class HangfireImportQueue(IBackgroundJobClient jobs) : IImportQueue
{
    public string? Enqueue(int importId) => jobs.Enqueue<ImportJob>(job => job.RunAsync(importId, CancellationToken.None));

    public string? EnqueueRevert(int importId) =>
        jobs.Enqueue<ImportRevertJob>(job => job.RunAsync(importId, CancellationToken.None));
}
