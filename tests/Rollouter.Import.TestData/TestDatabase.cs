using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;

namespace Rollouter.Import.TestData;

/// <summary>
/// A fresh, migrated database for one test, fixture or benchmark run: a temporary SQLite file, or a new database on the
/// PostgreSQL server named by ROLLOUTER_TEST_POSTGRES (default: postgres/postgres on 127.0.0.1) or by the caller, copied
/// from a migrated template where the process keeps one (<see cref="CopyMigratedPostgres"/>). A missing server fails
/// the test; it is never skipped.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "ROLLOUTER_TEST_POSTGRES";
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

    private readonly string? _sqliteFolder;
    private readonly string? _postgresServer;
    private readonly string? _postgresDatabase;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? sqliteFolder, string? postgresServer,
        string? postgresDatabase)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFolder = sqliteFolder;
        _postgresServer = postgresServer;
        _postgresDatabase = postgresDatabase;
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(provider, connectionString);
        Options = options.Options;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public DbContextOptions<RolloutDbContext> Options { get; }

    /// <summary>
    /// Set by a test process that keeps a migrated PostgreSQL template (the unit tests' <c>PostgresTemplates</c>):
    /// creates the named database on <see cref="PostgresServer"/> as a copy of it, instead of migrating a new one.
    /// </summary>
    public static Func<string, Task>? CopyMigratedPostgres { get; set; }

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : DefaultPostgres;

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true) =>
        CreateAsync(provider, new TestDatabaseOptions { Migrate = migrate });

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, TestDatabaseOptions options)
    {
        TestDatabase database;
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var folder = Directory.CreateTempSubdirectory($"rollouter-{options.Purpose}-").FullName;
                database = new TestDatabase(provider,
                    new SqliteConnectionStringBuilder
                    {
                        DataSource = Path.Combine(folder, $"{options.Purpose}.db"),
                        Pooling = options.SqlitePooling,
                    }.ToString(), folder, null, null);
                break;
            case DatabaseProvider.PostgreSql:
                var server = options.PostgresServer ?? PostgresServer;
                // Stamped with the time, so that a test run can tell what a crashed run left behind by its age.
                var name = $"rollouter_{options.Purpose}_{DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}_" +
                    Guid.NewGuid().ToString("N")[..8];
                if (options.Migrate && options.PostgresServer is null && CopyMigratedPostgres is { } copy)
                {
                    await copy(name);
                    return new TestDatabase(provider,
                        new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString(), null, server, name);
                }

                await using (var connection = new NpgsqlConnection(server))
                {
                    try
                    {
                        await connection.OpenAsync();
                    }
                    catch (Exception e)
                    {
                        throw new InvalidOperationException(
                            $"This needs PostgreSQL at '{server}' (set {PostgresVariable}, or --connection for the " +
                            $"bench); ./test.sh installs and starts one. {e.Message}", e);
                    }

                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    await create.ExecuteNonQueryAsync();
                }

                database = new TestDatabase(provider,
                    new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString(), null, server, name);
                break;
            default:
                throw new NotSupportedException($"No test server for {provider} on this machine.");
        }

        if (options.Migrate)
        {
            await using var context = database.CreateContext();
            await context.Database.MigrateAsync();
            // SQLite's search index, made by the app at start-up outside the migrations: the import maintains it.
            await ClientSearchIndex.EnsureAsync(context, default);
        }

        return database;
    }

    public RolloutDbContext CreateContext() => new(Options);

    public async ValueTask DisposeAsync()
    {
        if (_sqliteFolder is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_sqliteFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        // BENCH_KEEP_DATABASE=1 leaves a PostgreSQL database in place to be looked at (the bench's, after a run).
        if (_postgresDatabase is not null && Environment.GetEnvironmentVariable("BENCH_KEEP_DATABASE") == "1")
        {
            await Console.Error.WriteLineAsync($"kept database {_postgresDatabase}");
        }
        else if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresServer);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

public sealed record TestDatabaseOptions
{
    public bool Migrate { get; init; } = true;

    /// <summary>Npgsql connection string of the server to create the database on; default: <see cref="TestDatabase.PostgresServer"/>.</summary>
    public string? PostgresServer { get; init; }

    /// <summary>
    /// Tests turn SQLite's pooling off so that a test's file can be deleted at once; the bench keeps it on, as the
    /// app has it.
    /// </summary>
    public bool SqlitePooling { get; init; }

    /// <summary>Part of the database's and the temporary folder's name ("test", "bench"), to tell leftovers apart.</summary>
    public string Purpose { get; init; } = "test";
}
