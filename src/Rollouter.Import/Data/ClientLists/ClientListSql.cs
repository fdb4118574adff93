using System.Globalization;
using System.Text;

namespace Rollouter.Import.Data.ClientLists;

/// <summary>
/// The SQL of the client list that differs between databases: row limits, a custom field's sort key, the search, and
/// the walk over users in name order. <see cref="For"/> is the one place that picks a provider's.
/// Ids of inventories, fields and statuses are written into the SQL as numbers, never taken from text: PostgreSQL
/// and SQLite match a partial index (<c>WHERE "InventoryId" = 5</c>) or an expression index only against literals.
/// </summary>
internal abstract class ClientListSql
{
    /// <summary>The length of a text sort key (the cursor carries it).</summary>
    public const int KeyLength = 200;

    public static ClientListSql For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.PostgreSql => new PostgreSql(),
        DatabaseProvider.Sqlite => new Sqlite(),
        DatabaseProvider.SqlServer => new SqlServer(),
        _ => throw new NotSupportedException($"No client list for {provider}."),
    };

    /// <summary>
    /// A custom field's sort key: its first value, at most <see cref="KeyLength"/> characters, in lower case (as the
    /// names sort: "a, B, b, Z", not "B, Z, a, b"; SQLite's lower() folds ASCII letters only, SQL Server's collation
    /// ignores case anyway); null without one (or an empty one).
    /// </summary>
    /// <param name="values">The values column, e.g. <c>c."Values"</c>.</param>
    public abstract string FieldKey(string values, int fieldId);

    /// <summary>The description's sort key: its first <see cref="KeyLength"/> characters, in lower case as a field's.</summary>
    public abstract string DescriptionKey { get; }

    /// <summary>
    /// The search's condition on the client <c>c</c> for <paramref name="text"/>, with the pattern of
    /// <see cref="NameSearch"/> as @pattern (and what <see cref="SearchParameters"/> adds).
    /// </summary>
    public abstract string Search(string text);

    /// <summary>Whether <c>[</c> opens a character class in this database's LIKE (SQL Server's).</summary>
    protected virtual bool BracketsAreWildcards => false;

    /// <summary>The LIKE pattern of a search for <paramref name="text"/> (<see cref="NameSearch.Containing"/>) in this database.</summary>
    public string Pattern(string text) => NameSearch.Containing(text, BracketsAreWildcards);

    /// <summary>The search's parameters besides @pattern.</summary>
    public virtual (string Name, object? Value)[] SearchParameters(string text) => [];

    /// <summary>
    /// The search as a condition the walk of a sort checks on each client it reads: a search that found more than
    /// <see cref="ClientPages.Bound"/> clients, frequent enough that the walk meets one every few clients.
    /// </summary>
    public virtual string SearchEach(string text) => Search(text);

    /// <summary>The parameters of <see cref="SearchEach"/> besides @pattern.</summary>
    public virtual (string Name, object? Value)[] SearchEachParameters(string text) => SearchParameters(text);

    /// <summary>The inventory's clients, for a search that reads them until it has found enough (no index of its own).</summary>
    public virtual string SearchedInventory(int inventoryId) => $"c.\"InventoryId\" = {Number(inventoryId)}";

    /// <summary>Whether <see cref="Matches"/> can ask the index for the text's rarest word (<see cref="SearchAnchor"/>).</summary>
    public virtual bool Anchors => false;

    /// <summary>
    /// Where <see cref="Anchors"/>: the search as a condition that asks the index for @nameAnchor and
    /// @descriptionAnchor (the patterns of the text's rarest word in each column) and checks @pattern on what it finds.
    /// </summary>
    public virtual string AnchoredSearch => throw new NotSupportedException("No anchored search here.");

    /// <summary>
    /// Up to <paramref name="rows"/> clients of the inventory that <see cref="Search"/> finds, in no order (with @pattern
    /// and <see cref="SearchParameters"/>): their id and the <paramref name="column"/> of <c>c</c> named. <paramref
    /// name="anchored"/> (only where <see cref="Anchors"/>): @nameAnchor and @descriptionAnchor are the patterns of the
    /// text's rarest word in each column.
    /// </summary>
    public virtual string Matches(int inventoryId, string text, int rows, string column, bool anchored = false) => $"""
        {Select(rows)} c."Id", c."{column}" FROM "Clients" c
        WHERE {SearchedInventory(inventoryId)} AND {Search(text)}
        {Limit(rows)}
        """;

    /// <summary>
    /// Whether a broad search's walk reads at most <see cref="ClientPages.WalkBound"/> clients and then asks the search's
    /// index (PostgreSQL). SQLite would sort the bounded walk's clients, reading all of them for every page; SQL Server
    /// has no index to ask. Both walk on until they have a page.
    /// </summary>
    public virtual bool Seeks => false;

    /// <summary>
    /// Whether a broad search's walk for <paramref name="text"/> is bounded by a look <see cref="ClientPages.WalkBound"/>
    /// clients ahead and then walks only up to that client, before it asks the search's index (SQLite, where the FTS5
    /// table answers the text: 3 characters or more).
    /// </summary>
    public virtual bool LooksFirst(string text) => false;

    /// <summary>
    /// Up to <paramref name="rows"/> clients with <paramref name="scope"/> and <paramref name="condition"/> that the
    /// search's index finds (<paramref name="seek"/>), in <paramref name="order"/>: written <paramref name="seekOrder"/>
    /// where the order alone would let the database walk the order's index instead. Their id and <paramref name="key"/>.
    /// <paramref name="most"/> (where the walk looks ahead, <see cref="LooksFirst"/>): the most matches of the index
    /// worth sorting; with more, the statement gives one row of id -1 instead.
    /// </summary>
    public virtual string Seek(string scope, string key, string condition, string seek, string order, string seekOrder, int rows,
        int? most = null) => most is not null
        ? throw new NotSupportedException("Only where the walk looks ahead (LooksFirst).")
        : $"""
            SELECT c."Id", {key} FROM "Clients" c
            WHERE {scope} AND {condition} AND {seek}
            ORDER BY {seekOrder}
            LIMIT {Number(rows)}
            """;

    /// <summary><c>SELECT</c> of at most <paramref name="rows"/> rows, with <see cref="Limit"/> at the end of the statement.</summary>
    public virtual string Select(int rows) => "SELECT";

    public virtual string Limit(int rows) => "LIMIT " + Number(rows);

    /// <summary>
    /// Clients in the order of their user (<paramref name="userColumn"/>: "AssigneeId" or "ClientUserId") by name,
    /// then their id: users walked in order of ("DisplayName", "Id") from the index, each user's clients from the
    /// index on (inventory, user, id), until the page is full. <paramref name="userBound"/> is a condition on the
    /// user <c>u</c> (or "1 = 1"); <paramref name="filter"/> one on the client <c>c</c>. Selects the client's and the
    /// user's id.
    /// </summary>
    public abstract string UsersInOrder(string userColumn, int inventoryId, string userBound, string filter, bool descending, int rows);

    /// <summary>
    /// <see cref="UsersInOrder"/> for a broad search where the walk is bounded (<see cref="Seeks"/>): each user's walk
    /// reads at most <paramref name="walkBound"/> of their clients. Selects the client's id (null for a user whose walk
    /// found none), the user's id, and whether the user has more clients than the walk read ("cut": asked only where
    /// it found fewer than <paramref name="rows"/>); a user cut before filling the page lists every client the walk
    /// found of it, or a row of its own. Null where the walk is not bounded.
    /// </summary>
    public virtual string? UsersInOrderBounded(string userColumn, int inventoryId, string userBound, string filter, bool descending,
        int rows, int walkBound) => null;

    /// <summary>
    /// Where a search's walk is bounded by a look ahead (<see cref="LooksFirst"/>), the users' walk
    /// (<see cref="UsersInOrder"/>) looks first: the client <paramref name="walkBound"/> clients ahead in the walk and
    /// its user (index only; none when the walk has fewer). Null where the users' walk does not look ahead.
    /// </summary>
    public virtual string? UsersAhead(string userColumn, int inventoryId, string userBound, bool descending, int walkBound) => null;

    /// <summary>
    /// The conditions that stop the users' walk at the client <c>@edge</c> of the user <c>@edgeUser</c>
    /// (<see cref="UsersAhead"/>): one on the user <c>u</c> and one on the client <c>c</c>, each a range of their
    /// index.
    /// </summary>
    public virtual (string Users, string Clients) UsersUpTo(bool descending) =>
        throw new NotSupportedException("Only where the users' walk looks ahead (UsersAhead).");

    /// <summary>
    /// The first <paramref name="rows"/> clients the search's index finds after the client <c>@edge</c> of the user
    /// <c>@edgeUser</c> in the users' walk (<see cref="UsersAhead"/>), sorted: the client's and the user's id.
    /// <paramref name="only"/>: a condition on the client <c>c</c> every client found meets too (an import's, or "1 = 1").
    /// </summary>
    public virtual string UsersSought(string userColumn, int inventoryId, string userBound, string only, bool descending, int rows) =>
        throw new NotSupportedException("Only where the users' walk looks ahead (UsersAhead).");

    /// <summary>
    /// The distinct users of <paramref name="userColumn"/> among the inventory's clients, up to <paramref name="most"/>
    /// + 1 of them: one step down the index on (inventory, user, id) per user, each from the last one found (a loose
    /// index scan). Null where the provider has none (SQL Server allows no subquery in a recursive query).
    /// </summary>
    public virtual string? UsersOf(string userColumn, int inventoryId, int most) => $"""
        WITH RECURSIVE found(id, n) AS (
            SELECT (SELECT c."{userColumn}" FROM "Clients" c
                    WHERE c."InventoryId" = {Number(inventoryId)} AND c."{userColumn}" IS NOT NULL
                    ORDER BY c."{userColumn}" LIMIT 1), 1
            UNION ALL
            SELECT (SELECT c."{userColumn}" FROM "Clients" c
                    WHERE c."InventoryId" = {Number(inventoryId)} AND c."{userColumn}" > found.id
                    ORDER BY c."{userColumn}" LIMIT 1), found.n + 1
            FROM found WHERE found.id IS NOT NULL AND found.n <= {Number(most)})
        SELECT id FROM found WHERE id IS NOT NULL
        """;

    /// <summary>
    /// <paramref name="column"/> (a status or user id) is <paramref name="value"/>, as a condition the walk of the
    /// index on (inventory, that column, id) can use in the order of (column, id): a range of one by default, since
    /// "= value" ordered by id let PostgreSQL walk the primary key instead and read past the other inventories' newer
    /// clients (54 ms for the first page of a search that found many, 0.9 ms through the index).
    /// </summary>
    public virtual string OneValue(string column, int value) => $"{column} BETWEEN {Number(value)} AND {Number(value)}";

    /// <summary>(a, b) compared with (@a, @b) in the order of a list, as an index walk can use it.</summary>
    public virtual string After(string a, string b, string aValue, string bValue, bool descending) =>
        $"({a}, {b}) {(descending ? "<" : ">")} ({aValue}, {bValue})";

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Direction(bool descending) => descending ? "DESC" : "ASC";

    private sealed class PostgreSql : ClientListSql
    {
        // The text between '"12":["' and the next '"': the first value as the JSON text holds it (JsonColumns writes
        // letters as they are; only quotes, backslashes and control characters are escaped, so such values sort by
        // their escaped text). Two string searches instead of parsing the JSON: a third of the time of a cast to jsonb
        // over the 50,000 clients a sort by a field reads at most.
        public override string FieldKey(string values, int fieldId) =>
            $"lower(NULLIF(left(split_part(split_part({values}, '\"{Number(fieldId)}\":[\"', 2), '\"', 1), {Number(KeyLength)}), ''))";

        public override string DescriptionKey => $"lower(left(c.\"Description\", {Number(KeyLength)}))";

        // LIKE on the lower-case name key and ILIKE on the description: both use the trigram index IX_Clients_Search.
        public override string Search(string text) => """(c."NameKey" LIKE @pattern OR c."Description" ILIKE @pattern)""";

        public override bool Anchors => true;

        // The trigram index is asked for the rarest word only; the whole text is checked on what it finds, written so
        // that the index cannot serve it ("|| ''"), or the planner would hand the index every trigram again.
        public override string AnchoredSearch => """
            (c."NameKey" LIKE @nameAnchor OR c."Description" ILIKE @descriptionAnchor)
              AND ((c."NameKey" || '') LIKE @pattern OR (c."Description" || '') ILIKE @pattern)
            """;

        public override string Matches(int inventoryId, string text, int rows, string column, bool anchored = false) => !anchored
            ? base.Matches(inventoryId, text, rows, column)
            : $"""
                SELECT c."Id", c."{column}" FROM "Clients" c
                WHERE c."InventoryId" = {Number(inventoryId)} AND {AnchoredSearch}
                LIMIT {Number(rows)}
                """;

        public override bool Seeks => true;

        public override string UsersInOrder(string userColumn, int inventoryId, string userBound, string filter, bool descending, int rows)
        {
            var direction = Direction(descending);
            return $"""
                SELECT t."Id", u."Id" FROM "AspNetUsers" u
                CROSS JOIN LATERAL (
                    SELECT c."Id" FROM "Clients" c
                    WHERE c."InventoryId" = {Number(inventoryId)} AND c."{userColumn}" = u."Id" AND {filter}
                    ORDER BY c."Id" {direction} LIMIT {Number(rows)}) t
                WHERE {userBound}
                ORDER BY u."DisplayName" {direction}, u."Id" {direction}, t."Id" {direction}
                LIMIT {Number(rows)}
                """;
        }

        // The walk of each user's clients in a subquery with its LIMIT, the search checked on what it read; the look
        // past it (OFFSET, index only, once: "OFFSET 0" keeps it from being copied into the WHERE) only for a user whose
        // walk found less than a page. The walk takes the user as
        // a range of one, ordered by (user, id), which only the index on (inventory, user, id) gives (as the status
        // walk does): with "= u.Id" ordered by id, the LIMIT made PostgreSQL walk the primary key through every client.
        public override string UsersInOrderBounded(string userColumn, int inventoryId, string userBound, string filter, bool descending,
            int rows, int walkBound)
        {
            var direction = Direction(descending);
            var inventory = Number(inventoryId);
            var more = $"""
                EXISTS (SELECT 1 FROM "Clients" k WHERE k."InventoryId" = {inventory} AND k."{userColumn}" = u."Id" OFFSET {Number(walkBound)})
                """;
            return $"""
                SELECT m."Id", u."Id", k."Cut"
                FROM "AspNetUsers" u
                LEFT JOIN LATERAL (
                    SELECT f."Id", count(*) OVER () AS "Found" FROM (
                        SELECT c."Id" FROM (
                            SELECT c."Id", c."{userColumn}", c."NameKey", c."Description", c."CreatedByImportId" FROM "Clients" c
                            WHERE c."InventoryId" = {inventory} AND c."{userColumn}" BETWEEN u."Id" AND u."Id"
                            ORDER BY c."{userColumn}" {direction}, c."Id" {direction} LIMIT {Number(walkBound)}) c
                        WHERE {filter}
                        ORDER BY c."{userColumn}" {direction}, c."Id" {direction} LIMIT {Number(rows)}) f) m ON true
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN coalesce(m."Found", 0) < {Number(rows)} THEN {more} ELSE false END AS "Cut" OFFSET 0) k
                WHERE {userBound} AND (m."Id" IS NOT NULL OR k."Cut")
                ORDER BY u."DisplayName" {direction}, u."Id" {direction}, m."Id" {direction}
                LIMIT {Number(rows)}
                """;
        }
    }

    private sealed class Sqlite : ClientListSql
    {
        public override string FieldKey(string values, int fieldId) =>
            $"lower(NULLIF(substr(json_extract({values}, '$.\"{Number(fieldId)}\"[0]'), 1, {Number(KeyLength)}), ''))";

        public override string DescriptionKey => $"lower(substr(c.\"Description\", 1, {Number(KeyLength)}))";

        // "+" keeps SQLite from reading the clients through an index on the inventory (a lookup per client): reading the
        // table in order took a third of the CPU time for 200,000 clients (0.14 s instead of 0.45 s).
        public override string SearchedInventory(int inventoryId) => $"+c.\"InventoryId\" = {Number(inventoryId)}";

        // The trigram FTS5 index (ClientSearchIndex) from 3 characters on; shorter texts read the clients. The name key
        // is folded already; SQLite's LIKE (and lower()) fold ASCII letters only, so a description is asked for each
        // spelling of the text's other letters (NameSearch.Spellings: "ü" also as "Ü"; at most four for two letters).
        public override string Search(string text) => ClientSearchIndex.Query(text) is null
            ? """(c."NameKey" LIKE @pattern ESCAPE '\' OR c."Description" LIKE @pattern ESCAPE '\'""" +
              string.Concat(NameSearch.Spellings(text).Skip(1).Select((_, i) => $" OR c.\"Description\" LIKE @spelling{Number(i + 1)} ESCAPE '\\'")) +
              ")"
            : """c."Id" IN (SELECT rowid FROM "ClientSearch" WHERE "ClientSearch" MATCH @match)""";

        public override (string Name, object? Value)[] SearchParameters(string text) => ClientSearchIndex.Query(text) is { } match
            ? [("match", match)]
            : [("match", null), .. NameSearch.Spellings(text).Skip(1).Select((spelling, i) => ($"spelling{Number(i + 1)}", (object?)NameSearch.AsWritten(spelling)))];

        public override bool LooksFirst(string text) => ClientSearchIndex.Query(text) is not null;

        // Equal, so that an id bound after it is part of the index's range: after a range on the column SQLite checks
        // the id on every entry of the status or user (a walk bounded by an id read them all).
        public override string OneValue(string column, int value) => $"{column} = {Number(value)}";

        // The FTS5 table first (a CROSS JOIN keeps SQLite's order), each match's client by id, then sorted. With a most,
        // the table's matches (up to one more) are read once into a temporary table: counted, then either the row -1
        // (the count a constant condition checked before either loop) or the page.
        public override string Seek(string scope, string key, string condition, string seek, string order, string seekOrder, int rows,
            int? most = null) => most is not { } bound
            ? $"""
                SELECT c."Id", {key} FROM "ClientSearch" CROSS JOIN "Clients" c ON c."Id" = "ClientSearch".rowid
                WHERE "ClientSearch" MATCH @match AND {scope} AND {condition}
                ORDER BY {order}
                LIMIT {Number(rows)}
                """
            : $"""
                WITH m AS MATERIALIZED (SELECT rowid AS "Id" FROM "ClientSearch" WHERE "ClientSearch" MATCH @match LIMIT {Number(bound + 1)})
                SELECT * FROM (SELECT -1, NULL WHERE (SELECT count(*) FROM m) > {Number(bound)})
                UNION ALL
                SELECT * FROM (
                    SELECT c."Id", {key} FROM m CROSS JOIN "Clients" c ON c."Id" = m."Id"
                    WHERE (SELECT count(*) FROM m) <= {Number(bound)} AND {scope} AND {condition}
                    ORDER BY {order}
                    LIMIT {Number(rows)})
                """;

        // The FTS5 table read first, in its own order, each match's client looked up by id until enough are found
        // (CROSS JOIN keeps that order): "c.Id IN (SELECT rowid …)" collected every match first, 26 ms instead of 8 for
        // the 22,000 clients of 200,000 that "floor 3" finds (docs/performance.md).
        public override string Matches(int inventoryId, string text, int rows, string column, bool anchored = false) => ClientSearchIndex.Query(text) is null
            ? base.Matches(inventoryId, text, rows, column)
            : $"""
                SELECT c."Id", c."{column}" FROM "ClientSearch" s CROSS JOIN "Clients" c
                WHERE s."ClientSearch" MATCH @match AND c."Id" = s.rowid AND c."InventoryId" = {Number(inventoryId)}
                LIMIT {Number(rows)}
                """;

        // For each client the walk reads, LIKE on its own name key and description (SQLite's LIKE ignores the case of
        // ASCII letters) instead of "c.Id IN (SELECT rowid …)", which collects every match of the FTS5 table for each
        // statement: 0.4 ms instead of 49 for the first page by name of "floor 3" among 200,000 clients. For a text of
        // ASCII characters the two agree on every client but one with a character the FTS5 table folds into an ASCII
        // letter (the Kelvin sign into k, the long s into s: the only two), for whom alone the FTS5 table is asked
        // (about 0.4 ms a client). A text with other characters keeps the FTS5 table.
        public override string SearchEach(string text) => !ChecksEach(text)
            ? Search(text)
            : """
                (c."NameKey" LIKE @pattern ESCAPE '\' OR c."Description" LIKE @pattern ESCAPE '\'
                 OR ((c."NameKey" || ifnull(c."Description", '')) GLOB @folded
                     AND EXISTS (SELECT 1 FROM "ClientSearch" WHERE "ClientSearch" MATCH @match AND rowid = c."Id")))
                """;

        public override (string Name, object? Value)[] SearchEachParameters(string text) =>
            [.. SearchParameters(text), ("folded", ChecksEach(text) ? "*[\u212A\u017F]*" : null)];

        private static bool ChecksEach(string text) => ClientSearchIndex.Query(text) is not null && Ascii.IsValid(text);

        // CROSS JOIN makes the users the outer loop (SQLite keeps the order of a CROSS JOIN); the index on (inventory,
        // user, id) hands each user's clients over in id order, so no sort is needed and the walk stops when full.
        public override string UsersInOrder(string userColumn, int inventoryId, string userBound, string filter, bool descending, int rows)
        {
            var direction = Direction(descending);
            return $"""
                SELECT c."Id", u."Id" FROM "AspNetUsers" u CROSS JOIN "Clients" c
                WHERE c."InventoryId" = {Number(inventoryId)} AND c."{userColumn}" = u."Id" AND {userBound} AND {filter}
                ORDER BY u."DisplayName" {direction}, u."Id" {direction}, c."Id" {direction}
                LIMIT {Number(rows)}
                """;
        }

        // The walk with no search, index only (the index on the users' names and ids, and the one on (inventory, user,
        // id)): about 0.3 ms for 10,000 clients.
        public override string? UsersAhead(string userColumn, int inventoryId, string userBound, bool descending, int walkBound)
        {
            var direction = Direction(descending);
            return $"""
                SELECT c."Id", u."Id" FROM "AspNetUsers" u CROSS JOIN "Clients" c
                WHERE c."InventoryId" = {Number(inventoryId)} AND c."{userColumn}" = u."Id" AND {userBound}
                ORDER BY u."DisplayName" {direction}, u."Id" {direction}, c."Id" {direction}
                LIMIT 1 OFFSET {Number(walkBound)}
                """;
        }

        // The edge's user in the walk's order: its name (read once: no column of the walk's rows) and id.
        private const string EdgeUser = """((SELECT e."DisplayName" FROM "AspNetUsers" e WHERE e."Id" = @edgeUser), @edgeUser)""";

        // The users up to the edge's, and of the edge's user the clients up to the edge: for any other user the bound is
        // past every id. Both are ranges of the walk's indexes, so the walk stops at the edge.
        public override (string Users, string Clients) UsersUpTo(bool descending) => descending
            ? ($"""(u."DisplayName", u."Id") >= {EdgeUser}""", """c."Id" >= CASE WHEN u."Id" = @edgeUser THEN @edge ELSE 0 END""")
            : ($"""(u."DisplayName", u."Id") <= {EdgeUser}""", """c."Id" <= CASE WHEN u."Id" = @edgeUser THEN @edge ELSE 2147483647 END""");

        // The FTS5 table's matches (a CROSS JOIN from it, as Seek), each one's client and user, after the edge, sorted.
        public override string UsersSought(string userColumn, int inventoryId, string userBound, string only, bool descending, int rows)
        {
            var direction = Direction(descending);
            var op = descending ? "<" : ">";
            return $"""
                SELECT c."Id", u."Id" FROM "ClientSearch" CROSS JOIN "Clients" c ON c."Id" = "ClientSearch".rowid
                CROSS JOIN "AspNetUsers" u
                WHERE "ClientSearch" MATCH @match AND c."InventoryId" = {Number(inventoryId)} AND u."Id" = c."{userColumn}"
                  AND {only} AND {userBound}
                  AND ((u."DisplayName", u."Id") {op} {EdgeUser}
                       OR (u."Id" = @edgeUser AND c."Id" {op} @edge))
                ORDER BY u."DisplayName" {direction}, u."Id" {direction}, c."Id" {direction}
                LIMIT {Number(rows)}
                """;
        }
    }

    private sealed class SqlServer : ClientListSql
    {
        protected override bool BracketsAreWildcards => true;

        public override string? UsersOf(string userColumn, int inventoryId, int most) => null;

        public override string FieldKey(string values, int fieldId) =>
            $"NULLIF(LEFT(JSON_VALUE({values}, '$.\"{Number(fieldId)}\"[0]'), {Number(KeyLength)}), '')";

        public override string DescriptionKey => $"LEFT(c.\"Description\", {Number(KeyLength)})";

        public override string Search(string text) =>
            """(c."NameKey" LIKE @pattern ESCAPE '\' OR LOWER(c."Description") LIKE @pattern ESCAPE '\')""";

        public override string Select(int rows) => $"SELECT TOP ({Number(rows)})";

        public override string Limit(int rows) => "";

        // No row values in SQL Server.
        public override string After(string a, string b, string aValue, string bValue, bool descending)
        {
            var op = descending ? "<" : ">";
            return $"({a} {op} {aValue} OR ({a} = {aValue} AND {b} {op} {bValue}))";
        }

        public override string UsersInOrder(string userColumn, int inventoryId, string userBound, string filter, bool descending, int rows)
        {
            var direction = Direction(descending);
            return $"""
                SELECT TOP ({Number(rows)}) t."Id", u."Id" FROM "AspNetUsers" u
                CROSS APPLY (
                    SELECT TOP ({Number(rows)}) c."Id" FROM "Clients" c
                    WHERE c."InventoryId" = {Number(inventoryId)} AND c."{userColumn}" = u."Id" AND {filter}
                    ORDER BY c."Id" {direction}) t
                WHERE {userBound}
                ORDER BY u."DisplayName" {direction}, u."Id" {direction}, t."Id" {direction}
                """;
        }
    }
}
