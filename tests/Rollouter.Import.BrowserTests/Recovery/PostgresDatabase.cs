using System.Globalization;
using Npgsql;

namespace Rollouter.Import.BrowserTests.Recovery;

/// <summary>
/// An empty database on the PostgreSQL server named by ROLLOUTER_TEST_POSTGRES (default: postgres/postgres on
/// 127.0.0.1), for app processes to share; dropped at the end. A missing server fails the test, never skips it.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private const string DefaultServer = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

    private readonly string _name;

    private PostgresDatabase(string name, string connectionString)
    {
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    private static string Server =>
        Environment.GetEnvironmentVariable("ROLLOUTER_TEST_POSTGRES") is { Length: > 0 } value ? value : DefaultServer;

    public static async Task<PostgresDatabase> CreateAsync()
    {
        // Stamped like the other test projects' databases, whose next run drops what a crashed run left behind.
        var name = string.Create(CultureInfo.InvariantCulture,
            $"rollouter_process_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid().ToString("N")[..8]}");
        await using (var connection = new NpgsqlConnection(Server))
        {
            try
            {
                await connection.OpenAsync();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"These tests need PostgreSQL at '{Server}' (set ROLLOUTER_TEST_POSTGRES); ./test.sh installs and " +
                    $"starts one. {e.Message}", e);
            }

            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new PostgresDatabase(name, new NpgsqlConnectionStringBuilder(Server) { Database = name }.ToString());
    }

    /// <summary>The app's settings for this database, with the demo data.</summary>
    public IReadOnlyDictionary<string, string> AppSettings => new Dictionary<string, string>
    {
        ["Rollouter__DatabaseProvider"] = "PostgreSql",
        ["ConnectionStrings__PostgreSql"] = ConnectionString,
        ["Rollouter__DemoData"] = "true",
    };

    /// <summary>The first column of the first row of a query.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Holds the inventory's row as an UPDATE would, until disposed: an import into it writes every row, then waits at
    /// the end of its transaction, where it adds its clients to the inventory's count. A test can thus end an app
    /// "during the write" on any machine, however fast: the write cannot commit before the hold ends.
    /// </summary>
    public async Task<IAsyncDisposable> HoldInventoryAsync(string rollout, string inventory)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT i."Id" FROM "Inventories" i JOIN "Rollouts" r ON r."Id" = i."RolloutId"
            WHERE r."Identifier" = @rollout AND i."Name" = @inventory FOR NO KEY UPDATE OF i
            """, connection, transaction);
        command.Parameters.AddWithValue("rollout", rollout);
        command.Parameters.AddWithValue("inventory", inventory);
        if (await command.ExecuteScalarAsync() is null)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException($"No inventory \"{inventory}\" in rollout {rollout}.");
        }

        return new Hold(connection, transaction);
    }

    private sealed class Hold(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
