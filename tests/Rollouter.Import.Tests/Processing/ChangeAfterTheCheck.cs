using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// Runs an import with a change made by someone else between its check and its write, deterministically: the race
/// tests' way of letting another import, a revert or a settings change land in that moment.
/// </summary>
internal static class ChangeAfterTheCheck
{
    /// <summary>
    /// Runs the import (<paramref name="run"/>, on the context given); <paramref name="change"/> is committed (on its own
    /// connection) once the run's check has read the rollout's clients, before the write's transaction begins.
    /// </summary>
    public static async Task<ClientImport> RunAsync(TestDatabase database, Func<RolloutDbContext, Task<ClientImport>> run,
        Func<RolloutDbContext, Task> change)
    {
        var hook = new AfterCheckLoaded(async () =>
        {
            await using var other = database.CreateContext();
            await change(other);
        });
        await using var db = new RolloutDbContext(new DbContextOptionsBuilder<RolloutDbContext>(database.Options)
            .AddInterceptors(hook).Options);
        var import = await run(db);
        Assert.True(hook.Changed, "the change was never made");
        return import;
    }

    /// <summary>
    /// Makes the change once, before the run reads the import's corrected cells: the checker has read everything by then
    /// (the rollout's clients among it), and the writer has not begun.
    /// </summary>
    private sealed class AfterCheckLoaded(Func<Task> change) : DbCommandInterceptor
    {
        public bool Changed { get; private set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
            CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (!Changed && command.CommandText.Contains("\"ImportCellCorrections\"", StringComparison.Ordinal))
            {
                Changed = true;
                await change();
            }

            return result;
        }
    }
}
