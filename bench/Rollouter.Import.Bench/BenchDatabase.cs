using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Bench;

/// <summary>A fresh database with the rollout, inventory, users and custom fields the benchmark file refers to.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _postgresServer;
    private readonly string? _postgresDatabase;
    private readonly string? _sqliteFolder;

    private BenchDatabase(DatabaseProvider provider, string connectionString, string? sqliteFolder,
        string? postgresServer, string? postgresDatabase)
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

    public int InventoryId { get; private set; }

    public int RolloutId { get; private set; }

    public int UserId { get; private set; }

    public RolloutDbContext CreateContext() => new(Options);

    public static async Task<BenchDatabase> CreateAsync(DatabaseProvider provider, string? postgresServer)
    {
        BenchDatabase database;
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("rollouter-bench-").FullName;
            database = new BenchDatabase(provider,
                new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db") }.ToString(),
                folder, null, null);
        }
        else
        {
            var server = postgresServer ?? throw new ArgumentException("--connection is required for postgres");
            var name = "rollouter_bench_" + Guid.NewGuid().ToString("N")[..12];
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync();
            }

            database = new BenchDatabase(provider,
                new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString(), null, server, name);
        }

        await database.SeedAsync();
        return database;
    }

    private async Task SeedAsync()
    {
        await using var db = CreateContext();
        await db.Database.MigrateAsync();
        // SQLite's search index, made by the app at start-up outside the migrations: the import maintains it.
        await ClientSearchIndex.EnsureAsync(db, default);
        var now = DateTimeOffset.UtcNow;
        var workflow = new Workflow
        {
            Name = "Bench",
            Statuses = new[] { "New", "Prepared", "Scheduled", "Done" }
                .Select((s, i) => new WorkflowStatus { Name = s, Position = i }).ToList(),
        };
        CustomField[] fields =
        [
            new() { Name = "Location", Type = CustomFieldType.Input },
            Selection("Model", CustomFieldType.Selection, Enumerable.Range(0, 7).Select(i => $"Model {i}")),
            Selection("Software", CustomFieldType.MultiSelection, Enumerable.Range(0, 10).Select(i => $"App {i}")),
            new() { Name = "Serial", Type = CustomFieldType.Input, ValidationRegex = "^SN[0-9]{9}$" },
            Selection("Department", CustomFieldType.Selection, Enumerable.Range(0, 40).Select(i => $"Dept {i}")),
            new() { Name = "Notes", Type = CustomFieldType.TextArea },
        ];
        var rollout = new Rollout { Name = "Bench", Identifier = "BENCH", CreatedAt = now };
        var inventory = new Inventory
        {
            Rollout = rollout,
            Name = "Bench",
            Workflow = workflow,
            CreatedAt = now,
            CustomFields = fields.Select((f, i) => new InventoryCustomField { CustomField = f, Position = i }).ToList(),
        };
        db.Inventories.Add(inventory);
        var manager = User("manager@bench.test", "Bench Manager", "B-MANAGER", Role.RolloutManager);
        db.Users.Add(manager);
        db.Users.AddRange(Enumerable.Range(0, 20)
            .Select(i => User($"tech{i}@bench.test", $"Technician {i}", $"B-T{i}", Role.Technician)));
        db.Users.AddRange(Enumerable.Range(0, 5000)
            .Select(i => User($"user{i}@bench.test", $"User {i}", $"B-U{i}", Role.ClientUser)));
        await db.SaveChangesAsync();
        InventoryId = inventory.Id;
        RolloutId = rollout.Id;
        UserId = manager.Id;
    }

    private static CustomField Selection(string name, CustomFieldType type, IEnumerable<string> options) => new()
    {
        Name = name,
        Type = type,
        Options = options.Select((o, i) => new CustomFieldOption { Name = o, Position = i }).ToList(),
    };

    private static User User(string email, string name, string code, Role role) => new()
    {
        UserName = email,
        NormalizedUserName = email.ToUpperInvariant(),
        Email = email,
        NormalizedEmail = email.ToUpperInvariant(),
        DisplayName = name,
        UserCode = code,
        Role = role,
        SecurityStamp = Guid.NewGuid().ToString("N"),
    };

    public async ValueTask DisposeAsync()
    {
        if (_sqliteFolder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_sqliteFolder, recursive: true);
        }

        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresServer);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
