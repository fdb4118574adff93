using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Clients;

/// <summary>
/// The history entry an inventory's deletion leaves on each client of another inventory that was linked to one of its
/// clients: "Link: is used with DK-1 → (removed with inventory Desks)", as an unlink records the link's end ("Link: is
/// used with DK-1 → (empty)"), by the user who deleted the inventory. One entry per link, read from the link as the
/// remaining client read it (the outward name from the source, the inward from the target). Written by one
/// INSERT … SELECT per database inside the deletion's transaction, before the links go: nothing is read into memory,
/// whatever the number of links.
/// </summary>
public static class LinksRemovedWithInventory
{
    /// <summary>The new value of the entry: what the link became.</summary>
    public static string RemovedValue(string inventoryName) => $"(removed with inventory {inventoryName})";

    /// <summary>
    /// Writes the entries for every link between a client of the inventory and a client of another inventory (links
    /// inside the inventory go with both clients and their history); returns how many.
    /// </summary>
    public static async Task<int> RecordAsync(RolloutDbContext db, int rolloutId, int inventoryId, string inventoryName,
        int? actorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sql = db.Provider switch
        {
            DatabaseProvider.Sqlite => SqliteSql,
            DatabaseProvider.PostgreSql => PostgreSqlSql,
            _ => SqlServerLinksRemovedWithInventory.RecordSql,
        };
        // The time as the model stores it (SQLite: binary, decision 0008): a raw statement's parameter is not converted.
        var stored = db.Model.FindEntityType(typeof(ClientHistoryEntry))?.FindProperty(nameof(ClientHistoryEntry.At))?
            .GetTypeMapping().Converter?.ConvertToProvider(at) ?? at;
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        Add(command, "@rollout", rolloutId, DbType.Int32);
        Add(command, "@inventory", inventoryId, DbType.Int32);
        Add(command, "@at", stored, null);
        Add(command, "@actor", actorId, DbType.Int32);
        Add(command, "@removed", RemovedValue(inventoryName), DbType.String);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Add(DbCommand command, string name, object? value, DbType? type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (type is { } known)
        {
            parameter.DbType = known;
        }

        command.Parameters.Add(parameter);
    }

    // Each link between a client of the inventory and one of another (links never cross rollouts), found from the
    // inventory's clients (d) through the links' indexes on either end: the remaining client (o) and the link type (t).
    private const string FromSource = """
        FROM "Clients" AS d
        INNER JOIN "ClientLinks" AS l ON l."SourceClientId" = d."Id"
        INNER JOIN "Clients" AS o ON o."Id" = l."TargetClientId"
        INNER JOIN "ClientLinkTypes" AS t ON t."Id" = l."ClientLinkTypeId"
        WHERE d."RolloutId" = @rollout AND d."InventoryId" = @inventory AND o."InventoryId" <> @inventory
        """;

    private const string FromTarget = """
        FROM "Clients" AS d
        INNER JOIN "ClientLinks" AS l ON l."TargetClientId" = d."Id"
        INNER JOIN "Clients" AS o ON o."Id" = l."SourceClientId"
        INNER JOIN "ClientLinkTypes" AS t ON t."Id" = l."ClientLinkTypeId"
        WHERE d."RolloutId" = @rollout AND d."InventoryId" = @inventory AND o."InventoryId" <> @inventory
        """;

    /// <summary>The remaining client and the link as it read it: the target reads the inward name, the source the outward.</summary>
    private const string Removed =
        "SELECT o.\"Id\" AS \"ClientId\", t.\"InwardName\" AS \"Reading\", d.\"Name\" AS \"Name\"\n" + FromSource +
        "\nUNION ALL\nSELECT o.\"Id\", t.\"OutwardName\", d.\"Name\"\n" + FromTarget;

    private const string Insert = """
        INSERT INTO "ClientHistory" ("ClientId", "At", "UserId", "ImportId", "Action", "Changes", "Corrections")
        """;

    // The changes as the JSON column holds them (JsonColumns: camelCase, a null written as null), made by the database's
    // own JSON functions, which escape quotes, backslashes and control characters. The constants are selected outside the
    // union: PostgreSQL gives a NULL that only a union's branches hold the type text, which "ImportId" refuses.
    internal const string SqliteSql = Insert + "\n" + """
        SELECT x."ClientId", @at, @actor, NULL, 'Changed',
               json_array(json_object('field', 'Link', 'old', x."Reading" || ' ' || x."Name", 'new', @removed)), NULL
        FROM (
        """ + "\n" + Removed + "\n) AS x";

    internal const string PostgreSqlSql = Insert + "\n" + """
        SELECT x."ClientId", @at, @actor, NULL, 'Changed',
               json_build_array(json_build_object('field', 'Link', 'old', x."Reading" || ' ' || x."Name", 'new', CAST(@removed AS text)))::text,
               NULL
        FROM (
        """ + "\n" + Removed + "\n) AS x";

    /// <summary>SQL Server's statement, in a class of its own name so that the SQL Server checks parse it (SqlServerScriptTests).</summary>
    internal static class SqlServerLinksRemovedWithInventory
    {
        internal const string RecordSql = Insert + "\n" + """
            SELECT o."Id", @at, @actor, NULL, N'Changed',
                   (SELECT N'Link' AS "field", t."InwardName" + N' ' + d."Name" AS "old", @removed AS "new"
                    FOR JSON PATH, INCLUDE_NULL_VALUES),
                   NULL
            """ + "\n" + FromSource + "\nUNION ALL\n" + """
            SELECT o."Id", @at, @actor, NULL, N'Changed',
                   (SELECT N'Link' AS "field", t."OutwardName" + N' ' + d."Name" AS "old", @removed AS "new"
                    FOR JSON PATH, INCLUDE_NULL_VALUES),
                   NULL
            """ + "\n" + FromTarget;
    }
}
