using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Web.Features.Settings.Workflows;

/// <summary>
/// The history entry a workflow's settings change leaves on each client of a status: "Status: Done → Finished
/// (settings change: status renamed in workflow "Standard")", by the user who made the change, as an option's rename
/// leaves one on each client holding the option. One INSERT … SELECT for every client of the status, on every database,
/// inside the caller's transaction: nothing is read into memory, whether the status has ten clients or a million.
/// </summary>
public static class StatusHistory
{
    /// <summary>What a renamed status's clients read in their history: the settings change that renamed it.</summary>
    public static string Renamed(string workflowName) => $"status renamed in workflow \"{workflowName}\"";

    /// <summary>What the clients of a removed status read: the settings change that moved them to another status.</summary>
    public static string Removed(string statusName, string workflowName) =>
        $"status \"{statusName}\" removed from workflow \"{workflowName}\"";

    /// <summary>
    /// Writes one entry "Status: <paramref name="oldName"/> → <paramref name="newName"/>" on every client of the
    /// workflow's inventories that has the status <paramref name="statusId"/> now (through the clients' status index);
    /// returns how many. <paramref name="action"/> is <see cref="ClientHistoryAction.Renamed"/> for a rename (no change
    /// since for a revert), <see cref="ClientHistoryAction.Changed"/> for clients moved to another status.
    /// </summary>
    public static async Task<int> RecordAsync(RolloutDbContext db, int workflowId, int statusId, string oldName, string newName,
        string setting, ClientHistoryAction action, int? actorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var entity = db.Model.FindEntityType(typeof(ClientHistoryEntry));
        // The time and the changes as the model stores them (SQLite's time is binary, decision 0008; the changes are
        // JSON): a raw statement's parameter is not converted.
        List<FieldChange> changes = [new FieldChange(ClientHistoryFields.Status, oldName, newName, Setting: setting)];
        var storedAt = entity?.FindProperty(nameof(ClientHistoryEntry.At))?.GetTypeMapping().Converter?.ConvertToProvider(at) ?? at;
        var storedChanges = entity?.FindProperty(nameof(ClientHistoryEntry.Changes))?.GetTypeMapping().Converter?.ConvertToProvider(changes)
            ?? throw new InvalidOperationException("The model stores no history changes.");
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = RecordSql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        Add(command, "@workflow", workflowId, DbType.Int32);
        Add(command, "@status", statusId, DbType.Int32);
        Add(command, "@at", storedAt, null);
        Add(command, "@actor", actorId, DbType.Int32);
        Add(command, "@action", action.ToString(), DbType.String);
        Add(command, "@changes", storedChanges, DbType.String);
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

    /// <summary>
    /// The same for every database: the entry's changes are one text for every client, made here. The clients are found
    /// by inventory and status, the order of their status index; only the inventories of the workflow can have the status.
    /// </summary>
    internal const string RecordSql = """
        INSERT INTO "ClientHistory" ("ClientId", "At", "UserId", "ImportId", "Action", "Changes", "Corrections")
        SELECT c."Id", @at, @actor, NULL, @action, @changes, NULL
        FROM "Clients" AS c
        WHERE c."InventoryId" IN (SELECT i."Id" FROM "Inventories" AS i WHERE i."WorkflowId" = @workflow)
          AND c."StatusId" = @status
        """;

    /// <summary>The statement under a name the SQL Server checks find (SqlServerScriptTests).</summary>
    internal static class SqlServerStatusHistory
    {
        internal const string RecordSql = StatusHistory.RecordSql;
    }
}
