using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// How a run ends when something outside the file stops it: another run of the same import that ended it first, a
/// full disk. Injected on SQLite through a command interceptor on the run's own context.
/// </summary>
public sealed class RunOutcomeTests
{
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-run-outcome-tests");

    /// <summary>
    /// Seen in an upgrade: an instance of a version without the SQLite instance lock ran the import and completed it,
    /// while a new instance beside it ran it again. The second run's check found every name "already existing" (the
    /// first run's clients) and made the Completed import Failed, "no clients have been created", with all of its
    /// clients in the inventory and no way to revert them.
    /// </summary>
    [Fact]
    public async Task AnImportAnotherRunCompletedMeanwhile_StaysCompleted_WithoutThisRunsFailedRows()
    {
        await using var database = await RulesDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var rollout = await database.NewRolloutAsync();
        var first = await ApprovedAsync(database, rollout, "first.csv", "Name\nPC01\nPC02\n");
        await RunAsync(database, first, interceptor: null);
        var second = await ApprovedAsync(database, rollout, "second.csv", "Name\nPC01\nPC02\n");

        // As this run reads the rollout's names to check against, the other run commits: the import is Completed.
        var otherRun = new BeforeFirstCommand("FROM \"Clients\"", command =>
        {
            using var complete = command.Connection?.CreateCommand() ?? throw new InvalidOperationException("no connection");
            complete.Transaction = command.Transaction;
            complete.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"UPDATE \"Imports\" SET \"Status\" = 'Completed', \"RowsWritten\" = 2, \"ConcurrencyStamp\" = '{Guid.NewGuid().ToString("D").ToUpperInvariant()}' WHERE \"Id\" = {second}");
            complete.ExecuteNonQuery();
        });
        var import = await RunAsync(database, second, otherRun);

        Assert.True(otherRun.Done, "the run never read the rollout's clients: the other run was not injected");
        Assert.Equal(ImportStatus.Completed, import.Status);
        await using var check = database.Database.CreateContext();
        var stored = await check.Imports.SingleAsync(i => i.Id == second);
        Assert.Equal(ImportStatus.Completed, stored.Status);
        Assert.Null(stored.FailureMessage);
        Assert.Equal(0, await check.ImportRowErrors.CountAsync(e => e.ImportId == second));
    }

    /// <summary>
    /// A full disk under the database (SQLite's "database or disk is full", PostgreSQL's 53100) stopped a run with "An
    /// unexpected error stopped the import", which sends the user to retry, not to the administrator who can free room.
    /// </summary>
    [Fact]
    public async Task ARunStoppedByAFullDisk_FailsSayingTheDiskIsFull_NothingWritten()
    {
        await using var database = await RulesDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var rollout = await database.NewRolloutAsync();
        var id = await ApprovedAsync(database, rollout, "full.csv", "Name\nPC01\nPC02\n");

        var fullDisk = new BeforeFirstCommand("FROM \"Clients\"",
            _ => throw new SqliteException("SQLite Error 13: 'database or disk is full'.", 13));
        var import = await RunAsync(database, id, fullDisk);

        Assert.True(fullDisk.Done, "the run never read the rollout's clients: the full disk was not injected");
        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Contains("disk is full", import.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Ask your administrator", import.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", import.FailureMessage, StringComparison.OrdinalIgnoreCase);
        await using var check = database.Database.CreateContext();
        Assert.Equal(0, await check.Clients.CountAsync(c => c.RolloutId == rollout.Id));
    }

    private static async Task<int> ApprovedAsync(RulesDatabase database, Rules.TestRollout rollout, string fileName, string csv)
    {
        await using var db = database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, fileName,
            Encoding.UTF8.GetBytes(csv), database.Users["manager"]);
        (await imports.ApproveAsync(created.Import.Id, database.Users["manager"], default)).Expect();
        return created.Import.Id;
    }

    private static async Task<ClientImport> RunAsync(RulesDatabase database, int importId, IInterceptor? interceptor)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>(database.Database.Options);
        if (interceptor is not null)
        {
            options.AddInterceptors(interceptor);
        }

        await using var db = new RolloutDbContext(options.Options);
        return await TestImports.Lifecycle(db, Cache).RunAsync(importId, null, default);
    }

    /// <summary>Does <paramref name="act"/> once, before the first command whose text holds <paramref name="text"/>.</summary>
    private sealed class BeforeFirstCommand(string text, Action<DbCommand> act) : DbCommandInterceptor
    {
        public bool Done { get; private set; }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result)
        {
            Before(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
            CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Before(command);
            return ValueTask.FromResult(result);
        }

        private void Before(DbCommand command)
        {
            if (!Done && command.CommandText.Contains(text, StringComparison.Ordinal))
            {
                Done = true;
                act(command);
            }
        }
    }
}
