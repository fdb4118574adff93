using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// An inventory whose clients tie and lack values in every sort: ids out of name order, statuses with equal and no
/// clients, two users of the same name, empty and missing descriptions, two descriptions alike in their first 200
/// characters, custom field values missing or empty; and clients of another inventory of the same rollout.
/// </summary>
public class ClientPagesData(DatabaseProvider provider) : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public Inventory Inventory { get; private set; } = null!;

    public List<Client> Clients { get; } = [];

    public const int OtherInventorysClients = 5_000;

    public Dictionary<int, (int Position, int Id)> Statuses { get; } = [];

    public Dictionary<int, string> Users { get; } = [];

    public int Location { get; private set; }

    public int Software { get; private set; }

    /// <summary>An import (an id only: clients and history keep plain ids) that created some clients and changed others.</summary>
    public const int Import = 987_654;

    /// <summary>The clients <see cref="Import"/> created or changed.</summary>
    public HashSet<int> Imported { get; } = [];

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(provider);
        await using var db = Database.CreateContext();
        var workflow = new Workflow
        {
            Name = "Flow",
            // Positions not in id order, and one status no client has.
            Statuses =
            [
                new WorkflowStatus { Name = "Done", Position = 3 },
                new WorkflowStatus { Name = "New", Position = 0 },
                new WorkflowStatus { Name = "Unused", Position = 1 },
                new WorkflowStatus { Name = "Prepared", Position = 2 },
            ],
        };
        var location = TestSettings.Field("Location", CustomFieldType.Input);
        var software = TestSettings.Field("Software", CustomFieldType.MultiSelectionFree);
        User Person(string name, string code) => TestSettings.User(code, null, name, code, Role.Technician);
        User[] users = [Person("Bert", "U-B1"), Person("Anna", "U-A"), Person("Bert", "U-B2"), Person("Carl", "U-C")];
        var rollout = await new RolloutBuilder("Paging", "PAGE")
            .WithWorkflow(workflow)
            .WithInventory("Laptops", location, software)
            .WithInventory("Monitors")
            .WithUsers(users)
            .SaveAsync(db);
        Inventory = rollout.Inventories[0];
        var other = rollout.Inventories[1];
        Location = location.Id;
        Software = software.Id;
        foreach (var s in workflow.Statuses)
        {
            Statuses[s.Id] = (s.Position, s.Id);
        }

        foreach (var u in users)
        {
            Users[u.Id] = u.DisplayName;
        }

        var statusIds = workflow.Statuses.Where(s => s.Name != "Unused").Select(s => s.Id).ToArray();
        var longText = new string('x', 200);
        string?[] descriptions = ["same", null, "", "Übergabe alpha", "same", longText + "b", longText + "a", "Zulu \u212Aelvin", "same", null];
        string?[] locations = ["Berlin", null, "", "Äpfelhof", "Berlin", "Rome", null, "Athens", "Berlin", "rome"];
        int?[] people = [users[0].Id, users[1].Id, null, users[2].Id, users[0].Id, null, users[2].Id, users[1].Id];
        // Names in an order other than the ids': the 23 clients get ids in the order of this list.
        var numbers = Enumerable.Range(1, 23).OrderBy(i => (i * 7) % 23).ToList();
        foreach (var (number, i) in numbers.Select((n, i) => (n, i)))
        {
            var values = new Dictionary<int, string[]>();
            if (locations[i % locations.Length] is { } place)
            {
                values[location.Id] = [place];
            }

            if (i % 3 != 0)
            {
                values[software.Id] = i % 2 == 0 ? ["Word", "Excel"] : ["Excel"];
            }

            var client = new Client
            {
                RolloutId = rollout.RolloutId,
                InventoryId = Inventory.Id,
                Name = $"PC-{number:00}",
                StatusId = statusIds[i % statusIds.Length],
                AssigneeId = people[i % people.Length],
                ClientUserId = people[(i + 3) % people.Length],
                Description = descriptions[i % descriptions.Length],
                Values = values,
            };
            db.Clients.Add(client);
            await db.SaveChangesAsync();
            Clients.Add(client);
        }

        // Import created every third client and changed every fifth from the second on (one by a linked client's row too,
        // so two entries), and a client of the other inventory; another import changed one more.
        foreach (var (client, i) in Clients.Select((c, i) => (c, i)))
        {
            if (i % 3 == 0)
            {
                client.CreatedByImportId = Import;
                Imported.Add(client.Id);
            }

            if (i % 5 == 1)
            {
                var entries = i == 1 ? 2 : 1;
                for (var e = 0; e < entries; e++)
                {
                    db.ClientHistory.Add(new ClientHistoryEntry { ClientId = client.Id, ImportId = Import, Action = ClientHistoryAction.Changed });
                }

                Imported.Add(client.Id);
            }

            if (i == 2)
            {
                db.ClientHistory.Add(new ClientHistoryEntry { ClientId = client.Id, ImportId = Import + 1, Action = ClientHistoryAction.Changed });
            }
        }

        await db.SaveChangesAsync();

        // Many more clients the searches find in the other inventory than in this one.
        db.Clients.AddRange(Enumerable.Range(1, OtherInventorysClients).Select(i => new Client
        {
            RolloutId = rollout.RolloutId,
            InventoryId = other.Id,
            Name = $"MON-{i}",
            StatusId = statusIds[0],
            Description = "same",
            CreatedByImportId = i == 1 ? Import : null,
        }));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();

    /// <summary>The order the list promises, computed here: key, then id; clients without a key last.</summary>
    public List<int> Expected(ClientSort sort, bool descending, Func<Client, bool>? filter = null)
    {
        var clients = Clients.Where(filter ?? (_ => true));
        IOrderedEnumerable<Client> ordered = sort.Column switch
        {
            ClientSortColumn.Name => clients.OrderBy(c => c.NameKey, StringComparer.Ordinal),
            ClientSortColumn.Status => clients.OrderBy(c => Statuses[c.StatusId]),
            ClientSortColumn.Assignee => ByUser(clients, c => c.AssigneeId),
            ClientSortColumn.ClientUser => ByUser(clients, c => c.ClientUserId),
            ClientSortColumn.Description => ByText(clients, c => c.Description is null ? null : c.Description[..Math.Min(200, c.Description.Length)]),
            _ => ByText(clients, c => c.Values.TryGetValue(sort.FieldId, out var v) && v[0].Length > 0 ? v[0] : null),
        };
        var ids = ordered.ThenBy(c => c.Id).Select(c => c.Id).ToList();
        if (descending)
        {
            ids.Reverse();
        }

        return ids;
    }

    private IOrderedEnumerable<Client> ByUser(IEnumerable<Client> clients, Func<Client, int?> user) =>
        clients.OrderBy(c => user(c) is null).ThenBy(c => user(c) is { } id ? Users[id] : "", StringComparer.Ordinal)
            .ThenBy(c => user(c) ?? 0);

    // Fields and descriptions sort on their lower-cased key (decision 0029, amended 2026-12-05).
    private static IOrderedEnumerable<Client> ByText(IEnumerable<Client> clients, Func<Client, string?> key) =>
        clients.OrderBy(c => key(c) is null).ThenBy(c => key(c)?.ToLowerInvariant() ?? "", StringComparer.Ordinal);
}

public sealed class SqliteClientPagesData() : ClientPagesData(DatabaseProvider.Sqlite);

public sealed class PostgresClientPagesData() : ClientPagesData(DatabaseProvider.PostgreSql);

/// <summary>
/// The client list's keyset pages (ClientPages) on a real database: every sort, both directions, forward and back,
/// searched or not, hold each client once in the promised order; and each statement of a page reads an index.
/// </summary>
public abstract class ClientPagesTests(ClientPagesData data)
{
    private const int Size = 4;

    public static TheoryData<string, bool> Sorts()
    {
        var sorts = new TheoryData<string, bool>();
        foreach (var sort in new[] { "name", "status", "assignee", "clientuser", "description", "location", "software" })
        {
            sorts.Add(sort, false);
            sorts.Add(sort, true);
        }

        return sorts;
    }

    private protected ClientSort Sort(string key) => key switch
    {
        "location" => new ClientSort(ClientSortColumn.CustomField, data.Location),
        "software" => new ClientSort(ClientSortColumn.CustomField, data.Software),
        _ => ClientSort.Parse(key, [])!,
    };

    private protected async Task<ClientListPage> PageAsync(ClientSort sort, bool descending, ClientPosition position, string? search = null,
        int bound = ClientPages.SearchBound, List<(string, (string, object?)[])>? statements = null, int size = Size,
        int? clients = null, (int Looked, ManyUsersMemory Memory)? users = null, int walkBound = 10_000, int? import = null)
    {
        clients ??= data.Clients.Count;
        await using var db = data.Database.CreateContext();
        var statuses = data.Statuses.Values.OrderBy(s => s).Select(s => s.Id).ToList();
        var pages = users is var (looked, memory)
            ? new ClientPages(db) { Bound = bound, Statements = statements, UsersLooked = looked, ManyUsers = memory, WalkBound = walkBound }
            : new ClientPages(db) { Bound = bound, Statements = statements, WalkBound = walkBound };
        return await pages.LoadAsync(
            new ClientListRequest(data.Inventory.RolloutId, data.Inventory.Id, clients.Value, statuses, sort, descending, search, position, size,
                import),
            default);
    }

    /// <summary>Next from the first page to the last, then Previous from the last page back to the first.</summary>
    private async Task<(List<int> Forward, List<List<int>> Backward)> WalkAsync(ClientSort sort, bool descending, string? search = null,
        int bound = ClientPages.SearchBound, List<(string, (string, object?)[])>? statements = null,
        (int Looked, ManyUsersMemory Memory)? users = null, int walkBound = 10_000, int? import = null)
    {
        Task<ClientListPage> PageAsync(ClientSort sort, bool descending, ClientPosition position, string? search, int bound) =>
            this.PageAsync(sort, descending, position, search, bound, statements, users: users, walkBound: walkBound, import: import);

        var forward = new List<int>();
        var page = await PageAsync(sort, descending, ClientPosition.First, search, bound);
        Assert.False(page.HasPrevious);
        while (true)
        {
            forward.AddRange(page.Rows.Select(r => r.Id));
            if (!page.HasNext)
            {
                break;
            }

            Assert.Equal(Size, page.Rows.Count);
            page = await PageAsync(sort, descending, ClientPosition.After(page.LastCursor!), search, bound);
        }

        var backward = new List<List<int>>();
        page = await PageAsync(sort, descending, ClientPosition.Last, search, bound);
        Assert.False(page.HasNext);
        while (true)
        {
            backward.Add([.. page.Rows.Select(r => r.Id)]);
            if (!page.HasPrevious)
            {
                break;
            }

            page = await PageAsync(sort, descending, ClientPosition.Before(page.FirstCursor!), search, bound);
        }

        return (forward, backward);
    }

    private static void AssertBackward(List<int> expected, List<List<int>> backward)
    {
        // Each page is a run of the list; the last one reached is the first page, full; together they hold every client.
        foreach (var page in backward)
        {
            var start = expected.IndexOf(page[0]);
            Assert.Equal(expected.Skip(start).Take(page.Count), page);
        }

        Assert.Equal(expected.Take(Size), backward[^1]);
        Assert.Equal(expected.ToHashSet(), backward.SelectMany(p => p).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task EverySort_PagesForwardAndBack_HoldEachClientOnce_InOrder_WithTiesByIdAndEmptyValuesLast(string key, bool descending)
    {
        var sort = Sort(key);
        var expected = data.Expected(sort, descending);

        var (forward, backward) = await WalkAsync(sort, descending);

        Assert.Equal(expected, forward);
        AssertBackward(expected, backward);
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task EverySort_FilteredByAnImport_PagesTheClientsItCreatedOrChanged_Counted_AndWalkedWhenMany(string key, bool descending)
    {
        // Decision 0103: the clients the import created (CreatedByImportId) or changed (its history entries), not those
        // of another import nor the other inventory's; collected and counted when few, walked (filtered) when many.
        var sort = Sort(key);
        var expected = data.Expected(sort, descending, c => data.Imported.Contains(c.Id));
        Assert.InRange(expected.Count, Size + 1, 20);

        var (collected, collectedBack) = await WalkAsync(sort, descending, import: ClientPagesData.Import);
        var (walked, walkedBack) = await WalkAsync(sort, descending, bound: 2, import: ClientPagesData.Import);
        var counted = await PageAsync(sort, descending, ClientPosition.First, import: ClientPagesData.Import);
        var many = await PageAsync(sort, descending, ClientPosition.First, bound: 2, import: ClientPagesData.Import);
        var searched = await PageAsync(sort, descending, ClientPosition.First, search: "same", size: 100, import: ClientPagesData.Import);
        // Searched among more than the bound: the search's walk filtered by the import (PostgreSQL's walk read its
        // clients through a subquery that did not carry the import's column: a 500), and its seek past the walk bound.
        var (searchedWalked, searchedWalkedBack) = await WalkAsync(sort, descending, "same", bound: 2, import: ClientPagesData.Import);
        var (searchedSought, searchedSoughtBack) = await WalkAsync(sort, descending, "same", bound: 2, walkBound: 1,
            import: ClientPagesData.Import);

        Assert.Equal(expected, collected);
        AssertBackward(expected, collectedBack);
        Assert.Equal(expected, walked);
        AssertBackward(expected, walkedBack);
        Assert.Equal((expected.Count, false), (counted.Found, counted.FoundMore));
        Assert.Equal((2, true), (many.Found, many.FoundMore));
        Assert.Equal(data.Expected(sort, descending, c => data.Imported.Contains(c.Id) && c.Description == "same"),
            searched.Rows.Select(r => r.Id));
        var expectedSame = data.Expected(sort, descending, c => data.Imported.Contains(c.Id) && c.Description == "same");
        Assert.InRange(expectedSame.Count, 1, 20);
        Assert.Equal(expectedSame, searchedWalked);
        AssertBackward(expectedSame, searchedWalkedBack);
        Assert.Equal(expectedSame, searchedSought);
        AssertBackward(expectedSame, searchedSoughtBack);
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task EverySort_ASearchsNext_AfterAClientTheSearchNoLongerFinds_GoesOnFromWhereThatClientStands(string key, bool descending)
    {
        // A page's last client edited out of the search before Next: the clients the search finds that come after it
        // in the sort, never the earlier ones again. The cursor's key is a status or user id for those sorts, not what
        // they are ordered by (the workflow's order, the user's name).
        var sort = Sort(key);
        var all = new List<ClientListRow>();
        var page = await PageAsync(sort, descending, ClientPosition.First, size: 100);
        all.AddRange(page.Rows);
        var order = all.Select(r => r.Id).ToList();
        Assert.Equal(data.Expected(sort, descending), order);
        var same = data.Clients.Where(c => c.Description == "same").Select(c => c.Id).ToHashSet();

        foreach (var outside in all.Where(r => !same.Contains(r.Id)))
        {
            var next = await PageAsync(sort, descending, ClientPosition.After(new ClientCursor(outside.Key, outside.Id)), "same", size: 100);

            var expected = order.Skip(order.IndexOf(outside.Id) + 1).Where(same.Contains).ToList();
            Assert.True(expected.SequenceEqual(next.Rows.Select(r => r.Id)),
                $"after {data.Clients.Single(c => c.Id == outside.Id).Name}: expected [{string.Join(", ", expected)}], " +
                $"got [{string.Join(", ", next.Rows.Select(r => r.Id))}]");
        }
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task EverySort_AfterTheLastClient_IsAnEmptyPageWithoutNext(string key, bool descending)
    {
        var sort = Sort(key);
        var last = await PageAsync(sort, descending, ClientPosition.Last);

        var after = await PageAsync(sort, descending, ClientPosition.After(last.LastCursor!));

        Assert.Equal(data.Expected(sort, descending)[^1], last.Rows[^1].Id);
        Assert.Empty(after.Rows);
        Assert.False(after.HasNext);
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task EverySort_Searched_PagesThroughTheClientsFound_WhetherCountedOrWalked(string key, bool descending)
    {
        var sort = Sort(key);
        // In descriptions of the inventory (and of its neighbour, which do not count), ignoring case; and in names.
        var same = data.Expected(sort, descending, c => c.Description == "same");
        var pc1 = data.Expected(sort, descending, c => c.Name.StartsWith("PC-1", StringComparison.Ordinal));

        var (counted, countedBack) = await WalkAsync(sort, descending, "SAME");
        var (walked, walkedBack) = await WalkAsync(sort, descending, "SAME", bound: 2);
        var (names, namesBack) = await WalkAsync(sort, descending, "pc-1", bound: 3);
        // A walk that reads one client before it asks the search's index for the rest of the page (where it does).
        var (sought, soughtBack) = await WalkAsync(sort, descending, "SAME", bound: 2, walkBound: 1);
        var (soughtNames, soughtNamesBack) = await WalkAsync(sort, descending, "pc-1", bound: 3, walkBound: 2);

        // Every way of reading a search gives the same pages: all found clients counted, or more than the bound walked,
        // or walked in part and found by the index.
        Assert.Equal(same, counted);
        Assert.Equal(same, walked);
        Assert.Equal(pc1, names);
        Assert.Equal(same, sought);
        Assert.Equal(pc1, soughtNames);
        AssertBackward(same, countedBack);
        AssertBackward(same, walkedBack);
        AssertBackward(pc1, namesBack);
        AssertBackward(same, soughtBack);
        AssertBackward(pc1, soughtNamesBack);
    }

    [Theory]
    [InlineData("ÜBERGABE")]
    [InlineData("übergabe ALPHA")]
    [InlineData("ALPHA")]
    public async Task Search_IgnoresTheCaseOfEveryLetter_WhetherCountedOrWalked(string text)
    {
        // The walk checks each client's own name and description (SQLite: LIKE, which folds ASCII letters only, then
        // the FTS5 table for the others); it must find what the collection finds.
        var expected = data.Expected(ClientSort.Name, false, c => c.Description?.Contains(text, StringComparison.OrdinalIgnoreCase) == true);

        var (counted, _) = await WalkAsync(ClientSort.Name, false, text);
        var (walked, _) = await WalkAsync(ClientSort.Name, false, text, bound: 1);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, counted);
        Assert.Equal(expected, walked);
    }

    [Theory]
    [MemberData(nameof(IndexedSorts))]
    public async Task IndexedSorts_OfASearchThatFoundMany_WalkTheSortsIndex_WithoutSortingWhatItFound(string key, bool descending)
    {
        // Past the bound, each page walks the sort's index and checks each client; collecting every match again for
        // each page and sorting them cost SQLite 49 ms a page for a ninth of 200,000 clients.
        var sort = Sort(key);
        var statements = new List<(string, (string, object?)[])>();
        var first = await PageAsync(sort, descending, ClientPosition.First, "SAME", bound: 1, statements: statements, size: 2);
        await PageAsync(sort, descending, ClientPosition.After(first.LastCursor!), "SAME", bound: 1, statements: statements, size: 2);
        await PageAsync(sort, descending, ClientPosition.Last, "SAME", bound: 1, statements: statements, size: 2);

        var walks = statements.Where(s => !s.Item1.StartsWith(ClientPages.FoundComment, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(walks);
        foreach (var (sql, parameters) in walks)
        {
            var plan = await PlanAsync(sql, parameters);
            Assert.True(UsesIndexes(plan), $"{sql}\n{plan}");
        }
    }

    [Fact]
    public async Task ASearchThatFoundMany_IsRememberedForAMinute_UntilTheInventoryGainsOrLosesClients()
    {
        // The next page of "floor 3" among a million clients need not collect 5,001 matches again to say "1,000+".
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var memory = new BroadSearchMemory(time);
        await using var db = data.Database.CreateContext();
        var statuses = data.Statuses.Values.OrderBy(s => s).Select(s => s.Id).ToList();
        async Task<(ClientListPage Page, bool Collected)> SearchAsync(ClientPosition position, string text = "same", int? clients = null)
        {
            var statements = new List<(string, (string, object?)[])>();
            var page = await new ClientPages(db) { Bound = 2, BroadSearches = memory, Statements = statements }.LoadAsync(
                new ClientListRequest(data.Inventory.RolloutId, data.Inventory.Id, clients ?? data.Clients.Count, statuses,
                    ClientSort.Name, false, text, position, 2), default);
            return (page, statements.Any(s => s.Item1.StartsWith(ClientPages.FoundComment, StringComparison.Ordinal)));
        }

        var first = await SearchAsync(ClientPosition.First);
        var next = await SearchAsync(ClientPosition.After(first.Page.LastCursor!), "SAME");
        var fewer = await SearchAsync(ClientPosition.First, "Übergabe");
        var fewerAgain = await SearchAsync(ClientPosition.First, "Übergabe");
        var otherCount = await SearchAsync(ClientPosition.First, clients: data.Clients.Count + 1);
        time.Advance(BroadSearchMemory.Duration);
        var later = await SearchAsync(ClientPosition.First);

        var same = data.Expected(ClientSort.Name, false, c => c.Description == "same");
        Assert.Equal((true, (int?)2, true), (first.Collected, first.Page.Found, first.Page.FoundMore));
        Assert.Equal((false, (int?)2, true), (next.Collected, next.Page.Found, next.Page.FoundMore));
        Assert.Equal(same.Skip(2).Take(2), next.Page.Rows.Select(r => r.Id));
        // Searches that found no more than the bound are collected each time: they are cut from what they found.
        Assert.Equal((true, true, false), (fewer.Collected, fewerAgain.Collected, fewerAgain.Page.FoundMore));
        Assert.True(otherCount.Collected);
        Assert.True(later.Collected);
    }

    [Fact]
    public async Task Search_CountsUpToTheBound_ThenSaysMore()
    {
        var counted = await PageAsync(ClientSort.Name, false, ClientPosition.First, "same");
        var bounded = await PageAsync(ClientSort.Name, false, ClientPosition.First, "same", bound: 2);
        var none = await PageAsync(ClientSort.Name, false, ClientPosition.First, "%");

        Assert.Equal((data.Clients.Count(c => c.Description == "same"), false), (counted.Found, counted.FoundMore));
        Assert.Equal((2, true), (bounded.Found, bounded.FoundMore));
        Assert.Equal((0, false, 0), (none.Found, none.FoundMore, none.Rows.Count));
    }

    [Fact]
    public async Task FromAName_StartsAtTheFirstClientWithThatNameOrAfter()
    {
        var at = await PageAsync(ClientSort.Name, false, ClientPosition.FromName("pc-07"));
        var between = await PageAsync(ClientSort.Name, false, ClientPosition.FromName("PC-075"));
        var searched = await PageAsync(ClientSort.Name, false, ClientPosition.FromName("PC-0"), "same");

        Assert.Equal(["PC-07", "PC-08", "PC-09", "PC-10"], Names(at));
        Assert.Equal(["PC-08", "PC-09", "PC-10", "PC-11"], Names(between));
        Assert.True(at.HasPrevious && at.HasNext);
        Assert.Equal(data.Expected(ClientSort.Name, false, c => c.Description == "same").Take(Size), searched.Rows.Select(r => r.Id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(21)]
    public async Task Skip_GivesTheRowsAfterThatMany(int skip)
    {
        var page = await PageAsync(new ClientSort(ClientSortColumn.Status), true, ClientPosition.Skip(skip));

        Assert.Equal(data.Expected(new ClientSort(ClientSortColumn.Status), true).Skip(skip).Take(Size), page.Rows.Select(r => r.Id));
    }

    [Theory]
    [InlineData("assignee", false)]
    [InlineData("assignee", true)]
    [InlineData("clientuser", false)]
    [InlineData("clientuser", true)]
    public async Task UserSorts_WalkOnlyTheUsersOfTheInventorysClients_OrEveryUserWhenThereAreMany(string key, bool descending)
    {
        // Walking every user in name order read 5,000 client users, nobody's assignee, before the first technician
        // (12 ms a page among a million clients); with the inventory's few users found first the walk reads only them.
        var sort = Sort(key);
        var users = data.Clients.Select(c => key == "assignee" ? c.AssigneeId : c.ClientUserId).OfType<int>().Distinct().Order().ToList();
        var expected = data.Expected(sort, descending);
        var few = new List<(string, (string, object?)[])>();
        var many = new List<(string, (string, object?)[])>();
        var manyMemory = new ManyUsersMemory();

        var (fewForward, fewBackward) = await WalkAsync(sort, descending, statements: few, users: (users.Count, new ManyUsersMemory()));
        var (manyForward, manyBackward) = await WalkAsync(sort, descending, statements: many, users: (users.Count - 1, manyMemory));

        Assert.Equal(expected, fewForward);
        AssertBackward(expected, fewBackward);
        Assert.Equal(expected, manyForward);
        AssertBackward(expected, manyBackward);
        var among = $"+u.\"Id\" IN ({string.Join(", ", users)})";
        Assert.Contains(few, s => s.Item1.Contains(among, StringComparison.Ordinal));
        Assert.DoesNotContain(many, s => s.Item1.Contains("+u.\"Id\" IN (", StringComparison.Ordinal));
        // An inventory found to have more users than looked for is remembered: looked for once, not on every page.
        Assert.Single(many, s => s.Item1.StartsWith("WITH RECURSIVE", StringComparison.Ordinal));
    }

    public static TheoryData<string, bool> IndexedSorts()
    {
        var sorts = new TheoryData<string, bool>();
        foreach (var sort in new[] { "name", "status", "assignee", "clientuser" })
        {
            sorts.Add(sort, false);
            sorts.Add(sort, true);
        }

        return sorts;
    }

    [Theory]
    [InlineData("description")]
    [InlineData("location")]
    public async Task SortsWithoutAnIndex_OfAListTooLong_GiveTheNameSortAndSaySo(string key)
    {
        var sort = Sort(key);

        var refused = await PageAsync(sort, true, ClientPosition.Last, clients: ClientPages.SortBound + 1);
        var searched = await PageAsync(sort, true, ClientPosition.First, "same", clients: ClientPages.SortBound + 1);
        var walkedSearch = await PageAsync(sort, true, ClientPosition.First, "same", bound: 2, clients: ClientPages.SortBound + 1);
        var allowed = await PageAsync(sort, true, ClientPosition.First, clients: ClientPages.SortBound);

        Assert.Equal((sort, ClientSort.Name), (refused.SortRefused, refused.Sort));
        Assert.Equal(data.Expected(ClientSort.Name, false).Take(Size), refused.Rows.Select(r => r.Id));
        // A search that counted what it found sorts it whatever the inventory's size; one that found more does not.
        Assert.Equal((null, sort), (searched.SortRefused, searched.Sort));
        Assert.Equal(data.Expected(sort, true, c => c.Description == "same").Take(Size), searched.Rows.Select(r => r.Id));
        Assert.Equal(sort, walkedSearch.SortRefused);
        Assert.Equal((null, sort), (allowed.SortRefused, allowed.Sort));
    }

    [Theory]
    [MemberData(nameof(IndexedSorts))]
    public async Task IndexedSorts_ReadAnIndex_NeverTheWholeTable_NorSortTheClients(string key, bool descending)
    {
        var sort = Sort(key);
        var statements = new List<(string, (string, object?)[])>();
        var first = await PageAsync(sort, descending, ClientPosition.First, statements: statements, size: 3);
        var middle = await PageAsync(sort, descending, ClientPosition.After(first.LastCursor!), statements: statements, size: 8);
        await PageAsync(sort, descending, ClientPosition.After(middle.LastCursor!), statements: statements, size: 20);
        await PageAsync(sort, descending, ClientPosition.Last, statements: statements, size: 3);

        Assert.NotEmpty(statements);
        foreach (var (sql, parameters) in statements)
        {
            var plan = await PlanAsync(sql, parameters);
            Assert.True(UsesIndexes(plan), $"{sql}\n{plan}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NameSort_ReadsTheInventorysOwnNames_NotThoseOfTheRolloutsOtherInventories(bool descending)
    {
        // Walking the rollout's unique name index instead, the last page of a large inventory read past every name of
        // the rollout's other inventories that sorts after its own (130 ms at a million clients plus 200,000 others).
        var statements = new List<(string, (string, object?)[])>();
        var first = await PageAsync(ClientSort.Name, descending, ClientPosition.First, statements: statements, size: 3);
        await PageAsync(ClientSort.Name, descending, ClientPosition.After(first.LastCursor!), statements: statements, size: 3);
        await PageAsync(ClientSort.Name, descending, ClientPosition.Last, statements: statements, size: 3);

        Assert.NotEmpty(statements);
        foreach (var (sql, parameters) in statements)
        {
            var plan = await PlanAsync(sql, parameters);
            Assert.False(plan.Contains("IX_Clients_RolloutId_NameKey", StringComparison.Ordinal), $"{sql}\n{plan}");
        }
    }

    private string[] Names(ClientListPage page) =>
        [.. page.Rows.Select(r => data.Clients.Single(c => c.Id == r.Id).Name)];

    private protected async Task<string> PlanAsync(string sql, (string Name, object? Value)[] parameters,
        string postgresSettings = "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off")
    {
        await using var db = data.Database.CreateContext();
        await db.Database.OpenConnectionAsync();
        // PostgreSQL's settings end with this transaction (rolled back): the pooled connection keeps no session state.
        await using var transaction = data.Database.Provider == DatabaseProvider.PostgreSql
            ? await db.Database.BeginTransactionAsync()
            : null;
        var connection = db.Database.GetDbConnection();
        if (data.Database.Provider == DatabaseProvider.PostgreSql)
        {
            // Without these the planner reads a table of 28 rows whole, as it should; with them, only a missing index
            // leaves it no other way.
            await using var off = connection.CreateCommand();
            off.CommandText = postgresSettings;
            await off.ExecuteNonQueryAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = (data.Database.Provider == DatabaseProvider.PostgreSql ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(data.Database.Provider == DatabaseProvider.PostgreSql ? 0 : 3));
        }

        return string.Join("\n", lines);
    }

    protected abstract bool UsesIndexes(string plan);
}

public sealed class SqliteClientPagesTests(SqliteClientPagesData data) : ClientPagesTests(data), IClassFixture<SqliteClientPagesData>
{
    [Theory]
    [InlineData("name")]
    [InlineData("status")]
    [InlineData("assignee")]
    public async Task ASearchThatFoundMany_ChecksTheClientsItWalks_WithoutCollectingEveryMatchOfTheDatabase(string key)
    {
        // A page of a search past the bound walks the sort's index and checks each client it reads. It used to collect
        // every match of the FTS5 table for each statement: a ninth of 200,000 clients for "floor 3", 49 ms a page.
        // Counted in SQLite's virtual machine instructions: walking this inventory's 23 clients takes about as many as
        // the unsearched page's 600 more; collecting the other inventory's 5,000 matches took 45,000 to 111,000.
        await using var db = data.Database.CreateContext();
        await db.Database.OpenConnectionAsync();
        var steps = 0;
        SQLitePCL.raw.sqlite3_progress_handler(((SqliteConnection)db.Database.GetDbConnection()).Handle, 1, _ => { steps++; return 0; }, null);
        var statuses = data.Statuses.Values.OrderBy(s => s).Select(s => s.Id).ToList();
        var sort = ClientSort.Parse(key, [])!;

        Task<ClientListPage> PageAsync(string? search) => new ClientPages(db) { Bound = 1 }.LoadAsync(new ClientListRequest(
            data.Inventory.RolloutId, data.Inventory.Id, data.Clients.Count, statuses, sort, false, search, ClientPosition.First, 2), default);
        await PageAsync(null);
        var unsearched = steps;
        steps = 0;

        var page = await PageAsync("SAME");

        Assert.True(page.FoundMore);
        Assert.Equal(data.Expected(sort, false, c => c.Description == "same").Take(2), page.Rows.Select(r => r.Id));
        Assert.InRange(steps, unsearched, ClientPagesData.OtherInventorysClients);
    }

    [Fact]
    public async Task ASearchThatFoundMany_FindsWhatTheFts5TableFinds_EvenThroughTheLettersItFolds()
    {
        // FTS5 folds the Kelvin sign (U+212A) into k; LIKE does not: the walk asks the FTS5 table for such a client.
        var kelvin = data.Clients.Where(c => c.Description?.Contains('\u212A') == true).Select(c => c.Id).ToHashSet();
        await using var db = data.Database.CreateContext();
        var statuses = data.Statuses.Values.OrderBy(s => s).Select(s => s.Id).ToList();
        Task<ClientListPage> SearchAsync(int bound) => new ClientPages(db) { Bound = bound }.LoadAsync(new ClientListRequest(
            data.Inventory.RolloutId, data.Inventory.Id, data.Clients.Count, statuses, ClientSort.Name, false, "kelvin", ClientPosition.First, 50),
            default);

        var counted = await SearchAsync(ClientPages.SearchBound);
        var walked = await SearchAsync(1);

        Assert.NotEmpty(kelvin);
        Assert.Equal(kelvin, counted.Rows.Select(r => r.Id).ToHashSet());
        Assert.Equal(kelvin, walked.Rows.Select(r => r.Id).ToHashSet());
    }

    // "SCAN c" alone is a full scan of the clients; "USE TEMP B-TREE" a sort.
    protected override bool UsesIndexes(string plan) =>
        !plan.Split('\n').Any(line => line.Trim() == "SCAN c") && !plan.Contains("TEMP B-TREE", StringComparison.Ordinal);
}

public sealed class PostgresClientPagesTests(PostgresClientPagesData data) : ClientPagesTests(data), IClassFixture<PostgresClientPagesData>
{
    [Fact]
    public async Task OnAConnectionThatPreparesStatements_APagesStatementsArePlannedForTheirValues_AndEfsLookupsOnce()
    {
        // The application's connections prepare what they run often (PostgreSqlConnectionString), and PostgreSQL may
        // then plan a prepared statement once for any values. The list's walks and collections must never get such a
        // generic plan (decisions 0035, 0036); EF's small lookups should, as that saves their planning on each request.
        // A connection of its own: a pooled one keeps what the class's other tests prepared on it, and those can fill the
        // connection's prepared statements so that the lookup is pushed out.
        NpgsqlConnection.ClearAllPools();
        await using var db = data.Database.CreateContext();
        Assert.True(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).MaxAutoPrepare > 0);
        // One connection for every page and for the check: prepared statements belong to a connection.
        await db.Database.OpenConnectionAsync();
        var statuses = data.Statuses.Values.OrderBy(s => s).Select(s => s.Id).ToList();
        var clients = data.Clients.OrderBy(c => c.NameKey, StringComparer.Ordinal).ToList();
        for (var i = 0; i < 15; i++)
        {
            // Each time from another client: the walk's cursor is a parameter.
            var after = new ClientCursor(clients[i].NameKey, clients[i].Id);
            var page = await new ClientPages(db).LoadAsync(new ClientListRequest(data.Inventory.RolloutId, data.Inventory.Id,
                data.Clients.Count, statuses, ClientSort.Name, false, null, ClientPosition.After(after), 2), default);
            Assert.Equal(clients.Skip(i + 1).Take(2).Select(c => c.Id), page.Rows.Select(r => r.Id));
            Assert.NotNull(await db.Inventories.AsNoTracking().FirstOrDefaultAsync(v => v.Id == data.Inventory.Id));
        }

        var prepared = await db.Database.SqlQueryRaw<PreparedStatement>("""
            SELECT statement AS "Sql", cardinality(parameter_types) AS "Parameters", generic_plans AS "Generic",
                   custom_plans AS "Custom"
            FROM pg_prepared_statements
            """).ToListAsync();
        // The list's statements (written `"Clients" c`; EF writes `"Clients" AS c`) that take values: one without any
        // has only the plan of its own constants, which PostgreSQL counts as generic.
        var walks = prepared.Where(p => p.Parameters > 0 && Regex.IsMatch(p.Sql, @"FROM ""Clients"" c\s+WHERE")).ToList();
        Assert.NotEmpty(walks);
        Assert.All(walks, w => Assert.True(w.Generic == 0, w.Sql));
        Assert.Contains(walks, w => w.Custom >= 6);
        var lookup = Assert.Single(prepared, p => p.Sql.Contains("FROM \"Inventories\"", StringComparison.Ordinal));
        Assert.True(lookup.Generic > 0, $"{lookup.Generic} generic plans of {lookup.Sql}");
        // The setting ended with the page: the connection's later statements are planned as PostgreSQL chooses.
        Assert.Equal("auto", await db.Database.SqlQueryRaw<string>("SELECT current_setting('plan_cache_mode') AS \"Value\"").SingleAsync());
    }

    private sealed record PreparedStatement(string Sql, int Parameters, long Generic, long Custom);

    [Fact]
    public async Task APagesStatements_AreNeverCompiledByJit_HoweverDearThePlannerEstimatesThem()
    {
        // bench/pages-at-scale --walks (2026-12-07): a broad search filtered by an import, among a million clients, was
        // estimated above PostgreSQL's JIT thresholds and compiled on every request, 500-1,000 ms for 174 ms of work
        // (decision 0121). Here every statement is made dear enough (jit_above_cost = 0) and auto_explain reports each
        // plan to this connection: the page's walks carry no JIT, a statement after the page does (JIT is there to be seen).
        await using var db = data.Database.CreateContext();
        await db.Database.OpenConnectionAsync();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var plans = new List<string>();
        void Collect(object? sender, NpgsqlNoticeEventArgs e) => plans.Add(e.Notice.MessageText);
        connection.Notice += Collect;
        try
        {
            await db.Database.ExecuteSqlRawAsync(
                "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET client_min_messages = log; SET jit_above_cost = 0");
            var statuses = data.Statuses.Values.OrderBy(s => s).Select(s => s.Id).ToList();

            foreach (var sort in new[] { ClientSort.Name, new ClientSort(ClientSortColumn.Status), new ClientSort(ClientSortColumn.Assignee) })
            {
                var page = await new ClientPages(db) { Bound = 1 }.LoadAsync(new ClientListRequest(data.Inventory.RolloutId, data.Inventory.Id,
                    data.Clients.Count, statuses, sort, false, "same", ClientPosition.First, 2, ClientPagesData.Import), default);
                Assert.NotNull(page);
            }

            var pagePlans = plans.ToList();
            plans.Clear();
            await db.Database.ExecuteSqlRawAsync("SELECT count(*) FROM \"Clients\" WHERE \"InventoryId\" = {0}", data.Inventory.Id);

            // The walks, searches and looks the list writes itself (`"Clients" c`; EF writes `"Clients" AS c` for its
            // bounded lookups, such as the import's first 5,001 clients, sent before the setting and estimated small).
            var walks = pagePlans.Where(p => p.Contains("FROM \"Clients\" c", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(walks);
            Assert.All(walks, p => Assert.False(p.Contains("JIT:", StringComparison.Ordinal), p));
            Assert.Contains(plans, p => p.Contains("JIT:", StringComparison.Ordinal));
        }
        finally
        {
            connection.Notice -= Collect;
            await db.Database.ExecuteSqlRawAsync("RESET ALL");
            NpgsqlConnection.ClearPool(connection);
        }
    }

    [Fact]
    public async Task ASearch_AsksTheTrigramIndexForItsRarestWord_AndChecksTheWholeTextOnWhatItFinds()
    {
        // Every client's description has "floor" and every name "pc": asked for every trigram of "desk 512, floor", the
        // index read 2,211 pages among a million clients (37 ms); asked for "512" alone, a few (9 ms with the check).
        await using var db = data.Database.CreateContext();
        await db.Database.ExecuteSqlRawAsync("""ANALYZE "Clients" """);
        SearchAnchor.Forget();
        var statements = new List<(string, (string, object?)[])>();
        var statuses = data.Statuses.Values.OrderBy(s => s).Select(s => s.Id).ToList();

        var page = await new ClientPages(db) { Statements = statements }.LoadAsync(new ClientListRequest(data.Inventory.RolloutId,
            data.Inventory.Id, data.Clients.Count, statuses, ClientSort.Name, false, "ÜBERGABE alpha", ClientPosition.First, 50), default);

        var expected = data.Expected(ClientSort.Name, false, c => c.Description?.Contains("übergabe alpha", StringComparison.OrdinalIgnoreCase) == true);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, page.Rows.Select(r => r.Id));
        var (sql, parameters) = Assert.Single(statements, s => s.Item2.Any(p => p.Item1 == "descriptionAnchor"));
        Assert.Equal("%übergabe%", parameters.Single(p => p.Item1 == "descriptionAnchor").Item2);
        Assert.Equal("%übergabe%", parameters.Single(p => p.Item1 == "nameAnchor").Item2);
        // Planned without the inventory's condition (whose index a table this small prefers) and without reading the
        // table whole: what the trigram index is asked for is the word alone.
        var plan = await PlanAsync(sql.Replace($"c.\"InventoryId\" = {data.Inventory.Id}", "1 = 1", StringComparison.Ordinal),
            parameters, "SET LOCAL enable_seqscan = off");
        Assert.Contains("Index Cond: (\"Description\" ~~* '%übergabe%'::text)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Index Cond: (\"Description\" ~~* '%übergabe alpha%'::text)", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status", false, "IX_Clients_InventoryId_StatusId_Id")]
    [InlineData("status", true, "IX_Clients_InventoryId_StatusId_Id")]
    [InlineData("assignee", false, "IX_Clients_InventoryId_AssigneeId_Id")]
    [InlineData("assignee", true, "IX_Clients_InventoryId_AssigneeId_Id")]
    public async Task AWalkByStatusOrOfClientsWithoutAUser_CanTakeItsOrderFromItsOwnIndexAlone(string key, bool descending, string index)
    {
        // Ordered by id alone, the walk of one status could also take its order from the primary key, and PostgreSQL did
        // for a search that found many among a million clients: it read backwards through the 200,000 newer clients of
        // the other inventories before the first of this one (54 ms; 0.9 ms through the index on (inventory, status, id)).
        // Without its own index the walk must sort: no other index gives its order. The same for the clients without
        // an assignee.
        var statements = new List<(string, (string, object?)[])>();
        await PageAsync(Sort(key), descending, ClientPosition.First, "SAME", bound: 1, statements: statements, size: 2);
        await PageAsync(Sort(key), descending, ClientPosition.Last, "SAME", bound: 1, statements: statements, size: 2);
        var walks = statements.Where(s => s.Item1.Contains(key == "status" ? "BETWEEN" : "IS NULL", StringComparison.Ordinal)
                                          || (key == "status" && s.Item1.Contains("c.\"StatusId\" =", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(walks);

        await using var db = data.Database.CreateContext();
        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        // The index's name comes from the test's own data.
        var drop = "DROP INDEX \"" + index + "\"; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off";
        await db.Database.ExecuteSqlRawAsync(drop);
        foreach (var (sql, parameters) in walks)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = "EXPLAIN " + sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter(name, value));
            }

            var plan = string.Join("\n", await ReadLinesAsync(command));
            Assert.Contains("Sort", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("PK_Clients", plan, StringComparison.Ordinal);
        }

        await transaction.RollbackAsync();

        static async Task<List<string>> ReadLinesAsync(System.Data.Common.DbCommand command)
        {
            var lines = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }

            return lines;
        }
    }

    // A sequential scan or a sort of the clients; an incremental sort orders one user's page of clients only.
    protected override bool UsesIndexes(string plan) =>
        !plan.Contains("Seq Scan on \"Clients\"", StringComparison.Ordinal)
        && !plan.Split('\n').Any(line => line.TrimStart(' ', '-', '>').StartsWith("Sort  (", StringComparison.Ordinal));
}
