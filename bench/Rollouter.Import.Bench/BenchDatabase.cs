using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.TestData;

namespace Rollouter.Import.Bench;

/// <summary>
/// A fresh database with the rollout, inventory, users and custom fields the benchmark file refers to
/// (<see cref="BenchData"/>), made as the tests make theirs.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private BenchDatabase(TestDatabase database) => _database = database;

    public DatabaseProvider Provider => _database.Provider;

    public string ConnectionString => _database.ConnectionString;

    public DbContextOptions<RolloutDbContext> Options => _database.Options;

    public int InventoryId { get; private set; }

    public int RolloutId { get; private set; }

    public int UserId { get; private set; }

    public RolloutDbContext CreateContext() => _database.CreateContext();

    public static async Task<BenchDatabase> CreateAsync(DatabaseProvider provider, string? postgresServer)
    {
        if (provider == DatabaseProvider.PostgreSql && postgresServer is null)
        {
            throw new ArgumentException("--connection is required for postgres");
        }

        // SQLite keeps its pooling, as the app has it.
        var database = new BenchDatabase(await TestDatabase.CreateAsync(provider,
            new TestDatabaseOptions { PostgresServer = postgresServer, SqlitePooling = true, Purpose = "bench" }));
        await using var db = database.CreateContext();
        var seeded = await BenchData.Rollout(TimeProvider.System.GetUtcNow()).SaveAsync(db);
        database.InventoryId = seeded.InventoryId;
        database.RolloutId = seeded.RolloutId;
        database.UserId = seeded.Users[0].Id;
        return database;
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
