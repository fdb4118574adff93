using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// In SQL Server's LIKE, <c>[</c> opens a character class: a search for "[1]" matched every name holding a "1". What the
/// client list and the link search send to SQL Server, read without a server: connections are never opened, and each
/// statement is recorded and then refused.
/// </summary>
public sealed class SqlServerSearchPatternTests
{
    [Theory]
    [InlineData(DatabaseProvider.SqlServer, @"%pc\[1]%")]
    [InlineData(DatabaseProvider.PostgreSql, "%pc[1]%")]
    [InlineData(DatabaseProvider.Sqlite, "%pc[1]%")]
    public void Pattern_EscapesAnOpeningBracket_OnSqlServerOnly(DatabaseProvider provider, string expected)
    {
        Assert.Equal(expected, ClientListSql.For(provider).Pattern("PC[1]"));
        // The others are escaped on every database, as before.
        Assert.Equal(@"%\%\_\\%", ClientListSql.For(provider).Pattern(@"%_\"));
    }

    [Fact]
    public async Task ClientListSearch_SendsTheEscapedPattern()
    {
        var recorder = new Recorder();
        await using var db = SqlServerContext(recorder);
        var pages = new ClientPages(db) { Statements = [] };

        await Assert.ThrowsAnyAsync<Exception>(() => pages.LoadAsync(new ClientListRequest(1, 2, 10, [], new ClientSort(ClientSortColumn.Name),
            false, "[1]", ClientPosition.First, 10), default));

        var (sql, parameters) = Assert.Single(pages.Statements, s => s.Parameters.Any(p => p.Name == "pattern"));
        Assert.Contains(@"LIKE @pattern ESCAPE '\'", sql, StringComparison.Ordinal);
        Assert.Equal(@"%\[1]%", parameters.Single(p => p.Name == "pattern").Value);
    }

    [Fact]
    public async Task LinkSearch_SendsTheEscapedPattern()
    {
        var recorder = new Recorder();
        await using var db = SqlServerContext(recorder);

        await Assert.ThrowsAnyAsync<Exception>(() => new ClientPages(db).NamedAsync(1, "[1]", 5, 10, default));

        var command = Assert.Single(recorder.Commands);
        Assert.Contains(@"LIKE @pattern ESCAPE N'\'", command.Sql, StringComparison.Ordinal);
        Assert.Equal(@"%\[1]%", command.Parameters["@pattern"]);
    }

    private static RolloutDbContext SqlServerContext(Recorder recorder)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(DatabaseProvider.SqlServer,
            "Server=127.0.0.1;Database=Rollouter;TrustServerCertificate=True;User Id=sa;Password=unused");
        options.AddInterceptors(recorder);
        return new RolloutDbContext(options.Options);
    }

    /// <summary>Opens no connection; records each command EF runs and refuses it.</summary>
    private sealed class Recorder : DbCommandInterceptor, IDbConnectionInterceptor
    {
        public List<(string Sql, Dictionary<string, object?> Parameters)> Commands { get; } = [];

        public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            InterceptionResult.Suppress();

        public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default) => ValueTask.FromResult(InterceptionResult.Suppress());

        public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            InterceptionResult.Suppress();

        public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData,
            InterceptionResult result) => ValueTask.FromResult(InterceptionResult.Suppress());

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            // The search's key reads the newest client id first (decision 0110): answered "none", so the page goes on to
            // the statement this test looks at.
            if (command.CommandText.Contains("MAX(", StringComparison.Ordinal))
            {
                var table = new System.Data.DataTable();
                table.Columns.Add("max", typeof(int));
                table.Rows.Add(DBNull.Value);
                return ValueTask.FromResult(InterceptionResult<DbDataReader>.SuppressWithResult(table.CreateDataReader()));
            }

            Commands.Add((command.CommandText,
                command.Parameters.Cast<DbParameter>().ToDictionary(p => p.ParameterName, p => (object?)p.Value)));
            throw new InvalidOperationException("No SQL Server here: the command was recorded.");
        }
    }
}
