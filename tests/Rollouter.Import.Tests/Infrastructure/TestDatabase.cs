using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated database for one test or fixture: a temporary SQLite file, or a new database on the PostgreSQL
/// server named by ROLLOUTER_TEST_POSTGRES (default: postgres/postgres on 127.0.0.1), copied from a migrated template
/// (<see cref="PostgresTemplates"/>). A missing server fails the test; it is never skipped.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "ROLLOUTER_TEST_POSTGRES";
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

    private readonly string? _sqliteFolder;
    private readonly string? _postgresDatabase;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? sqliteFolder, string? postgresDatabase)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFolder = sqliteFolder;
        _postgresDatabase = postgresDatabase;
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(provider, connectionString);
        Options = options.Options;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public DbContextOptions<RolloutDbContext> Options { get; }

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : DefaultPostgres;

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true)
    {
        TestDatabase database;
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var folder = Directory.CreateTempSubdirectory("rollouter-test-").FullName;
                database = new TestDatabase(provider,
                    new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "test.db"), Pooling = false }
                        .ToString(), folder, null);
                break;
            case DatabaseProvider.PostgreSql:
                var name = PostgresTemplates.NewName("test");
                if (migrate)
                {
                    // Migrated once per test process, copied here (PostgresTemplates).
                    await Task.Run(() => PostgresTemplates.CreateMigrated(name));
                }
                else
                {
                    await using var connection = PostgresTemplates.OpenServer();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    await create.ExecuteNonQueryAsync();
                }

                database = new TestDatabase(provider,
                    new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ToString(), null, name);
                return database;
            default:
                throw new NotSupportedException($"No test server for {provider} on this machine.");
        }

        if (migrate)
        {
            await using var context = database.CreateContext();
            await context.Database.MigrateAsync();
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

        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await Task.Run(() => PostgresTemplates.Drop(_postgresDatabase));
        }
    }
}
