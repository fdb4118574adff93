using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.TestData;
using Rollouter.Import.Web.Features.Clients;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// A client's page shows its history 500 entries at a time, newest first. With an index on the client alone, the
/// database read every entry of the client and sorted them for each page: a client changed by 75,000 imports took
/// about a second to open on PostgreSQL. The index on (client, time, id) hands out the page in its order: no sort, on
/// SQLite and PostgreSQL (SQL Server's migration makes the same index). Decision 0128.
/// </summary>
public abstract class ClientHistoryPlanTests(DatabaseProvider provider)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AClientsHistoryPage_IsReadInItsOrderFromTheIndex_WithoutASort(bool olderPage)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync();
        // PostgreSQL's settings end with this transaction (rolled back): the pooled connection keeps no session state.
        await using var transaction = provider == DatabaseProvider.PostgreSql ? await db.Database.BeginTransactionAsync() : null;
        if (provider == DatabaseProvider.PostgreSql)
        {
            // The table is empty, so the planner would rightly read it whole; with these off only an index can serve,
            // and the plan says which, and whether it still sorts.
            await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off");
        }

        var at = DateTimeOffset.UtcNow;
        var entries = db.ClientHistory.AsNoTracking().Where(h => h.ClientId == 7);
        if (olderPage)
        {
            entries = entries.Where(h => h.At < at || (h.At == at && h.Id < 12345));
        }

        await using var page = ClientDetails.HistoryPage(entries).CreateDbCommand();

        var plan = await PlanAsync(db.Database.GetDbConnection(), page);

        Assert.Contains("IX_ClientHistory_ClientId_At_Id", plan, StringComparison.Ordinal);
        Assert.DoesNotContain(provider == DatabaseProvider.PostgreSql ? "Sort" : "TEMP B-TREE", plan, StringComparison.OrdinalIgnoreCase);
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

public sealed class SqliteClientHistoryPlanTests() : ClientHistoryPlanTests(DatabaseProvider.Sqlite);

public sealed class PostgresClientHistoryPlanTests() : ClientHistoryPlanTests(DatabaseProvider.PostgreSql);
