using Hangfire;
using Rollouter.Import.Importing;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>Queues an approved import's run as a Hangfire job (<see cref="ImportJob"/>), shared by every instance.</summary>
public sealed class HangfireImportQueue(IBackgroundJobClient jobs) : IImportQueue
{
    public string? Enqueue(int importId) => jobs.Enqueue<ImportJob>(job => job.RunAsync(importId, CancellationToken.None));
}
