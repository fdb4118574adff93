using Microsoft.Data.SqlClient;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Data;

/// <summary>SQL Server's locks, read without a server: what the statements do with sp_getapplock's answer, and the session's connection.</summary>
public sealed class SqlServerLockTests
{
    [Fact]
    public void RolloutWriteLock_FailsTheStatement_WhenSpGetAppLockRefuses()
    {
        // sp_getapplock says "not granted" (-3 deadlock victim, -999) only in its return value: ignored, the writer went on
        // without the lock.
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(SqlServerClientStore.LockRolloutSql), out var errors);
        Assert.Empty(errors);
        var statements = ((TSqlScript)fragment).Batches.SelectMany(b => b.Statements).ToList();

        var execute = Assert.Single(statements.OfType<ExecuteStatement>());
        var result = execute.ExecuteSpecification.Variable?.Name;
        Assert.NotNull(result);
        Assert.Equal("sp_getapplock",
            ((ExecutableProcedureReference)execute.ExecuteSpecification.ExecutableEntity).ProcedureReference.ProcedureReference.Name.BaseIdentifier.Value);
        var check = Assert.Single(statements.OfType<IfStatement>());
        Assert.True(statements.IndexOf(check) > statements.IndexOf(execute));
        var condition = Assert.IsType<BooleanComparisonExpression>(check.Predicate);
        Assert.Equal(BooleanComparisonType.LessThan, condition.ComparisonType);
        Assert.Equal(result, Assert.IsType<VariableReference>(condition.FirstExpression).Name);
        Assert.Equal("0", Assert.IsType<IntegerLiteral>(condition.SecondExpression).Value);
        Assert.IsType<ThrowStatement>(check.ThenStatement);
    }

    [Fact]
    public void InventoryCheck_HoldsNoLockToTheTransactionsEnd()
    {
        // WITH (HOLDLOCK) kept a shared lock on the inventory's row for the whole import: renaming the inventory waited
        // for it (30 s, then 500), and the count's update at the end could deadlock with the waiting rename.
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(SqlServerClientStore.LockInventorySql), out var errors);
        Assert.Empty(errors);
        var hints = new TableHints();
        fragment.Accept(hints);

        Assert.Empty(hints.Found);
        // What keeps the inventory there instead: the writer takes the rollout's write lock first, as its deletion does.
        Assert.Contains("sp_getapplock", SqlServerClientStore.LockRolloutSql, StringComparison.Ordinal);
    }

    private sealed class TableHints : TSqlFragmentVisitor
    {
        public List<TableHintKind> Found { get; } = [];

        public override void Visit(TableHint node) => Found.Add(node.HintKind);
    }

    [Fact]
    public void SessionLock_ConnectionIsNeitherPooledNorReconnected()
    {
        var builder = new SqlConnectionStringBuilder(DatabaseLock.SqlServerSessionConnectionString(
            "Server=127.0.0.1;Database=Rollouter;User Id=sa;Password=unused;ConnectRetryCount=3"));

        Assert.False(builder.Pooling);
        Assert.Equal(0, builder.ConnectRetryCount);
        Assert.Equal("Rollouter", builder.InitialCatalog);
    }
}
