using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data.ClientLists;

/// <summary>
/// SQLite's index for the client search, the best it allows for a text anywhere in a name or description: an FTS5 table
/// with the trigram tokenizer over the name key and the description, holding no copy of them (external content: the
/// clients table), kept in step by triggers on every insert, delete and change of those two columns. The EF model has
/// no virtual tables or triggers, so it is made here, at start-up and wherever a database is made, and filled from the
/// clients when it is new. PostgreSQL's trigram index is in the model (IX_Clients_Search); SQL Server has none.
/// </summary>
public static class ClientSearchIndex
{
    public const string Table = "ClientSearch";

    private const string Ddl = """
        CREATE VIRTUAL TABLE IF NOT EXISTS "ClientSearch" USING fts5("NameKey", "Description", content='Clients',
            content_rowid='Id', tokenize='trigram');
        CREATE TRIGGER IF NOT EXISTS "Clients_Search_Insert" AFTER INSERT ON "Clients" BEGIN
            INSERT INTO "ClientSearch" (rowid, "NameKey", "Description") VALUES (new."Id", new."NameKey", new."Description");
        END;
        CREATE TRIGGER IF NOT EXISTS "Clients_Search_Delete" AFTER DELETE ON "Clients" BEGIN
            INSERT INTO "ClientSearch" ("ClientSearch", rowid, "NameKey", "Description")
                VALUES ('delete', old."Id", old."NameKey", old."Description");
        END;
        CREATE TRIGGER IF NOT EXISTS "Clients_Search_Update" AFTER UPDATE OF "NameKey", "Description" ON "Clients" BEGIN
            INSERT INTO "ClientSearch" ("ClientSearch", rowid, "NameKey", "Description")
                VALUES ('delete', old."Id", old."NameKey", old."Description");
            INSERT INTO "ClientSearch" (rowid, "NameKey", "Description") VALUES (new."Id", new."NameKey", new."Description");
        END;
        """;

    /// <summary>Makes the search index of a SQLite database if it has none (and fills it); nothing on other databases.</summary>
    public static async Task EnsureAsync(RolloutDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        var exists = await db.Database.SqlQueryRaw<int>(
            """SELECT count(*) AS "Value" FROM sqlite_master WHERE type = 'table' AND name = 'ClientSearch'""").SingleAsync(ct) > 0;
        await db.Database.ExecuteSqlRawAsync(Ddl, ct);
        if (!exists)
        {
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "ClientSearch" ("ClientSearch") VALUES ('rebuild')""", ct);
        }
    }

    /// <summary>
    /// The FTS5 query of a search text: the text as one phrase (its quotes doubled), which the trigram tokenizer matches
    /// anywhere in a value, ignoring case. Needs 3 characters at least (one trigram); shorter searches read the clients.
    /// </summary>
    public static string? Query(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length >= 3 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : null;
    }
}
