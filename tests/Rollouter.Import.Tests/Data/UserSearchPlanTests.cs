using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.TestData;
using Rollouter.Import.Web.Features.Settings.Users;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// The users lists' search (Settings › Users, a rollout's members) finds a text anywhere in the name, email or user
/// ID, ignoring case. Without an index PostgreSQL folded and read every user for each search: 0.25–0.54 s at 50,000
/// users. The trigram index on the three folded columns (IX_AspNetUsers_Search, pg_trgm as the client search's) finds
/// the matching users without reading the others (decision 0130).
/// </summary>
public sealed class PostgresUserSearchPlanTests
{
    [Theory]
    [InlineData("schmidt")]
    [InlineData("S-0001")]
    [InlineData("person12@scale")]
    public async Task TheUsersSearch_ReadsTheTrigramIndex_NotEveryUser(string text)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync();
        // The settings end with this transaction (rolled back): the pooled connection keeps no session state.
        await using var transaction = await db.Database.BeginTransactionAsync();
        // The table is nearly empty, so the planner would rightly read it whole; with sequential scans off only an index
        // can serve, and the plan says whether one does.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off");

        await using var search = db.Users.AsNoTracking().Matching(text).Select(u => u.Id).CreateDbCommand();
        var plan = await PlanAsync(db.Database.GetDbConnection(), search);

        Assert.Contains("IX_AspNetUsers_Search", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
    }

    private static async Task<string> PlanAsync(DbConnection connection, DbCommand statement)
    {
        await using var explain = connection.CreateCommand();
        explain.Transaction = statement.Transaction;
        explain.CommandText = "EXPLAIN " + statement.CommandText;
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
            lines.Add(reader.GetString(0));
        }

        return statement.CommandText + "\n" + string.Join("\n", lines);
    }
}
