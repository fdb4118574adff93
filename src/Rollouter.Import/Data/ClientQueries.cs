using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data;

public static class ClientQueries
{
    /// <summary>
    /// The clients of one inventory of the rollout, read through the index on (inventory, name key); naming the
    /// rollout too keeps a query from reaching another rollout's inventory by its id.
    /// </summary>
    public static IQueryable<Client> InInventory(this IQueryable<Client> clients, int rolloutId, int inventoryId) =>
        clients.Where(c => c.RolloutId == rolloutId && c.InventoryId == inventoryId);

    /// <summary>
    /// The inventories that show the custom field, and those whose clients keep its values hidden since it was taken off
    /// (<see cref="InventoryHiddenField"/>): what a change of the field or its options reaches.
    /// </summary>
    public static IQueryable<Inventory> WithField(this RolloutDbContext db, int fieldId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Inventories.Where(i => i.CustomFields.Any(f => f.CustomFieldId == fieldId)
                                         || db.InventoryHiddenFields.Any(h => h.InventoryId == i.Id && h.CustomFieldId == fieldId));
    }

    /// <summary>
    /// Whether a client of the inventory holds a value of the custom field: its id is a key of the client's stored
    /// values (the JSON key test the migration that recorded the hidden fields uses). One query, reading the
    /// inventory's clients through their index until one holds it.
    /// </summary>
    public static Task<bool> AnyHoldsValueAsync(this RolloutDbContext db, int rolloutId, int inventoryId, int fieldId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var key = "%\"" + fieldId.ToString(CultureInfo.InvariantCulture) + "\":%";
        return db.Database.SqlQuery<int>(
                $"SELECT 1 AS \"Value\" FROM \"Clients\" WHERE \"RolloutId\" = {rolloutId} AND \"InventoryId\" = {inventoryId} AND \"Values\" LIKE {key}")
            .AnyAsync(cancellationToken);
    }

    /// <summary>
    /// The clients whose value of the custom field holds <paramref name="option"/> exactly, as <see cref="Holds"/>
    /// decides (ordinal: no case folding, no trimming, an invisible character counts), decided by the database from
    /// the stored JSON (a text column on every provider: an object keyed by field id, each value an array of strings),
    /// so that only those clients are read: PostgreSQL parses a client's values (<c>jsonb</c>, about 1 µs a client) only
    /// where the text holds the field's key, SQLite likewise with <c>json_each</c>. Both compare the string as stored,
    /// byte for byte (PostgreSQL's <c>?</c> and SQLite's BINARY collation). Null on SQL Server, whose comparison
    /// ignores trailing spaces and, under the default collation, case: there the caller reads the field's clients and
    /// asks <see cref="Holds"/> (untested here, so left as it was). The option is a parameter; the field id a number.
    /// </summary>
    public static IQueryable<Client>? HoldingOption(this RolloutDbContext db, int fieldId, string option)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(option);
        var id = fieldId.ToString(CultureInfo.InvariantCulture);
        var sql = db.Provider switch
        {
            DatabaseProvider.PostgreSql =>
                "SELECT * FROM \"Clients\" WHERE CASE WHEN strpos(\"Values\", '\"" + id + "\":') > 0 THEN (\"Values\"::jsonb -> '" + id
                + "') ? {0} ELSE false END",
            DatabaseProvider.Sqlite =>
                "SELECT * FROM \"Clients\" WHERE CASE WHEN instr(\"Values\", '\"" + id + "\":') > 0 THEN EXISTS (SELECT 1 FROM json_each(\"Values\", '$.\"" + id
                + "\"') WHERE value = {0}) ELSE 0 END",
            _ => null,
        };
        return sql is null ? null : db.Clients.FromSqlRaw(sql, option);
    }

    /// <summary>Whether a client's <paramref name="values"/> of a field hold <paramref name="option"/>: ordinal equality.</summary>
    public static bool Holds(string[]? values, string option) => values is not null && values.Contains(option, StringComparer.Ordinal);

    /// <summary>
    /// Inside the caller's transaction, after clients of the inventory were deleted or lost values: drops the
    /// inventory's hidden-field records (<see cref="InventoryHiddenField"/>) that no client of it holds a value for any
    /// more, so that they stop reaching the field (<see cref="WithField"/>). One query per hidden field of the
    /// inventory, none when it has none. Returns the fields dropped.
    /// </summary>
    public static async Task<List<int>> DropUnheldHiddenFieldsAsync(this RolloutDbContext db, int rolloutId, int inventoryId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var hidden = await db.InventoryHiddenFields.Where(h => h.InventoryId == inventoryId).Select(h => h.CustomFieldId)
            .ToListAsync(cancellationToken);
        var unheld = new List<int>();
        foreach (var fieldId in hidden)
        {
            if (!await db.AnyHoldsValueAsync(rolloutId, inventoryId, fieldId, cancellationToken))
            {
                unheld.Add(fieldId);
            }
        }

        if (unheld.Count > 0)
        {
            await db.InventoryHiddenFields.Where(h => h.InventoryId == inventoryId && unheld.Contains(h.CustomFieldId))
                .ExecuteDeleteAsync(cancellationToken);
        }

        return unheld;
    }
}
