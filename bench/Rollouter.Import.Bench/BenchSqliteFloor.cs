using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Bench;

/// <summary>
/// SQLite's own floor for an import with the lists' indexes: the bench's rows, made in memory and already resolved to
/// ids (no file, no checks), inserted into a fresh bench database (the app's schema: the unique names, the
/// inventory's names, the three sort indexes) by one prepared statement in one transaction, the search index (FTS5)
/// filled in one statement as the import fills it. Prints <c>reference=sqlite_indexed rows=N seconds=S</c>: the time
/// of that transaction alone.
/// </summary>
public static class BenchSqliteFloor
{
    public static async Task<int> RunAsync(int rows)
    {
        await using var database = await BenchDatabase.CreateAsync(DatabaseProvider.Sqlite, null);
        await using var db = database.CreateContext();
        var statuses = await db.WorkflowStatuses.ToDictionaryAsync(s => s.Name, s => s.Id);
        var users = await db.Users.ToDictionaryAsync(u => u.Email ?? "", u => u.Id);
        var fields = await db.InventoryCustomFields.Where(f => f.InventoryId == database.InventoryId)
            .OrderBy(f => f.Position).Select(f => f.CustomFieldId).ToListAsync();
        var made = Enumerable.Range(1, rows).Select(i => Resolve(BenchData.Row(i), statuses, users, fields)).ToList();

        await db.Database.OpenConnectionAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var watch = Stopwatch.StartNew();
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var highest = await ClientSearchIndex.SuspendInsertTriggerAsync(command, default);
            command.CommandText = """
                INSERT INTO "Clients" ("Name", "NameKey", "StatusId", "AssigneeId", "ClientUserId", "Description", "Flag",
                                       "Values", "RolloutId", "InventoryId", "CreatedAt", "UpdatedAt", "CreatedById",
                                       "CreatedByImportId")
                VALUES (@name, @key, @status, @assignee, @user, @description, @flag, @values, @rollout, @inventory, @now, @now,
                        @by, NULL)
                """;
            var parameters = new[] { "@name", "@key", "@status", "@assignee", "@user", "@description", "@flag", "@values" }
                .Select(name => command.Parameters.Add(new SqliteParameter(name, null))).ToArray();
            command.Parameters.AddWithValue("@rollout", database.RolloutId);
            command.Parameters.AddWithValue("@inventory", database.InventoryId);
            command.Parameters.AddWithValue("@now", DateTimeOffset.UtcNow.UtcTicks);
            command.Parameters.AddWithValue("@by", database.UserId);
            await command.PrepareAsync();
            foreach (var row in made)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = row[i] ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync();
            }

            command.Parameters.Clear();
            if (highest is { } last)
            {
                await ClientSearchIndex.IndexClientsAfterAsync(command, last, default);
            }

            await transaction.CommitAsync();
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var count = await db.Clients.CountAsync();
        if (count != rows)
        {
            await Console.Error.WriteLineAsync($"expected {rows} clients, found {count}");
            return 1;
        }

        Console.WriteLine(FormattableString.Invariant($"reference=sqlite_indexed rows={rows} seconds={seconds:0.00}"));
        return 0;
    }

    /// <summary>A file row as the import stores it: the key, ids for status and users, the custom fields as JSON.</summary>
    private static object?[] Resolve(string[] row, Dictionary<string, int> statuses, Dictionary<string, int> users, List<int> fields)
    {
        var values = new Dictionary<string, object>();
        for (var i = 0; i < fields.Count; i++)
        {
            var text = row[6 + i];
            values[fields[i].ToString(CultureInfo.InvariantCulture)] = text.Contains(';', StringComparison.Ordinal) ? text.Split(';') : text;
        }

        return
        [
            row[0], Client.KeyOf(row[0]), statuses[row[1]], users[row[2]], users[row[3]], row[4],
            row[5].Length == 0 ? null : row[5], JsonSerializer.Serialize(values),
        ];
    }
}
