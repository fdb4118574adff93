using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data.ClientLists;

/// <summary>
/// The indexes that let the client list sort by a custom field: one per inventory and field, on the field's sort key
/// (<see cref="ClientListSql.FieldKey"/>) and the client id, holding only the inventory's clients (a partial index:
/// an import into another inventory does not maintain it). It leads with the inventory id, like the other sorts'
/// indexes: SQLite, without statistics, would otherwise take one of those for the inventory and sort. They follow the inventory's fields: made when a field is
/// added, dropped when it is taken away or the inventory deleted, and checked at start-up. PostgreSQL builds them
/// CONCURRENTLY, so imports and edits go on meanwhile. SQLite builds them in place; SQL Server has none (an index on a
/// JSON value needs a computed column per field), so there a custom field's sort reads the inventory's clients.
/// They live outside the EF model (and its migrations), as inventories and fields are data.
/// </summary>
public static class ClientSortIndexes
{
    private const string Prefix = "IX_Clients_Field_";

    public static string Name(int inventoryId, int fieldId) =>
        $"{Prefix}{ClientListSql.Number(inventoryId)}_{ClientListSql.Number(fieldId)}";

    /// <summary>Makes the indexes of the inventory's fields that are missing and drops those of fields it no longer has.</summary>
    public static async Task UpdateAsync(RolloutDbContext db, int inventoryId, IReadOnlyCollection<int> fieldIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(fieldIds);
        if (db.Provider == DatabaseProvider.SqlServer)
        {
            return;
        }

        var wanted = fieldIds.Distinct().ToDictionary(f => Name(inventoryId, f));
        var existing = await ExistingAsync(db, Prefix + ClientListSql.Number(inventoryId) + "_", ct);
        var timeout = db.Database.GetCommandTimeout();
        // An index on a large inventory takes a while; the request that adds a field waits for it.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        try
        {
            foreach (var (name, valid) in existing)
            {
                if (!wanted.ContainsKey(name) || !valid)
                {
                    await DropAsync(db, name, ct);
                }
            }

            foreach (var (name, fieldId) in wanted)
            {
                if (!existing.TryGetValue(name, out var valid) || !valid)
                {
                    await CreateAsync(db, name, inventoryId, fieldId, ct);
                }
            }
        }
        finally
        {
            db.Database.SetCommandTimeout(timeout);
        }
    }

    /// <summary>At start-up: every inventory's indexes as its fields say, and none of inventories that are gone.</summary>
    public static async Task UpdateAllAsync(RolloutDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Provider == DatabaseProvider.SqlServer)
        {
            return;
        }

        var inventories = (await db.InventoryCustomFields.AsNoTracking().Select(f => new { f.InventoryId, f.CustomFieldId })
                .ToListAsync(ct))
            .GroupBy(f => f.InventoryId).ToDictionary(g => g.Key, g => g.Select(f => f.CustomFieldId).ToList());
        foreach (var id in await db.Inventories.AsNoTracking().Select(i => i.Id).ToListAsync(ct))
        {
            await UpdateAsync(db, id, inventories.GetValueOrDefault(id) ?? [], ct);
        }

        var known = (await db.Inventories.AsNoTracking().Select(i => i.Id).ToListAsync(ct))
            .Select(id => Prefix + ClientListSql.Number(id) + "_").ToList();
        foreach (var name in (await ExistingAsync(db, Prefix, ct)).Keys.Where(n => !known.Any(n.StartsWith)))
        {
            await DropAsync(db, name, ct);
        }
    }

    private static Task CreateAsync(RolloutDbContext db, string name, int inventoryId, int fieldId, CancellationToken ct)
    {
        var key = ClientListSql.For(db.Provider).FieldKey("\"Values\"", fieldId);
        var concurrently = db.Provider == DatabaseProvider.PostgreSql ? "CONCURRENTLY " : "";
#pragma warning disable EF1002 // the statement holds numbers and the index name made of them, no user text
        return db.Database.ExecuteSqlRawAsync(
            $"CREATE INDEX {concurrently}IF NOT EXISTS \"{name}\" ON \"Clients\" (\"InventoryId\", ({key}), \"Id\") WHERE \"InventoryId\" = {ClientListSql.Number(inventoryId)}",
            ct);
    }

    private static Task DropAsync(RolloutDbContext db, string name, CancellationToken ct)
    {
        var concurrently = db.Provider == DatabaseProvider.PostgreSql ? "CONCURRENTLY " : "";
        return db.Database.ExecuteSqlRawAsync($"DROP INDEX {concurrently}IF EXISTS \"{name}\"", ct);
#pragma warning restore EF1002
    }

    /// <summary>The field indexes whose names start with <paramref name="prefix"/>, and whether each is valid (PostgreSQL
    /// leaves an invalid one behind when a concurrent build fails).</summary>
    private static async Task<Dictionary<string, bool>> ExistingAsync(RolloutDbContext db, string prefix, CancellationToken ct)
    {
        var sql = db.Provider == DatabaseProvider.PostgreSql
            ? """
              SELECT c.relname AS "Name", i.indisvalid AS "Valid" FROM pg_index i
              JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
              WHERE t.relname = 'Clients' AND starts_with(c.relname, {0})
              """
            : """
              SELECT name AS "Name", 1 AS "Valid" FROM sqlite_master
              WHERE type = 'index' AND tbl_name = 'Clients' AND substr(name, 1, length({0})) = {0}
              """;
        var rows = await db.Database.SqlQueryRaw<IndexRow>(sql, prefix).ToListAsync(ct);
        return rows.ToDictionary(r => r.Name, r => r.Valid);
    }

    private sealed class IndexRow
    {
        public string Name { get; set; } = "";

        public bool Valid { get; set; }
    }
}
