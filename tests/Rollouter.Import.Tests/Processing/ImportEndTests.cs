using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;
using TestRollout = Rollouter.Import.Tests.Rules.TestRollout;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// The import's end (Completed, its counts) commits with its clients, or neither commits. Before, the import was marked
/// Completed in statements after the clients' commit: a crash or a lost connection in between left every client written
/// and the import In Progress, run again at start-up and failed on every name ("no clients have been created or
/// changed"), and a Failed import cannot be reverted. The failure is injected deterministically as the next statement's
/// error: right after the write's commit, or on the statement that marks the import Completed.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class ImportEndTests(RulesDatabases databases)
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-import-end-tests");

    private const string Csv = "Name\nEND-1\nEND-2\nEND-3\n";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AConnectionLostRightAfterTheWriteCommitted_LeavesTheImportCompleted_WithItsClients(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var importId = await PrepareAsync(rollout, Csv);
        var fault = new Fault(afterCommit: true);

        var import = await RunAsync(rollout, importId, fault);

        Assert.True(fault.Thrown, "no statement came after the write's commit");
        Assert.Equal(ImportStatus.Completed, import.Status);
        await using var check = rollout.Database.Database.CreateContext();
        var stored = await check.Imports.SingleAsync(i => i.Id == importId);
        Assert.Equal((ImportStatus.Completed, 3, null), (stored.Status, stored.CreatedCount, stored.FailureMessage));
        Assert.NotNull(stored.FinishedAt);
        Assert.Equal(["END-1", "END-2", "END-3"], await ClientNamesAsync(check, rollout));
        Assert.Equal(3, await check.Inventories.Where(i => i.Id == rollout.Laptops).Select(i => i.ClientCount).SingleAsync());
        // Run again (a job's retry, a restart's recovery): nothing to do, nothing written twice.
        await using var again = rollout.Database.Database.CreateContext();
        Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(again, Cache).RunAsync(importId, null, default)).Status);
        Assert.Equal(3, (await ClientNamesAsync(check, rollout)).Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AnErrorMarkingTheImportCompleted_WritesNoClient_AndTheImportFails(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var importId = await PrepareAsync(rollout, Csv);
        // The job's heartbeat wrote the rows written so far before the write failed; a failed import wrote none.
        var fault = new Fault(afterCommit: false, beforeWrite: async () =>
        {
            await using var heartbeat = rollout.Database.Database.CreateContext();
            await heartbeat.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s.SetProperty(i => i.RowsWritten, 2));
        });

        var import = await RunAsync(rollout, importId, fault);

        Assert.True(fault.Thrown, "the import was never marked Completed");
        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Contains("nothing was written", import.FailureMessage);
        Assert.Equal(0, import.RowsWritten);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Empty(await ClientNamesAsync(check, rollout));
        Assert.Equal(0, await check.Inventories.Where(i => i.Id == rollout.Laptops).Select(i => i.ClientCount).SingleAsync());
    }

    private static Task<List<string>> ClientNamesAsync(RolloutDbContext db, TestRollout rollout) =>
        db.Clients.Where(c => c.RolloutId == rollout.Id).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync();

    /// <summary>Uploads <paramref name="csv"/> into Laptops, mapped automatically, and approves it (the test runs it).</summary>
    private static async Task<int> PrepareAsync(TestRollout rollout, string csv)
    {
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "end.csv",
            Encoding.UTF8.GetBytes(csv), manager);
        (await imports.ApproveAsync(created.Import.Id, manager, default)).Expect();
        return created.Import.Id;
    }

    private static async Task<ClientImport> RunAsync(TestRollout rollout, int importId, Fault fault)
    {
        var database = rollout.Database.Database;
        await using var db = new RolloutDbContext(new DbContextOptionsBuilder<RolloutDbContext>(database.Options)
            .AddInterceptors(fault).Options);
        return await TestImports.Lifecycle(db, Cache).RunAsync(importId, null, default);
    }

    /// <summary>
    /// Fails one statement, as a lost connection would: the first after the commit of the transaction that added the
    /// inventory's new clients to its count (<paramref name="afterCommit"/>), or else the first that marks an import
    /// Completed. <paramref name="beforeWrite"/> runs once, on its own connection, before the first statement that
    /// reads the inventory's custom fields (before the write's transaction).
    /// </summary>
    private sealed class Fault(bool afterCommit, Func<Task>? beforeWrite = null) : DbCommandInterceptor, IDbTransactionInterceptor
    {
        private Func<Task>? _beforeWrite = beforeWrite;
        private bool _countedClients;
        private bool _committed;

        public bool Thrown { get; private set; }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result) => Check(command, result);

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (_beforeWrite is { } run && command.CommandText.Contains("\"CustomFields\"", StringComparison.Ordinal))
            {
                _beforeWrite = null;
                await run();
            }

            return Check(command, result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result) => Check(command, result);

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Check(command, result));

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result) => Check(command, result);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Check(command, result));

        public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => _committed |= _countedClients;

        public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
            CancellationToken cancellationToken = default)
        {
            _committed |= _countedClients;
            return Task.CompletedTask;
        }

        private T Check<T>(DbCommand command, T result)
        {
            var sql = command.CommandText;
            _countedClients |= sql.Contains("\"ClientCount\" = ", StringComparison.Ordinal) && sql.StartsWith("UPDATE", StringComparison.Ordinal);
            var fail = !Thrown && (afterCommit
                ? _committed
                : sql.Contains("UPDATE \"Imports\"", StringComparison.Ordinal) && sql.Contains("\"FinishedAt\"", StringComparison.Ordinal)
                  && _countedClients);
            if (fail)
            {
                Thrown = true;
                throw new InvalidOperationException("The connection was lost (injected by the test).");
            }

            return result;
        }
    }
}
