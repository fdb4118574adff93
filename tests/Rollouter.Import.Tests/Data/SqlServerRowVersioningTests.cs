using Microsoft.SqlServer.TransactSql.ScriptDom;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// READ_COMMITTED_SNAPSHOT on SQL Server (decision 0043), without a server: the statements parse as T-SQL and name the
/// database as it is called, and the start-up's warning says what happens and what to run. (The flag's query is
/// checked with every other SQL Server statement in SqlServerScriptTests.)
/// </summary>
public sealed class SqlServerRowVersioningTests
{
    [Theory]
    [InlineData("Rollouter")]
    [InlineData("Roll]outer test")]
    public void TurningItOn_ParsesAsOneAlterDatabase_OfThatDatabase(string database)
    {
        foreach (var sql in new[] { SqlServerRowVersioning.TurnOnSql(database), SqlServerRowVersioning.AdministratorCommand(database) })
        {
            var statement = Assert.IsType<AlterDatabaseSetStatement>(Assert.Single(Assert.Single(Parse(sql).Batches).Statements));

            Assert.Equal(database, statement.DatabaseName.Value);
            var option = Assert.IsType<OnOffDatabaseOption>(Assert.Single(statement.Options));
            Assert.Equal((DatabaseOptionKind.ReadCommittedSnapshot, OptionState.On), (option.OptionKind, option.OptionState));
        }

        // At creation it never waits for (or ends) another session; the administrator's command ends them, the app stopped.
        Assert.True(Alter(SqlServerRowVersioning.TurnOnSql(database)).Termination is { NoWait: true, ImmediateRollback: false });
        Assert.True(Alter(SqlServerRowVersioning.AdministratorCommand(database)).Termination is { ImmediateRollback: true });
    }

    [Fact]
    public void Warning_WhenOff_SaysWhatHappensAndTheCommandToRun_InOneLine()
    {
        var warning = SqlServerRowVersioning.Warning("Rollouter", on: false);

        Assert.NotNull(warning);
        Assert.DoesNotContain('\n', warning);
        Assert.Contains("client lists, searches and exports of its inventory wait for it to finish", warning, StringComparison.Ordinal);
        Assert.Contains("ALTER DATABASE [Rollouter] SET READ_COMMITTED_SNAPSHOT ON WITH ROLLBACK IMMEDIATE", warning, StringComparison.Ordinal);
        Assert.Contains("Stop the app", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Warning_WhenOn_IsNone() => Assert.Null(SqlServerRowVersioning.Warning("Rollouter", on: true));

    private static AlterDatabaseSetStatement Alter(string sql) => (AlterDatabaseSetStatement)Parse(sql).Batches[0].Statements[0];

    private static TSqlScript Parse(string sql)
    {
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.Message)) + "\n" + sql);
        return (TSqlScript)fragment;
    }
}
