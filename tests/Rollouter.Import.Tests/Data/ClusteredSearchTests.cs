using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// A broad search whose matches come together at the end of a sort (the start of many names, the newest clients of a
/// status): the walk must not read every client before them (issue 13: a list costs the same wherever its page is).
/// PostgreSQL, whose walk reads at most <see cref="ClientPages.WalkBound"/> clients and then asks the trigram index.
/// </summary>
public sealed class ClusteredSearchTests() : ClusteredClients(DatabaseProvider.PostgreSql)
{
    private const int WalkBound = 2_000;

    private static readonly ClientSort Assignee = ClientSort.Parse("assignee", []) ?? throw new InvalidOperationException();

    [Theory]
    [InlineData("name")]
    [InlineData("status")]
    [InlineData("assignee")]
    public async Task ASearchWhoseMatchesComeLast_ReadsAtMostTheWalkBound_ThenFindsTheRestThroughTheIndex(string key)
    {
        var statements = new List<(string Sql, (string Name, object? Value)[] Parameters)>();
        var page = await PageAsync(ClientSort.Parse(key, []) ?? ClientSort.Name, "zz-", statements);

        var expected = Enumerable.Range(Others + 1, 20).Select(i => $"zz-{i:D6}").ToList();
        var names = await NamesAsync(page.Rows.Select(r => r.Id));
        Assert.Equal(expected, names);
        Assert.True(page.HasNext);
        // What the page's statements read of the clients' table: the walk's 2,000, the look 2,000 ahead, the index's
        // 1,500 matches; not the 30,000 clients before them.
        var read = 0L;
        foreach (var (sql, parameters) in statements)
        {
            read += await RowsReadAsync(sql, parameters);
        }

        Assert.InRange(read, Matches, 3 * WalkBound + 2 * Matches);
    }

    [Fact]
    public async Task ByAssignee_AUserWithManyClientsBeforeTheMatches_IsWalkedBounded_ThenTheNextUsersFollow()
    {
        // Alice (first by name) holds the 30,000 clients without a match, Bob the 1,500 matches: the walk of Alice's
        // clients stops after 2,000, the index finds none of hers, and the page is Bob's first 20.
        await AssignAliceAndBobAsync();

        var statements = new List<(string Sql, (string Name, object? Value)[] Parameters)>();
        var page = await PageAsync(Assignee, "zz-", statements);
        var next = await PageAsync(Assignee, "zz-", [], ClientPosition.After(page.LastCursor ?? throw new InvalidOperationException()));

        Assert.Equal(Enumerable.Range(Others + 1, 20).Select(i => $"zz-{i:D6}"), await NamesAsync(page.Rows.Select(r => r.Id)));
        Assert.Equal(Enumerable.Range(Others + 21, 20).Select(i => $"zz-{i:D6}"), await NamesAsync(next.Rows.Select(r => r.Id)));
        var read = 0L;
        foreach (var (sql, parameters) in statements)
        {
            read += await RowsReadAsync(sql, parameters);
        }

        // Alice's walk and the look past it, the index's 1,500 matches (none hers), Bob's clients; not Alice's 30,000.
        Assert.InRange(read, Matches, 2 * (WalkBound + 1) + 2 * Matches);
    }

    [Fact]
    public async Task ASearchWhoseMatchesComeLast_AsksTheIndexForItsRarestWordOnly()
    {
        // "zz-0314": 100 clients after 31,400 names. Of its trigrams, those of "-0" ("  0", " 03") are in every name;
        // those of its rarest word, "0314", in a few hundred. A finer histogram of names, so that the statistics
        // reliably call "0314" rare (0.4 % of the names; with 100 bounds a sample could put it on two, 2 %).
        await using (var db = Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Clients" ALTER COLUMN "NameKey" SET STATISTICS 1000""");
            await db.Database.ExecuteSqlRawAsync("""ANALYZE "Clients" """);
        }

        SearchAnchor.Forget();
        var anchored = new List<(string Sql, (string Name, object? Value)[] Parameters)>();
        var plain = new List<(string Sql, (string Name, object? Value)[] Parameters)>();

        var page = await PageAsync(ClientSort.Name, "zz-0314", anchored, bound: 10);
        var unanchored = await PageAsync(ClientSort.Name, "zz-0314", plain, bound: 10, anchors: false);

        var expected = Enumerable.Range(31_400, 20).Select(i => $"zz-{i:D6}").ToList();
        Assert.Equal(expected, await NamesAsync(page.Rows.Select(r => r.Id)));
        Assert.Equal(expected, await NamesAsync(unanchored.Rows.Select(r => r.Id)));
        var pages = 0L;
        foreach (var (sql, parameters) in anchored)
        {
            pages += await SearchIndexPagesAsync(sql, parameters);
        }

        var pagesUnanchored = 0L;
        foreach (var (sql, parameters) in plain)
        {
            pagesUnanchored += await SearchIndexPagesAsync(sql, parameters);
        }

        // 20 pages of the index against 42 for the look that asks it for every trigram (the common ones grow with the
        // clients: 2,211 pages for "desk 512, floor" among a million, decision 0035).
        Assert.InRange(pages * 3 / 2, 1, pagesUnanchored);
    }

    [Fact]
    public async Task TheLinkSearchForNamesThatComeLast_ReadsAtMostTheWalkBound_AndFindsTheFirstByName_ButTheClientItself()
    {
        var statements = new List<(string Sql, (string Name, object? Value)[] Parameters)>();
        await using var db = Database.CreateContext();
        var itself = await db.Clients.Where(c => c.NameKey == $"zz-{Others + 2:D6}").Select(c => c.Id).SingleAsync();
        var pages = new ClientPages(db) { WalkBound = WalkBound, Statements = statements };

        var ids = await pages.NamedAsync(Inventory.RolloutId, "ZZ-", itself, 20, default);

        var expected = Enumerable.Range(Others + 1, 21).Where(i => i != Others + 2).Select(i => $"zz-{i:D6}").ToList();
        Assert.Equal(expected, await NamesAsync(ids));
        var read = 0L;
        foreach (var (sql, parameters) in statements)
        {
            read += await RowsReadAsync(sql, parameters);
        }

        Assert.InRange(read, Matches, 2 * (WalkBound + 1) + Matches);
    }

    [Fact]
    public async Task TheLinkSearchForATextRareInNames_AsksTheIndexAtOnce()
    {
        var statements = new List<(string Sql, (string Name, object? Value)[] Parameters)>();
        await using var db = Database.CreateContext();
        var pages = new ClientPages(db) { WalkBound = WalkBound, Statements = statements };

        var ids = await pages.NamedAsync(Inventory.RolloutId, $"zz-{Others + 5:D6}", 0, 20, default);

        Assert.Equal([$"zz-{Others + 5:D6}"], await NamesAsync(ids));
        // One statement, through the trigram index: not the walk of 2,000 names and the look ahead.
        var (sql, parameters) = Assert.Single(statements);
        Assert.InRange(await RowsReadAsync(sql, parameters), 1, 10);
    }

    private async Task<ClientListPage> PageAsync(ClientSort sort, string search, List<(string, (string, object?)[])> statements,
        ClientPosition? position = null, int bound = 100, bool anchors = true)
    {
        await using var db = Database.CreateContext();
        var pages = new ClientPages(db)
        {
            Bound = bound, WalkBound = WalkBound, Statements = statements, BroadSearches = new(), ManyUsers = new(), AnchorsWalks = anchors,
        };
        return await pages.LoadAsync(new ClientListRequest(Inventory.RolloutId, Inventory.Id, Others + Matches, StatusOrder, sort,
            false, search, position ?? ClientPosition.First, 20), default);
    }

    /// <summary>The rows the statement's scans of "Clients" read (returned and filtered out), from EXPLAIN ANALYZE.</summary>
    private Task<long> RowsReadAsync(string sql, (string Name, object? Value)[] parameters) =>
        SumOverPlanAsync(sql, parameters, node =>
        {
            if (!node.TryGetProperty("Relation Name", out var relation) || relation.GetString() != "Clients")
            {
                return 0;
            }

            double Number(string property) => node.TryGetProperty(property, out var v) ? v.GetDouble() : 0;
            return (long)((Number("Actual Rows") + Number("Rows Removed by Filter") + Number("Rows Removed by Index Recheck"))
                * Math.Max(1, Number("Actual Loops")));
        });

    /// <summary>The pages of the search's trigram index (IX_Clients_Search) the statement read, from EXPLAIN BUFFERS.</summary>
    private Task<long> SearchIndexPagesAsync(string sql, (string Name, object? Value)[] parameters) =>
        SumOverPlanAsync(sql, parameters, node =>
            node.TryGetProperty("Index Name", out var index) && index.GetString() == "IX_Clients_Search"
                ? node.GetProperty("Shared Hit Blocks").GetInt64() + node.GetProperty("Shared Read Blocks").GetInt64()
                : 0);

    /// <summary><paramref name="own"/> of every node of the statement's plan, added up.</summary>
    private async Task<long> SumOverPlanAsync(string sql, (string Name, object? Value)[] parameters, Func<JsonElement, long> own)
    {
        using var plan = await ExplainAsync(sql, parameters);
        return Sum(plan.RootElement[0].GetProperty("Plan"));

        long Sum(JsonElement node) =>
            own(node) + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(Sum) : 0);
    }

    private async Task<JsonDocument> ExplainAsync(string sql, (string Name, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return JsonDocument.Parse((string?)await command.ExecuteScalarAsync() ?? "[]");
    }
}
