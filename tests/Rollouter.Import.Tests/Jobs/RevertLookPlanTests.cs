using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.TestData;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Tests.Jobs;

/// <summary>
/// Every instance looks for reverts to resume every 5 s (<see cref="ImportRecovery.ResumeRevertsAsync"/>). It read the
/// Completed imports through the index on (status, id), every one of them each time (100,000 imports: a scan every
/// 5 s); it reads the filtered index of the Completed imports with a revert asked for, which holds nearly none. The
/// database's own plan of the statement the look runs, on SQLite and PostgreSQL (SQL Server's migration makes the same
/// filtered index).
/// </summary>
public abstract class RevertLookPlanTests(DatabaseProvider provider)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheLookForRevertsToResume_ReadsTheIndexOfRevertsAsked(bool startingUp)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync();
        // PostgreSQL's settings end with this transaction (rolled back): the pooled connection keeps no session state.
        await using var transaction = provider == DatabaseProvider.PostgreSql ? await db.Database.BeginTransactionAsync() : null;
        if (provider == DatabaseProvider.PostgreSql)
        {
            // The table is nearly empty, so the planner would rightly read it whole; with these off only an index can
            // serve, and the plan says which.
            await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off");
        }

        await using var look = ImportRecovery.RevertsToResume(db, startingUp, DateTimeOffset.UtcNow).CreateDbCommand();

        var plan = await PlanAsync(db.Database.GetDbConnection(), look);

        Assert.Contains("IX_Imports_RevertsAsked", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("IX_Imports_Status_Id", plan, StringComparison.Ordinal);
    }

    private async Task<string> PlanAsync(DbConnection connection, DbCommand statement)
    {
        await using var explain = connection.CreateCommand();
        explain.Transaction = statement.Transaction;
        explain.CommandText = (provider == DatabaseProvider.PostgreSql ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + statement.CommandText;
        foreach (DbParameter parameter in statement.Parameters)
        {
            var copy = explain.CreateParameter();
            copy.ParameterName = parameter.ParameterName;
            copy.Value = parameter.Value;
            copy.DbType = parameter.DbType;
            explain.Parameters.Add(copy);
        }

        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(provider == DatabaseProvider.PostgreSql ? 0 : 3));
        }

        return string.Join("\n", lines);
    }
}

public sealed class SqliteRevertLookPlanTests() : RevertLookPlanTests(DatabaseProvider.Sqlite);

public sealed class PostgresRevertLookPlanTests() : RevertLookPlanTests(DatabaseProvider.PostgreSql);
