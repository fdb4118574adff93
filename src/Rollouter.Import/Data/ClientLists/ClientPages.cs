using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.ClientLists;

/// <summary>Where a page of the client list starts.</summary>
public abstract record ClientPosition
{
    public static readonly ClientPosition First = new FirstPage();
    public static readonly ClientPosition Last = new LastPage();

    /// <summary>The clients after the cursor's (Next).</summary>
    public static ClientPosition After(ClientCursor cursor) => new AfterCursor(cursor);

    /// <summary>The clients before the cursor's (Previous); the first page when fewer than a page are left.</summary>
    public static ClientPosition Before(ClientCursor cursor) => new BeforeCursor(cursor);

    /// <summary>In the name sort: from the first client whose name is the text or comes after it (before, descending).</summary>
    public static ClientPosition FromName(string name) => new FromText(name);

    /// <summary>The API's <c>page=</c>: the rows after the first <paramref name="rows"/>, at most <see cref="ClientPages.MaxOffset"/>.</summary>
    public static ClientPosition Skip(int rows) => new Offset(rows);

    internal sealed record FirstPage : ClientPosition;

    internal sealed record LastPage : ClientPosition;

    internal sealed record AfterCursor(ClientCursor Cursor) : ClientPosition;

    internal sealed record BeforeCursor(ClientCursor Cursor) : ClientPosition;

    internal sealed record FromText(string Name) : ClientPosition;

    internal sealed record Offset(int Rows) : ClientPosition;
}

/// <summary>
/// What the list shows: an inventory's clients in a sort, optionally those a search finds, and optionally only those
/// import <see cref="ImportId"/> created or changed (decision 0103).
/// </summary>
/// <param name="Clients">The inventory's client count (<see cref="Entities.Inventory.ClientCount"/>).</param>
/// <param name="StatusOrder">The inventory's workflow's status ids in the workflow's order (the status sort).</param>
public sealed record ClientListRequest(
    int RolloutId,
    int InventoryId,
    int Clients,
    IReadOnlyList<int> StatusOrder,
    ClientSort Sort,
    bool Descending,
    string? Search,
    ClientPosition Position,
    int Size,
    int? ImportId = null);

public sealed record ClientListRow(int Id, string? Key);

/// <summary>
/// One page: its clients' ids (and sort keys) in order, whether pages come before and after it, and for a search the
/// number of clients found: at most <see cref="ClientPages.SearchBound"/>, with <see cref="FoundMore"/> when it found
/// more ("1,000+"). <see cref="SortRefused"/>: the list was too long for the sort asked for (a description or custom
/// field sort of more than <see cref="ClientPages.SortBound"/> clients), so the page is the name sort's first.
/// </summary>
public sealed record ClientListPage(ClientSort Sort, bool Descending, IReadOnlyList<ClientListRow> Rows, bool HasPrevious, bool HasNext,
    int? Found, bool FoundMore, ClientSort? SortRefused = null)
{
    /// <summary>Where the first row's key stood when the page was read (<see cref="ClientCursor.Place"/>).</summary>
    public string? FirstPlace { get; init; }

    /// <summary>Where the last row's key stood when the page was read (<see cref="ClientCursor.Place"/>).</summary>
    public string? LastPlace { get; init; }

    public ClientCursor? FirstCursor => Rows.Count == 0 ? null : new ClientCursor(Rows[0].Key, Rows[0].Id, FirstPlace);

    public ClientCursor? LastCursor => Rows.Count == 0 ? null : new ClientCursor(Rows[^1].Key, Rows[^1].Id, LastPlace);
}

/// <summary>
/// The client list's pages by keyset: a page starts after the sort key and id of the last client of the page before,
/// and each sort reads an index from there (see docs/performance.md, "Lists"), so page 20,000 costs what page 1 costs.
/// <list type="bullet">
/// <item>name: the unique index on (rollout, name key);</item>
/// <item>status: the workflow's statuses in order, each one's clients from the index on (inventory, status, id);</item>
/// <item>assignee, client user: users by (name, id), each one's clients from the index on (inventory, user, id), in one
/// statement (a lateral join on PostgreSQL, CROSS APPLY on SQL Server, a CROSS JOIN loop on SQLite);</item>
/// <item>description and custom fields (a field's first value): no index (each would cost an import as much as the
/// rest of the row): the database orders the inventory's clients for each page, which this allows only for lists of up
/// to <see cref="SortBound"/> clients: an inventory that small, or a search that collected what it found (up to
/// 5,000).</item>
/// </list>
/// Clients without a value come after the others (before them, descending). A search first collects up to 5,001
/// matching clients (through the trigram index on PostgreSQL) and shows their number up to <see cref="SearchBound"/>:
/// when it finds no more than 5,000, the page is cut from those, ordered by the database; otherwise matches are frequent
/// enough (over 0.5 % of a million) that the sort's walk, filtered by the search, fills a page soon when they are
/// spread. When they come together further on (the start of many names), the walk stops after <see cref="WalkBound"/>
/// clients on PostgreSQL and the trigram index finds the page's matches (decision 0039).
/// </summary>
public sealed class ClientPages(RolloutDbContext db)
{
    /// <summary>A search counts its clients up to this many; beyond, the list says "1,000+".</summary>
    public const int SearchBound = 1_000;

    /// <summary>
    /// The most clients a search collects and sorts itself (so by any column, in an inventory of any size); beyond, the
    /// sort's walk pages it.
    /// </summary>
    public const int SortedSearchBound = 5_000;

    /// <summary>The most clients a list sorted by description or a custom field may hold (read whole for each page).</summary>
    public const int SortBound = 50_000;

    /// <summary>The most rows the API's <c>page=</c> may skip.</summary>
    public const int MaxOffset = 10_000;

    private readonly ClientListSql _sql = ClientListSql.For(db.Provider);

    /// <summary>
    /// How many clients a search collects before it walks the sort's index instead: more than it shows counted, since
    /// a sort's walk filtered by a search that finds 0.1 % of a million clients reads 50,000 of them for a page, where
    /// ordering 5,000 collected ones costs a few milliseconds. Tests lower it to reach the walk with a few clients.
    /// </summary>
    internal int Bound { get; init; } = SortedSearchBound;

    /// <summary>
    /// How many clients a broad search's walk (by name, by status, of the clients without a user) reads on PostgreSQL
    /// before it asks the trigram index instead (<see cref="ClientListSql.Seeks"/>): the walk assumes the matches are
    /// spread, but a text that is the start of many names finds them all together, and the walk from the first name
    /// read 900,000 clients before the first of "pc-09" (528 ms a page among a million clients). Reading 10,000 is a
    /// few milliseconds; the index then finds the page's matches in 13–35 ms. Tests lower it.
    /// </summary>
    internal int WalkBound { get; init; } = 10_000;

    /// <summary>
    /// SQLite: the most matches in names the search for a client to link sorts (<see cref="NamedAsync"/>); with more,
    /// its walk goes on. Each costs about three names walked (docs/performance.md).
    /// </summary>
    internal int LinkSeekBound { get; init; } = 20_000;

    /// <summary>
    /// Searches that found more than <see cref="Bound"/> clients, remembered for <see cref="BroadSearchMemory"/>: the
    /// next pages of such a search (or the same search again) walk the sort at once instead of collecting 5,001
    /// matches again only to show "1,000+" (44 ms of PostgreSQL's CPU for "floor 3" among a million clients). Keyed by
    /// the database, the inventory, its client count, the database's newest client id (so an import, a delete or a
    /// revert forgets them, also a revert and an import of as many clients: decision 0110) and the text.
    /// The pages themselves are always read afresh: what an edit within the minute can leave behind is "1,000+" where
    /// the search now finds 1,000 or fewer.
    /// </summary>
    internal BroadSearchMemory BroadSearches { get; init; } = SharedBroadSearches;

    private static readonly BroadSearchMemory SharedBroadSearches = new();

    /// <summary>
    /// How many distinct users a sort by assignee or client user looks for first (<see cref="ClientListSql.UsersOf"/>):
    /// with no more than these, the walk of users in name order reads only them. Walking every user in name order
    /// and asking each for its clients read the 5,000 client users, nobody's assignee, before the first technician
    /// (12 ms for a page by assignee descending among a million clients, 0.9 ms with the 20 assignees found first).
    /// An inventory found to have more is remembered for <see cref="ManyUsersMemory"/> and walked as before.
    /// </summary>
    internal int UsersLooked { get; init; } = 100;

    /// <summary>Whether a walk's look through the trigram index asks it for the text's rarest word (tests turn it off).</summary>
    internal bool AnchorsWalks { get; init; } = true;

    internal ManyUsersMemory ManyUsers { get; init; } = SharedManyUsers;

    private static readonly ManyUsersMemory SharedManyUsers = new();

    /// <summary>The comment that starts the statement collecting a search's clients (in the statistics of statements too).</summary>
    internal const string FoundComment = "/* the clients a search found */";

    /// <summary>When set, every statement run with its parameters (tests explain them).</summary>
    internal List<(string Sql, (string Name, object? Value)[] Parameters)>? Statements { get; init; }

    public async Task<ClientListPage> LoadAsync(ClientListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var search = NameSearch.Clean(request.Search);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var plans = await PlansForTheirValuesAsync(cancellationToken);
            int? found = null;
            var foundMore = false;
            // The clients found in the sort's order, when they are few enough to be paged in memory.
            List<ClientListRow>? counted = null;
            SearchAnchors? foundAnchor = null;
            var imported = request.ImportId is { } importId ? await ImportedAsync(request, importId, search, cancellationToken) : null;
            if (imported is not null)
            {
                // The import's clients, counted as a search's: up to SearchBound, "1,000+" beyond.
                var shown = Math.Min(Bound, SearchBound);
                (found, foundMore) = imported.Count > Bound ? (shown, true) : (Math.Min(imported.Count, shown), imported.Count > shown);
                counted = imported.Count > Bound ? null : imported;
            }
            else if (search is not null)
            {
                var shown = Math.Min(Bound, SearchBound);
                // The newest client's id of the database: ids are never given twice (identity, AUTOINCREMENT), so any
                // client added anywhere raises it, and with the count unchanged nothing was removed either (decision 0110).
                // One read of the primary key's last entry.
                var newest = await db.Clients.MaxAsync(c => (int?)c.Id, cancellationToken) ?? 0;
                var broad = new BroadSearch(db.Database.GetConnectionString() ?? "", request.InventoryId, request.Clients, newest, Bound,
                    search.ToLowerInvariant());
                if (BroadSearches.Remember(broad))
                {
                    (found, foundMore) = (shown, true);
                }
                else
                {
                    (var ordered, foundAnchor) = await FoundAsync(request, search, cancellationToken);
                    (found, foundMore) = (Math.Min(ordered.Count, shown), ordered.Count > shown);
                    if (ordered.Count > Bound)
                    {
                        BroadSearches.Add(broad);
                    }
                    else
                    {
                        counted = ordered;
                    }
                }
            }

            ClientSort? refused = null;
            if (request.Sort.IsBounded && counted is null && request.Clients > SortBound)
            {
                refused = request.Sort;
                request = request with { Sort = ClientSort.Name, Descending = false, Position = ClientPosition.First };
            }

            // A walk's look through the index asks it for the text's rarest word, as the collection does: "PC-012"'s
            // trigrams that every name has made each first page's look cost PostgreSQL 40-60 ms.
            var anchor = counted is null && search is not null && _sql.Anchors && AnchorsWalks
                ? await SearchAnchor.ChooseAsync(db.Database.GetDbConnection(), search, cancellationToken)
                : null;
            IRows rows = counted is not null && imported is not null
                ? new Found(counted, (_, _) => Task.FromResult<int?>(null), (_, _) => Task.FromResult(false))
                : counted is not null && search is not null
                ? new Found(counted, (cursor, token) => FoundBeforeAsync(request, search, foundAnchor, counted, cursor, token),
                    (cursor, token) => RenamedAsync(request, cursor, token))
                : new Walk(this, request, search, anchor, request.ImportId is { } only ? ImportCondition(only) : null);
            var page = await PlacedAsync(request, await PageAsync(request, rows, found, foundMore, cancellationToken) with { SortRefused = refused },
                cancellationToken);
            if (plans is not null)
            {
                await plans.CommitAsync(cancellationToken);
            }

            return page;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The page with the places of its first and last keys (decision 0108): the status order's fingerprint for the
    /// status sort; for the user sorts the display names of the first and last rows' users as they are now, one lookup
    /// by key (the walk ordered them by these names a moment ago), so that the next page goes on after the name the
    /// reader saw even if the user is renamed in between.
    /// </summary>
    private async Task<ClientListPage> PlacedAsync(ClientListRequest request, ClientListPage page, CancellationToken cancellationToken)
    {
        if (page.Rows.Count == 0)
        {
            return page;
        }

        switch (request.Sort.Column)
        {
            case ClientSortColumn.Status:
            {
                var place = ClientCursor.StatusOrderPlace(request.StatusOrder);
                return page with { FirstPlace = place, LastPlace = place };
            }

            case ClientSortColumn.Assignee or ClientSortColumn.ClientUser:
            {
                static int? User(ClientListRow row) =>
                    int.TryParse(row.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
                var (first, last) = (User(page.Rows[0]), User(page.Rows[^1]));
                int[] ids = [.. new[] { first, last }.OfType<int>().Distinct()];
                if (ids.Length == 0)
                {
                    return page;
                }

                var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName })
                    .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
                return page with
                {
                    FirstPlace = first is { } f ? names.GetValueOrDefault(f) : null,
                    LastPlace = last is { } l ? names.GetValueOrDefault(l) : null,
                };
            }

            default:
                return page;
        }
    }

    private static async Task<ClientListPage> PageAsync(ClientListRequest request, IRows rows, int? found, bool foundMore,
        CancellationToken cancellationToken)
    {
        var size = request.Size;
        var descending = request.Descending;
        ClientListPage Page(List<ClientListRow> list, bool previous, bool next) =>
            new(request.Sort, descending, list, previous, next, found, foundMore);

        switch (request.Position)
        {
            case ClientPosition.AfterCursor(var cursor):
            {
                var list = await rows.FetchAsync(cursor, descending, size + 1, cancellationToken);
                return Page(Trim(list, size), true, list.Count > size);
            }

            case ClientPosition.BeforeCursor(var cursor):
            {
                var list = await rows.FetchAsync(cursor, !descending, size + 1, cancellationToken);
                if (list.Count <= size)
                {
                    // Fewer than a page before it: the first page, full and as the First link shows it.
                    goto default;
                }

                list = Trim(list, size);
                list.Reverse();
                return Page(list, true, true);
            }

            case ClientPosition.LastPage:
            {
                var list = await rows.FetchAsync(null, !descending, size + 1, cancellationToken);
                var previous = list.Count > size;
                list = Trim(list, size);
                list.Reverse();
                return Page(list, previous, false);
            }

            case ClientPosition.FromText(var name):
            {
                // At the name itself: the rows with this key from the lowest id on (or down from the highest).
                var at = new ClientCursor(Client.KeyOf(name), descending ? int.MaxValue : 0);
                var list = await rows.FetchAsync(at, descending, size + 1, cancellationToken);
                // Previous only when a client comes before the first one shown (a jump to the very first name has none).
                var previous = list.Count == 0
                    || (await rows.FetchAsync(new ClientCursor(list[0].Key, list[0].Id), !descending, 1, cancellationToken)).Count > 0;
                return Page(Trim(list, size), previous, list.Count > size);
            }

            case ClientPosition.Offset(var skip) when skip > 0:
            {
                skip = Math.Min(skip, MaxOffset);
                var list = await rows.FetchAsync(null, descending, skip + size + 1, cancellationToken);
                var next = list.Count > skip + size;
                return Page([.. list.Skip(skip).Take(size)], true, next);
            }

            default:
            {
                var list = await rows.FetchAsync(null, descending, size + 1, cancellationToken);
                return Page(Trim(list, size), false, list.Count > size);
            }
        }
    }

    /// <summary>
    /// The condition on the client <c>c</c> that import <paramref name="importId"/> created it or changed it (a history
    /// entry of the import's: its change, the note of its corrected cells, its revert).
    /// </summary>
    internal static string ImportCondition(int importId) =>
        $"(c.\"CreatedByImportId\" = {ClientListSql.Number(importId)} OR EXISTS (SELECT 1 FROM \"ClientHistory\" h " +
        $"WHERE h.\"ClientId\" = c.\"Id\" AND h.\"ImportId\" = {ClientListSql.Number(importId)}))";

    /// <summary>
    /// The clients of the inventory import <paramref name="importId"/> created or changed (and the search finds), in the
    /// sort's order, when the import touched no more than <see cref="Bound"/> clients; otherwise a list of
    /// <see cref="Bound"/> + 1 rows that only says "more" (the sort's walk, filtered by <see cref="ImportCondition"/>,
    /// pages them). The clients are found through the index on the creating import and the history's on its import:
    /// each read is bounded, so an import of a million clients costs what one of 5,001 does.
    /// </summary>
    private async Task<List<ClientListRow>> ImportedAsync(ClientListRequest request, int importId, string? search,
        CancellationToken cancellationToken)
    {
        var created = await db.Clients.AsNoTracking()
            .Where(c => c.CreatedByImportId == importId && c.InventoryId == request.InventoryId)
            .Select(c => c.Id).Take(Bound + 1).ToListAsync(cancellationToken);
        // A client has a few entries of one import at most (its row, a linked client's row, its corrected cells, a revert).
        var entriesRead = (Bound + 1) * 4;
        var changed = await db.ClientHistory.AsNoTracking().Where(h => h.ImportId == importId)
            .Select(h => h.ClientId).Take(entriesRead).ToListAsync(cancellationToken);
        var ids = new HashSet<int>(created);
        ids.UnionWith(changed);
        if (created.Count > Bound || changed.Count >= entriesRead || ids.Count > Bound)
        {
            return [.. Enumerable.Repeat(new ClientListRow(0, null), Bound + 1)];
        }

        if (ids.Count == 0)
        {
            return [];
        }

        var (_, key, join, order) = FoundParts(_sql, request.Sort);
        var searched = search is null ? "" : $" AND {_sql.SearchEach(search)}";
        return await ReadAsync($"""
            SELECT c."Id", {key} FROM "Clients" c {join}
            WHERE c."InventoryId" = {ClientListSql.Number(request.InventoryId)}
              AND c."Id" IN ({string.Join(", ", ids.Order().Select(ClientListSql.Number))}){searched}
            ORDER BY {order}
            """, cancellationToken,
            search is null ? [] : [("pattern", _sql.Pattern(search)), .. _sql.SearchEachParameters(search)]);
    }

    private static List<ClientListRow> Trim(List<ClientListRow> list, int size) =>
        list.Count > size ? list[..size] : list;

    /// <summary>
    /// Up to <see cref="Bound"/> + 1 clients of the inventory the search finds, in the sort's order: one statement
    /// collects them (the trigram index on PostgreSQL, FTS5 on SQLite, asked for the text's rarest word where the
    /// provider can say it) and orders them, without sending their ids back and forth.
    /// </summary>
    private async Task<(List<ClientListRow> Ordered, SearchAnchors? Anchor)> FoundAsync(ClientListRequest request, string search,
        CancellationToken cancellationToken)
    {
        var anchor = _sql.Anchors
            ? await SearchAnchor.ChooseAsync(db.Database.GetDbConnection(), search, cancellationToken)
            : null;
        return (await ReadAsync(FoundSql(_sql, request.InventoryId, request.Sort, search, Bound + 1, anchor is not null), cancellationToken,
            [.. FoundParameters(search, anchor)]), anchor);
    }

    private (string, object?)[] FoundParameters(string search, SearchAnchors? anchor) =>
        [("pattern", _sql.Pattern(search)), .. _sql.SearchParameters(search), .. AnchorParameters(anchor)];

    /// <summary>
    /// How many of the clients a search found come before a cursor whose client is not among them (an edit took it out
    /// of the search since its page, or it was deleted), in the sort's ascending order as the database orders: the
    /// status by the workflow's order, a user by name, a text by the database's collation. Null when the cursor names a
    /// status of another workflow or a user who does not exist.
    /// </summary>
    private async Task<int?> FoundBeforeAsync(ClientListRequest request, string search, SearchAnchors? anchor,
        List<ClientListRow> ordered, ClientCursor cursor, CancellationToken cancellationToken)
    {
        var (_, key, _, _) = FoundParts(_sql, request.Sort);
        string before;
        (string, object?)[] parameters;
        switch (request.Sort.Column)
        {
            case ClientSortColumn.Status:
            {
                var order = request.StatusOrder.ToList();
                int Rank(string? status) =>
                    int.TryParse(status, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? order.IndexOf(id) : -1;
                var at = Rank(cursor.Key);
                return at < 0 ? null : ordered.Count(r => (Rank(r.Key), r.Id).CompareTo((at, cursor.Id)) < 0);
            }

            case ClientSortColumn.Assignee or ClientSortColumn.ClientUser when cursor.Key is null:
                (before, parameters) = ("(u.\"Id\" IS NOT NULL OR c.\"Id\" < @id)", [("id", cursor.Id)]);
                break;
            case ClientSortColumn.Assignee or ClientSortColumn.ClientUser:
            {
                var user = int.TryParse(cursor.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : 0;
                // The name the cursor's page showed (decision 0108); a cursor from before it: the user's name now.
                var name = cursor.Place ?? await UserNameAsync(user, cancellationToken);
                if (name is null)
                {
                    return null;
                }

                before = """
                    (u."Id" IS NOT NULL AND (u."DisplayName" < @name
                        OR (u."DisplayName" = @name AND (u."Id" < @user OR (u."Id" = @user AND c."Id" < @id)))))
                    """;
                parameters = [("name", name), ("user", user), ("id", cursor.Id)];
                break;
            }

            default:
                before = cursor.Key is null
                    ? $"({key} IS NOT NULL OR c.\"Id\" < @id)"
                    : $"({key} IS NOT NULL AND ({key} < @key OR ({key} = @key AND c.\"Id\" < @id)))";
                parameters = cursor.Key is null ? [("id", cursor.Id)] : [("key", cursor.Key), ("id", cursor.Id)];
                break;
        }

        var counted = await ReadAsync(FoundBeforeSql(_sql, request.InventoryId, request.Sort, search, Bound + 1, anchor is not null, before),
            cancellationToken, [.. FoundParameters(search, anchor), .. parameters]);
        return counted[0].Id;
    }

    /// <summary>
    /// Whether the user of a user sort's cursor has another name now than the one its page showed (one lookup by key).
    /// </summary>
    private async Task<bool> RenamedAsync(ClientListRequest request, ClientCursor cursor, CancellationToken cancellationToken)
    {
        if (request.Sort.Column is not (ClientSortColumn.Assignee or ClientSortColumn.ClientUser) || cursor.Place is not { } shown
            || !int.TryParse(cursor.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var user))
        {
            return false;
        }

        return !string.Equals(await UserNameAsync(user, cancellationToken), shown, StringComparison.Ordinal);
    }

    /// <summary>The user's display name now, by which the user sorts order (one lookup by key); null for none.</summary>
    private Task<string?> UserNameAsync(int user, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == user).Select(u => (string?)u.DisplayName).FirstOrDefaultAsync(cancellationToken);

    /// <summary>@nameAnchor and @descriptionAnchor of <see cref="ClientListSql.AnchoredSearch"/> (no values without anchors).</summary>
    private static (string, object?)[] AnchorParameters(SearchAnchors? anchor) =>
        [("nameAnchor", anchor is null ? null : NameSearch.Containing(anchor.Name)),
         ("descriptionAnchor", anchor is null ? null : NameSearch.Containing(anchor.Description))];

    /// <summary>The statement of <see cref="FoundAsync"/>: up to <paramref name="rows"/> clients found, in the sort's order.</summary>
    internal static string FoundSql(ClientListSql sql, int inventoryId, ClientSort sort, string search, int rows, bool anchored)
    {
        var (column, key, join, order) = FoundParts(sql, sort);
        return $"""
            {FoundComment}
            SELECT c."Id", {key} FROM (
            {sql.Matches(inventoryId, search, rows, column, anchored)}
            ) c {join}
            ORDER BY {order}
            """;
    }

    /// <summary>How many of the clients of <see cref="FoundSql"/> meet <paramref name="before"/> (as the row's id).</summary>
    private static string FoundBeforeSql(ClientListSql sql, int inventoryId, ClientSort sort, string search, int rows, bool anchored,
        string before)
    {
        var (column, _, join, _) = FoundParts(sql, sort);
        return $"""
            SELECT count(*), NULL FROM (
            {sql.Matches(inventoryId, search, rows, column, anchored)}
            ) c {join}
            WHERE {before}
            """;
    }

    /// <summary>
    /// For a sort of the clients a search found: the column <see cref="ClientListSql.Matches"/> reads, the key of a row,
    /// the join the order needs and the order.
    /// </summary>
    private static (string Column, string Key, string Join, string Order) FoundParts(ClientListSql sql, ClientSort sort)
    {
        return sort.Column switch
        {
            ClientSortColumn.Name => ("NameKey", "c.\"NameKey\"", "", "c.\"NameKey\""),
            ClientSortColumn.Status => ("StatusId", "c.\"StatusId\"", "JOIN \"WorkflowStatuses\" s ON s.\"Id\" = c.\"StatusId\"",
                "s.\"Position\", s.\"Id\", c.\"Id\""),
            ClientSortColumn.Assignee => UserOrder("AssigneeId"),
            ClientSortColumn.ClientUser => UserOrder("ClientUserId"),
            ClientSortColumn.Description => Nullable("Description", sql.DescriptionKey),
            _ => Nullable("Values", sql.FieldKey("c.\"Values\"", sort.FieldId)),
        };

        static (string, string, string, string) Nullable(string column, string key) =>
            (column, key, "", $"CASE WHEN {key} IS NULL THEN 1 ELSE 0 END, {key}, c.\"Id\"");

        static (string, string, string, string) UserOrder(string column) =>
            (column, $"c.\"{column}\"", $"LEFT JOIN \"AspNetUsers\" u ON u.\"Id\" = c.\"{column}\"",
                "CASE WHEN u.\"Id\" IS NULL THEN 1 ELSE 0 END, u.\"DisplayName\", u.\"Id\", c.\"Id\"");
    }

    /// <summary>
    /// A condition on the user <c>u</c>: among the users of <paramref name="column"/> in the inventory's clients when
    /// there are no more than <see cref="UsersLooked"/> of them, else "1 = 1".
    /// </summary>
    private async Task<string> UsersWithClientsAsync(string column, int inventoryId, CancellationToken cancellationToken)
    {
        var key = new UserColumn(db.Database.GetConnectionString() ?? "", inventoryId, column);
        if (_sql.UsersOf(column, inventoryId, UsersLooked) is not { } sql || ManyUsers.Remember(key))
        {
            return "1 = 1";
        }

        await using var command = Command(sql);
        var ids = new List<int>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
            }
        }

        if (ids.Count > UsersLooked)
        {
            ManyUsers.Add(key);
            return "1 = 1";
        }

        // "+u.Id": a condition SQLite checks on each user of the walk in name order, not a way to read users by id
        // (after which it sorted every client of theirs); PostgreSQL reads it as u.Id.
        return ids.Count == 0 ? "1 = 0" : $"+u.\"Id\" IN ({string.Join(", ", ids.Select(ClientListSql.Number))})";
    }

    /// <summary>
    /// On PostgreSQL, the page's statements are planned for their values each time, also where the connection prepares
    /// them (<see cref="PostgreSqlConnectionString"/>): a generic plan, chosen once for any search text, cursor or
    /// anchor, is what decisions 0035 and 0036 keep these walks and collections from (a broad search's walk planned
    /// without its text's selectivity sorted every match: 222 ms instead of 0.5 ms). <c>SET LOCAL</c> ends with the
    /// transaction opened for it (the page only reads; committed once it is read), so nothing is left on the pooled
    /// connection. Inside a caller's transaction the setting lasts until that transaction ends. Null elsewhere.
    /// </summary>
    private async Task<IDbContextTransaction?> PlansForTheirValuesAsync(CancellationToken cancellationToken)
    {
        if (db.Provider != DatabaseProvider.PostgreSql)
        {
            return null;
        }

        var transaction = db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        // Sent with the page's first statement, in the same round trip (Npgsql sends the BEGIN with it too): as a
        // statement of its own it cost a round trip of the app and PostgreSQL on every list request (docs/performance.md,
        // 2026-12-06). The statements that need it are all made by Command.
        _planSetting = PlanSetting;
        return transaction;
    }

    /// <summary>
    /// Plans for the statement's values (<see cref="PlansForTheirValuesAsync"/>), and runs them without JIT compilation,
    /// until the transaction ends. Each statement reads at most a page's walk or a search's matches; the planner's
    /// estimate of one can still pass <c>jit_above_cost</c> (an import's filter on a broad search: 998,695, compiled
    /// with inlining for 500-1,000 ms, for 174 ms of work; decision 0121).
    /// </summary>
    internal const string PlanSetting = "SET LOCAL plan_cache_mode = force_custom_plan;\nSET LOCAL jit = off;\n";

    // The setting still to send before the next statement of Command, or null.
    private string? _planSetting;

    private DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = _planSetting + sql;
        _planSetting = null;
        Statements?.Add((sql, parameters.Where(p => p.Value is not null).ToArray()));
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        // A statement names only the parameters it was given a value for.
        foreach (var (name, value) in parameters.Where(p => p.Value is not null))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Reads (client id, sort key) rows; the key column may be a number (a status or user id) or text.</summary>
    private async Task<List<ClientListRow>> ReadAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var rows = new List<ClientListRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ClientListRow(reader.GetInt32(0),
                reader.IsDBNull(1) ? null : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    /// <summary>
    /// The first <paramref name="count"/> clients of the rollout (but <paramref name="except"/>) whose name contains
    /// <paramref name="text"/>, by name: the client page's search for a client to link. On PostgreSQL, a text the
    /// statistics say is rare in names is asked of the trigram index at once (its matches sorted); another walks the
    /// rollout's name index, bounded as the list's walk is (<see cref="AlongAsync"/>): "pc-05" among a million clients
    /// read the 500,000 names before its first match. SQLite walks the same way, bounded by a look ahead, then asks its
    /// FTS5 table for the text in names.
    /// </summary>
    public async Task<List<int>> NamedAsync(int rolloutId, string text, int except, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pattern = _sql.Pattern(text);
        if (!_sql.Seeks && !_sql.LooksFirst(text))
        {
            return await db.Clients.Where(c => c.RolloutId == rolloutId && c.Id != except && EF.Functions.Like(c.NameKey, pattern, NameSearch.Escape))
                .OrderBy(c => c.NameKey)
                .Take(count)
                .Select(c => c.Id)
                .ToListAsync(cancellationToken);
        }

        // PostgreSQL's LIKE escapes with a backslash by default, SQLite's only when told.
        var named = _sql.Seeks ? "c.\"NameKey\" LIKE @pattern" : "c.\"NameKey\" LIKE @pattern ESCAPE '\\'";
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var plans = await PlansForTheirValuesAsync(cancellationToken);
            // SQLite's FTS5 table holds names and descriptions: asked for the text in names, each client found is
            // checked as the walk checks it (the table folds two letters LIKE does not: ClientListSql.SearchEach).
            var search = _sql.Seeks
                ? new Sought(named, named, [("pattern", pattern)], LooksFirst: false)
                : new Sought(named, named, [("pattern", pattern), ("match", ClientSearchIndex.NameQuery(text))], LooksFirst: true, Recheck: named,
                    SeekMost: LinkSeekBound);
            var stretch = new Stretch($"c.\"RolloutId\" = {ClientListSql.Number(rolloutId)}", "c.\"NameKey\"",
                "c.\"Id\" <> @except", "c.\"NameKey\"", search,
                "(c.\"NameKey\" || '') COLLATE \"C\"", "c.\"NameKey\"", Descending: false, "IX_Clients_RolloutId_NameKey");
            (string, object?)[] parameters = [("except", except)];
            var rows = _sql.Seeks && await SearchAnchor.RareInNamesAsync(db.Database.GetDbConnection(), text, cancellationToken)
                ? await SeekAsync(stretch, count, parameters, cancellationToken)
                : await AlongAsync(stretch, count, parameters, cancellationToken);
            if (plans is not null)
            {
                await plans.CommitAsync(cancellationToken);
            }

            return [.. rows.Select(r => r.Id)];
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Clients along an index: those <paramref name="Scope"/> selects (a condition on the client <c>c</c> an index
    /// starts with) and <paramref name="Condition"/>, id and <paramref name="Key"/>, in <paramref name="Order"/>.
    /// <paramref name="SeekOrder"/>: the same order written so that no index walk can give it; null: no seek.
    /// <paramref name="Edge"/>: the column of the order that goes on along the stretch (the name key, or the id where
    /// the order's first column is one value), <paramref name="Descending"/> its direction; <paramref name="Index"/>
    /// the index the stretch is read along.
    /// </summary>
    private sealed record Stretch(string Scope, string Key, string Condition, string Order, Sought? Search, string? SeekOrder,
        string Edge, bool Descending, string Index);

    /// <summary>
    /// A search along a <see cref="Stretch"/>: <paramref name="Filter"/> checked on each client walked, <paramref
    /// name="Seek"/> the same as the search's index answers it, both with <paramref name="Parameters"/>.
    /// <paramref name="LooksFirst"/>: the walk is bounded by a look ahead (<see cref="ClientListSql.LooksFirst"/>).
    /// <paramref name="SeekParameters"/>: more parameters of <paramref name="Seek"/> alone. <paramref name="Recheck"/>: a
    /// condition on each client the index finds, where the index may find more than the filter. <paramref
    /// name="SeekMost"/>: where a look ahead bounds the walk, the most matches of the index worth sorting (more cost
    /// more than the walk of every client: the walk then goes on).
    /// </summary>
    private sealed record Sought(string Filter, string Seek, (string, object?)[] Parameters, bool LooksFirst,
        (string, object?)[]? SeekParameters = null, string? Recheck = null, int? SeekMost = null);

    private const string IdColumn = "c.\"Id\"";

    /// <summary>
    /// The next <paramref name="rest"/> clients along the stretch's index. A broad search's walk assumes its matches
    /// are spread; on PostgreSQL (<see cref="ClientListSql.Seeks"/>) and SQLite (<see cref="ClientListSql.LooksFirst"/>)
    /// it reads at most <see cref="WalkBound"/> clients, and when their matches do not fill the page and more clients
    /// follow, the search's index finds the matches from the same position, in the stretch's seek order.
    /// </summary>
    private async Task<List<ClientListRow>> AlongAsync(Stretch stretch, int rest, (string, object?)[] parameters,
        CancellationToken cancellationToken)
    {
        var (scope, key, condition, order, search, seekOrder, edge, descending, index) = stretch;
        string Plain(string bound, string indexed = "", int? rows = null) => $"""
            {_sql.Select(rows ?? rest)} c."Id", {key} FROM "Clients" c{indexed}
            WHERE {scope} AND {search?.Filter ?? "1 = 1"} AND {condition}{bound}
            ORDER BY {order}
            {_sql.Limit(rows ?? rest)}
            """;
        if (search is null || seekOrder is null || !(_sql.Seeks || search.LooksFirst))
        {
            return await ReadAsync(Plain(""), cancellationToken, [.. parameters, .. search?.Parameters ?? []]);
        }

        if (search.LooksFirst)
        {
            // The client WalkBound clients ahead (index only), then the walk up to it: SQLite sorts what a subquery
            // with a LIMIT gives, reading all of it for every page, where a spread search's walk stops after a few.
            // Along the stretch's index by name: with the edge on the id, SQLite chose to read the table by id instead.
            var ahead = await ReadAsync($"""
                SELECT c."Id", {edge} FROM "Clients" c
                WHERE {scope} AND {condition}
                ORDER BY {order}
                LIMIT 1 OFFSET {ClientListSql.Number(WalkBound)}
                """, cancellationToken, parameters);
            if (ahead.Count == 0)
            {
                return await ReadAsync(Plain(""), cancellationToken, [.. parameters, .. search.Parameters]);
            }

            object? at = edge == IdColumn ? ahead[0].Id : ahead[0].Key;
            var walkedUpTo = await ReadAsync(Plain($" AND {edge} {(descending ? ">=" : "<=")} @edge", $" INDEXED BY \"{index}\""), cancellationToken,
                [.. parameters, .. search.Parameters, ("edge", at)]);
            if (walkedUpTo.Count == rest)
            {
                return walkedUpTo;
            }

            // Where the index finds so many that sorting them costs more than the walk of every client (a name's
            // check, not a whole search's), the walk goes on past the edge.
            var sought = await SeekAsync(stretch, rest, parameters, cancellationToken, search.SeekMost);
            return sought is not [{ Id: -1 }] ? sought
                : [.. walkedUpTo, .. await ReadAsync(Plain($" AND {edge} {(descending ? "<" : ">")} @edge", $" INDEXED BY \"{index}\"",
                    rest - walkedUpTo.Count), cancellationToken, [.. parameters, .. search.Parameters, ("edge", at)])];
        }

        var along = $"""
            FROM "Clients" c
            WHERE {scope} AND {condition}
            ORDER BY {order}
            """;
        var walked = await ReadAsync($"""
            SELECT c."Id", {key} FROM (
                SELECT c."Id", c."NameKey", c."Description", c."StatusId", c."AssigneeId", c."ClientUserId", c."CreatedByImportId" {along}
                LIMIT {ClientListSql.Number(WalkBound)}) c
            WHERE {search.Filter}
            ORDER BY {order}
            LIMIT {ClientListSql.Number(rest)}
            """, cancellationToken, [.. parameters, .. search.Parameters]);
        if (walked.Count == rest || (await ReadAsync($"""
                SELECT 0, NULL {along}
                LIMIT 1 OFFSET {ClientListSql.Number(WalkBound)}
                """, cancellationToken, parameters)).Count == 0)
        {
            return walked;
        }

        return await SeekAsync(stretch, rest, parameters, cancellationToken);
    }

    /// <summary>
    /// The next <paramref name="rest"/> clients of the stretch its search's index finds, in its seek order; with
    /// <paramref name="most"/>, one row of id -1 instead where the index finds more (<see cref="ClientListSql.Seek"/>).
    /// </summary>
    private Task<List<ClientListRow>> SeekAsync(Stretch stretch, int rest, (string, object?)[] parameters, CancellationToken cancellationToken,
        int? most = null)
    {
        var (scope, key, condition, order, search, seekOrder, _, _, _) = stretch;
        return search is null || seekOrder is null
            ? throw new ArgumentException("A stretch without a search or seek order has nothing to seek.", nameof(stretch))
            : ReadAsync(_sql.Seek(scope, key, search.Recheck is null ? condition : $"{condition} AND {search.Recheck}", search.Seek, order,
                    seekOrder, rest, most), cancellationToken,
                [.. parameters, .. search.Parameters, .. search.SeekParameters ?? []]);
    }

    /// <summary>Reads the rows of <see cref="ClientListSql.UsersInOrderBounded"/>: client (or none), user, cut.</summary>
    private async Task<List<(int? Client, int User, bool Cut)>> ReadUsersAsync(string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var rows = new List<(int?, int, bool)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.IsDBNull(0) ? null : reader.GetInt32(0), reader.GetInt32(1), !reader.IsDBNull(2) && reader.GetBoolean(2)));
        }

        return rows;
    }

    private interface IRows
    {
        /// <summary>
        /// Up to <paramref name="count"/> rows after <paramref name="after"/> (from the start when null), in the sort's
        /// order or, when <paramref name="descending"/>, its reverse.
        /// </summary>
        Task<List<ClientListRow>> FetchAsync(ClientCursor? after, bool descending, int count, CancellationToken cancellationToken);
    }

    /// <summary>Every client of the inventory (or those the search finds among them), read by walking the sort's index.</summary>
    /// <remarks><paramref name="only"/>: a condition every client walked must meet too (the import's, <see cref="ImportCondition"/>).</remarks>
    private sealed class Walk(ClientPages pages, ClientListRequest request, string? search, SearchAnchors? anchor, string? only = null) : IRows
    {
        private readonly ClientListSql _sql = pages._sql;
        private readonly string _inventory = ClientListSql.Number(request.InventoryId) + (only is null ? "" : $" AND {only}");

        private string Filter => (search is null ? "1 = 1" : _sql.SearchEach(search)) + (only is null ? "" : $" AND {only}");

        public Task<List<ClientListRow>> FetchAsync(ClientCursor? after, bool descending, int count, CancellationToken cancellationToken) =>
            request.Sort.Column switch
            {
                ClientSortColumn.Name => NameAsync(after, descending, count, cancellationToken),
                ClientSortColumn.Description => BoundedAsync(_sql.DescriptionKey, after, descending, count, cancellationToken),
                ClientSortColumn.CustomField => BoundedAsync(_sql.FieldKey("c.\"Values\"", request.Sort.FieldId), after, descending,
                    count, cancellationToken),
                ClientSortColumn.Status => StatusAsync(after, descending, count, cancellationToken),
                ClientSortColumn.Assignee => UsersAsync("AssigneeId", after, descending, count, cancellationToken),
                _ => UsersAsync("ClientUserId", after, descending, count, cancellationToken),
            };

        // By name through the index on (inventory, name key): the rollout's other inventories are not read.
        private string Where => $"c.\"InventoryId\" = {_inventory} AND {Filter}";

        private (string, object?)[] Parameters(params (string, object?)[] more) =>
            search is null ? more : [.. more, ("pattern", _sql.Pattern(search)), .. _sql.SearchEachParameters(search)];

        /// <summary>
        /// By name, through the index on (inventory, name key): the names after the cursor's. A jump to a name
        /// (a cursor of id 0, or the highest id descending) includes the client of that very name.
        /// </summary>
        private async Task<List<ClientListRow>> NameAsync(ClientCursor? after, bool descending, int count, CancellationToken cancellationToken)
        {
            var rows = new List<ClientListRow>();
            var direction = ClientListSql.Direction(descending);
            var op = descending ? "<" : ">";

            // range: a range of names (the cursor's one name is a client at most: names are unique in the rollout).
            async Task AddAsync(string condition, bool range, params (string, object?)[] parameters)
            {
                var rest = count - rows.Count;
                if (rest > 0)
                {
                    rows.AddRange(await AlongAsync("c.\"NameKey\"", condition, $"c.\"NameKey\" {direction}",
                        range ? $"(c.\"NameKey\" || '') COLLATE \"C\" {direction}" : null, "c.\"NameKey\"", descending, rest, parameters,
                        cancellationToken));
                }
            }

            if (after?.Key is null)
            {
                await AddAsync("1 = 1", range: true);
            }
            else
            {
                await AddAsync($"c.\"NameKey\" = @key AND c.\"Id\" {op} @id", range: false, ("key", after.Key), ("id", after.Id));
                await AddAsync($"c.\"NameKey\" {op} @key", range: true, ("key", after.Key));
            }

            return rows;
        }

        /// <summary>
        /// The next <paramref name="rest"/> clients along an index (<see cref="ClientPages.AlongAsync"/>): those of the
        /// inventory the search finds, with <paramref name="condition"/>, in <paramref name="order"/>. <paramref
        /// name="seek"/>: the walk is known to find too few (a user cut before filling the page): straight to the
        /// search's index.
        /// </summary>
        private Task<List<ClientListRow>> AlongAsync(string key, string condition, string order, string? seekOrder,
            string edge, bool descending, int rest, (string, object?)[] parameters, CancellationToken cancellationToken, bool seek = false)
        {
            // The index on (inventory, the key's column[, id]).
            var index = "IX_Clients_InventoryId_" + key[3..^1] + (edge == IdColumn ? "_Id" : "");
            var stretch = new Stretch($"c.\"InventoryId\" = {_inventory}", key, condition, order,
                search is null ? null : anchor is null
                    ? new Sought(Filter, _sql.Search(search), Parameters(), _sql.LooksFirst(search))
                    : new Sought(Filter, _sql.AnchoredSearch, Parameters(), _sql.LooksFirst(search),
                        AnchorParameters(anchor)),
                seekOrder,
                edge, descending, index);
            return seek && stretch.Search is not null && _sql.Seeks
                ? pages.SeekAsync(stretch, rest, parameters, cancellationToken)
                : pages.AlongAsync(stretch, rest, parameters, cancellationToken);
        }

        /// <summary>
        /// A sort by a text without an index (description, custom field; lists of up to <see cref="SortBound"/>
        /// clients): one statement in which the database orders the inventory's clients and keeps the page's (a top-N
        /// sort, in memory of the page's size).
        /// </summary>
        private Task<List<ClientListRow>> BoundedAsync(string key, ClientCursor? after, bool descending, int count, CancellationToken cancellationToken)
        {
            var direction = ClientListSql.Direction(descending);
            var op = descending ? "<" : ">";
            var (condition, parameters) = after switch
            {
                null => ("1 = 1", Array.Empty<(string, object?)>()),
                { Key: null } when descending => ($"(({key} IS NULL AND c.\"Id\" < @id) OR {key} IS NOT NULL)", [("id", after.Id)]),
                { Key: null } => ($"{key} IS NULL AND c.\"Id\" > @id", [("id", after.Id)]),
                _ when descending => ($"(({key} = @key AND c.\"Id\" < @id) OR {key} < @key)", [("key", after.Key), ("id", after.Id)]),
                _ => ($"(({key} = @key AND c.\"Id\" > @id) OR {key} > @key OR {key} IS NULL)", [("key", after.Key), ("id", after.Id)]),
            };
            return pages.ReadAsync($"""
                {_sql.Select(count)} c."Id", {key} FROM "Clients" c
                WHERE {Where} AND {condition}
                ORDER BY CASE WHEN {key} IS NULL THEN 1 ELSE 0 END {direction}, {key} {direction}, c."Id" {direction}
                {_sql.Limit(count)}
                """, cancellationToken, Parameters(parameters));
        }

        /// <summary>Statuses in the workflow's order, each one's clients by id.</summary>
        private async Task<List<ClientListRow>> StatusAsync(ClientCursor? after, bool descending, int count, CancellationToken cancellationToken)
        {
            var statuses = descending ? request.StatusOrder.Reverse().ToList() : [.. request.StatusOrder];
            var start = 0;
            int? afterId = null;
            if (after is not null && int.TryParse(after.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var status)
                && statuses.IndexOf(status) is var index and >= 0)
            {
                start = index;
                afterId = after.Id;
            }

            var rows = new List<ClientListRow>();
            var direction = ClientListSql.Direction(descending);
            for (var i = start; i < statuses.Count && rows.Count < count; i++)
            {
                var rest = count - rows.Count;
                var bounded = i == start && afterId is not null;
                var idBound = bounded ? $" AND c.\"Id\" {(descending ? "<" : ">")} @id" : "";
                // Ordered by (status, id), the status as a range of one where the database needs it (ClientListSql.OneValue).
                rows.AddRange(await AlongAsync("c.\"StatusId\"", $"{_sql.OneValue("c.\"StatusId\"", statuses[i])}{idBound}",
                    $"c.\"StatusId\" {direction}, c.\"Id\" {direction}", $"c.\"Id\" + 0 {direction}", IdColumn, descending, rest,
                    [("id", bounded ? afterId : null)], cancellationToken));
            }

            return rows;
        }

        /// <summary>Users by (name, id), each one's clients by id; then the clients without one.</summary>
        private async Task<List<ClientListRow>> UsersAsync(string column, ClientCursor? after, bool descending, int count,
            CancellationToken cancellationToken)
        {
            var rows = new List<ClientListRow>();
            var direction = ClientListSql.Direction(descending);
            var op = descending ? "<" : ">";

            // The clients of one user (or of none: "IS NULL"), after an id: ordered by (user, id) like the status walk,
            // an order only the index on (inventory, user, id) gives.
            async Task OfAsync(string whose, int? afterId, bool seek = false)
            {
                var rest = count - rows.Count;
                if (rest > 0)
                {
                    var idBound = afterId is null ? "" : $" AND c.\"Id\" {op} @id";
                    rows.AddRange(await AlongAsync($"c.\"{column}\"", $"{whose}{idBound}",
                        $"c.\"{column}\" {direction}, c.\"Id\" {direction}", $"c.\"Id\" + 0 {direction}", IdColumn, descending,
                        rest, [("id", afterId)], cancellationToken, seek));
                }
            }

            Task NullsAsync(int? afterId) => OfAsync($"c.\"{column}\" IS NULL", afterId);

            Task UserAsync(int user, int? afterId, bool seek = false) => OfAsync(_sql.OneValue($"c.\"{column}\"", user), afterId, seek);

            // The users after this one in the walk's order: after (its name, its id), the name as given (the cursor's page
            // showed it: a user renamed since keeps the others in their place, decision 0108) or the user's name now.
            async Task<(string Bound, (string, object?)[] Parameters)> AfterAsync(int user, string? shown = null)
            {
                var name = shown ?? await pages.UserNameAsync(user, cancellationToken);
                return name is null
                    ? ("1 = 1", [])
                    : (_sql.After("u.\"DisplayName\"", "u.\"Id\"", "@name", "@user", descending), [("name", name), ("user", user)]);
            }

            string? users = null;
            async Task InOrderAsync(string userBound, params (string, object?)[] parameters)
            {
                var rest = count - rows.Count;
                if (rest <= 0)
                {
                    return;
                }

                users ??= await pages.UsersWithClientsAsync(column, request.InventoryId, cancellationToken);
                if (search is not null && _sql.LooksFirst(search)
                    && _sql.UsersAhead(column, request.InventoryId, $"{userBound} AND {users}", descending, pages.WalkBound) is { } look)
                {
                    await LookedAheadAsync(look, $"{userBound} AND {users}", rest, parameters);
                    return;
                }

                var bounded = search is null ? null
                    : _sql.UsersInOrderBounded(column, request.InventoryId, $"{userBound} AND {users}", Filter, descending, rest, pages.WalkBound);
                if (bounded is null)
                {
                    rows.AddRange(await pages.ReadAsync(
                        _sql.UsersInOrder(column, request.InventoryId, $"{userBound} AND {users}", Filter, descending, rest),
                        cancellationToken, Parameters(parameters)));
                    return;
                }

                // Each user's walk read at most WalkBound of their clients: for a user with more, whose walk found less
                // than the page still needs, the index finds that user's matches, and the users after it follow.
                var found = await pages.ReadUsersAsync(bounded, cancellationToken, Parameters(parameters));
                foreach (var group in found.GroupBy(f => f.User))
                {
                    var matches = group.Where(f => f.Client is not null).Select(f => new ClientListRow(f.Client ?? 0, ClientListSql.Number(group.Key)));
                    if (group.Any(f => f.Cut) && group.Count(f => f.Client is not null) < count - rows.Count)
                    {
                        await UserAsync(group.Key, null, seek: true);
                        var (after, afterParameters) = await AfterAsync(group.Key);
                        await InOrderAsync(after, afterParameters);
                        return;
                    }

                    rows.AddRange(matches.Take(count - rows.Count));
                }
            }

            // SQLite: the client WalkBound clients ahead in the walk (index only), the walk up to it, and when that
            // found too few, the search's index from there on (as AlongAsync bounds the other walks).
            async Task LookedAheadAsync(string look, string userBound, int rest, (string, object?)[] parameters)
            {
                var ahead = await pages.ReadAsync(look, cancellationToken, parameters);
                if (ahead.Count == 0)
                {
                    rows.AddRange(await pages.ReadAsync(_sql.UsersInOrder(column, request.InventoryId, userBound, Filter, descending, rest),
                        cancellationToken, Parameters(parameters)));
                    return;
                }

                (string, object?)[] edge = [.. parameters, ("edgeUser", int.Parse(ahead[0].Key ?? "0", CultureInfo.InvariantCulture)),
                    ("edge", ahead[0].Id)];
                var (usersUpTo, clientsUpTo) = _sql.UsersUpTo(descending);
                var walked = await pages.ReadAsync(
                    _sql.UsersInOrder(column, request.InventoryId, $"{userBound} AND {usersUpTo}", $"{Filter} AND {clientsUpTo}", descending, rest),
                    cancellationToken, Parameters(edge));
                rows.AddRange(walked);
                if (walked.Count < rest)
                {
                    rows.AddRange(await pages.ReadAsync(_sql.UsersSought(column, request.InventoryId, userBound, only ?? "1 = 1", descending,
                        rest - walked.Count),
                        cancellationToken, Parameters(edge)));
                }
            }

            int? user = after?.Key is { } key && int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                ? id : null;
            if (after is null || (after.Key is not null && user is null))
            {
                if (descending)
                {
                    await NullsAsync(null);
                }

                await InOrderAsync("1 = 1");
                if (!descending)
                {
                    await NullsAsync(null);
                }
            }
            else if (user is null)
            {
                await NullsAsync(after.Id);
                if (descending)
                {
                    await InOrderAsync("1 = 1");
                }
            }
            else
            {
                await UserAsync(user.Value, after.Id);
                var (bound, parameters) = await AfterAsync(user.Value, after.Place);
                await InOrderAsync(bound, parameters);
                if (!descending)
                {
                    await NullsAsync(null);
                }
            }

            return rows;
        }
    }

    /// <summary>
    /// The clients a search found (no more than <see cref="Bound"/>), all of them in the sort's order as the
    /// database orders them; a page is cut from that list where its cursor's client stands.
    /// </summary>
    /// <param name="before">
    /// For a cursor whose client is not among those found (an edit took it out of the search, or the position is a
    /// name): how many of them come before it (<see cref="FoundBeforeAsync"/>), null to start over.
    /// </param>
    private sealed class Found(List<ClientListRow> ordered, Func<ClientCursor, CancellationToken, Task<int?>> before,
        Func<ClientCursor, CancellationToken, Task<bool>> renamed) : IRows
    {
        public async Task<List<ClientListRow>> FetchAsync(ClientCursor? after, bool descending, int count, CancellationToken cancellationToken)
        {
            IEnumerable<ClientListRow> rows = descending ? Enumerable.Reverse(ordered) : ordered;
            if (after is not null)
            {
                // A cursor whose user was renamed since its page: its client stands elsewhere now; the page goes on from
                // the name the cursor's page showed (decision 0108).
                var index = await renamed(after, cancellationToken) ? -1 : ordered.FindIndex(r => r.Id == after.Id);
                if (index >= 0)
                {
                    rows = descending ? ordered.Take(index).Reverse() : ordered.Skip(index + 1);
                }
                else if (await before(after, cancellationToken) is { } earlier)
                {
                    rows = descending ? ordered.Take(earlier).Reverse() : ordered.Skip(earlier);
                }
            }

            return [.. rows.Take(count)];
        }
    }
}

/// <summary>A search of an inventory (see <see cref="BroadSearchMemory"/>).</summary>
/// <param name="Newest">The highest client id of the database when the search was made: a write that removes clients and
/// adds as many leaves <paramref name="Clients"/> as it was, but not this (decision 0110).</param>
internal sealed record BroadSearch(string Database, int InventoryId, int Clients, int Newest, int Bound, string Text);

/// <summary>The searches that found many clients lately: each for a minute, at most 10,000 of them.</summary>
internal sealed class BroadSearchMemory(TimeProvider? time = null) : Recollection<BroadSearch>(Duration, time)
{
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(1);
}

/// <summary>A user column of an inventory (its assignees or client users) in a database.</summary>
internal sealed record UserColumn(string Database, int InventoryId, string Column);

/// <summary>
/// The user columns whose inventory has many distinct users lately (more than <see cref="ClientPages.UsersLooked"/>):
/// each for five minutes, at most 10,000 of them.
/// </summary>
internal sealed class ManyUsersMemory(TimeProvider? time = null) : Recollection<UserColumn>(Duration, time)
{
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(5);
}

/// <summary>Facts remembered for a while: each for <paramref name="duration"/>, at most 10,000 of them.</summary>
internal abstract class Recollection<TKey>(TimeSpan duration, TimeProvider? time) where TKey : notnull
{
    private const int Most = 10_000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<TKey, DateTimeOffset> _until = new();

    /// <summary>Whether <paramref name="key"/> was added within the duration.</summary>
    public bool Remember(TKey key)
    {
        if (!_until.TryGetValue(key, out var until))
        {
            return false;
        }

        if (until > _time.GetUtcNow())
        {
            return true;
        }

        _until.TryRemove(key, out _);
        return false;
    }

    public void Add(TKey key)
    {
        if (_until.Count >= Most)
        {
            _until.Clear();
        }

        _until[key] = _time.GetUtcNow() + duration;
    }
}
