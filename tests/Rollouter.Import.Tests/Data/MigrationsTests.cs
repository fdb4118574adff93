using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.TestData;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

public class MigrationsTests
{
    /// <summary>Never opened: building the model and comparing it with the migrations needs no server.</summary>
    private static string UnusedConnectionString(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "Data Source=:memory:",
        DatabaseProvider.PostgreSql => "Host=127.0.0.1;Database=rollouter_model;Username=postgres",
        DatabaseProvider.SqlServer =>
            "Server=127.0.0.1;Database=Rollouter;TrustServerCertificate=True;User Id=sa;Password=unused",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    private static RolloutDbContext ModelOnlyContext(DatabaseProvider provider)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(provider, UnusedConnectionString(provider));
        return new RolloutDbContext(options.Options);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    [InlineData(DatabaseProvider.SqlServer)]
    public void Model_HasNoChangesMissingFromTheProvidersMigrations(DatabaseProvider provider)
    {
        using var context = ModelOnlyContext(provider);

        Assert.True(!context.Database.HasPendingModelChanges(),
            $"The model differs from the last {provider} migration. Add one: dotnet ef migrations add <Name> " +
            $"--project src/Migrations/{DatabaseProviders.MigrationsAssembly(provider)}");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    [InlineData(DatabaseProvider.SqlServer)]
    public void MigrationsAssembly_OfEachProvider_HoldsItsMigrationsAndSnapshot(DatabaseProvider provider)
    {
        using var context = ModelOnlyContext(provider);
        var migrations = context.GetService<IMigrationsAssembly>();

        Assert.Equal(DatabaseProviders.MigrationsAssembly(provider), migrations.Assembly.GetName().Name);
        Assert.NotEmpty(migrations.Migrations);
        Assert.NotNull(migrations.ModelSnapshot);
        Assert.NotEmpty(context.Database.GetMigrations());
        Assert.Equal(migrations.Migrations.Keys.Order(StringComparer.Ordinal), context.Database.GetMigrations());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Migrate_OnEmptyDatabase_AppliesEveryMigrationAndCreatesEveryTable(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        await using var context = database.CreateContext();
        Assert.Empty(await context.Database.GetAppliedMigrationsAsync());

        await context.Database.MigrateAsync();

        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(context.Database.GetMigrations(), await context.Database.GetAppliedMigrationsAsync());
        var modelTables = context.Model.GetEntityTypes().Select(e => e.GetTableName()!).Distinct().Order();
        var databaseTables = (await TableNamesAsync(context))
            .Where(t => !t.StartsWith("__EF", StringComparison.Ordinal)) // EF Core's history and lock tables
            .Order();
        Assert.Equal(modelTables, databaseTables);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task ImportFirstApproval_GivesEveryImportApprovedBefore_ItsApprovalAsItsFirst(DatabaseProvider provider)
    {
        // Decision 0062: an import that has run is never discarded; the upgrade tells those approved before it.
        await using var database = await TestDatabase.CreateAsync(provider);
        var approvedAt = new DateTimeOffset(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);
        int approved, waiting;
        await using (var context = database.CreateContext())
        {
            var seeded = await new RolloutBuilder("Migrated", "MIG").WithWorkflow("Flow", "New").WithInventory("Laptops")
                .WithUsers(TestSettings.User("m@test.example", "Max", "U-1", Role.RolloutManager)).SaveAsync(context);
            ClientImport Import(DateTimeOffset? at) => new()
            {
                FileName = "a.csv", RolloutId = seeded.RolloutId, InventoryId = seeded.InventoryId, CreatedById = seeded.Users[0].Id,
                ApprovedAt = at, ApprovedById = at is null ? null : seeded.Users[0].Id,
            };
            var imports = new[] { Import(approvedAt), Import(null) };
            context.Imports.AddRange(imports);
            await context.SaveChangesAsync();
            (approved, waiting) = (imports[0].Id, imports[1].Id);
        }

        await using (var context = database.CreateContext())
        {
            var migrations = context.Database.GetMigrations().ToList();
            var migrator = context.GetService<IMigrator>();
            await migrator.MigrateAsync(migrations[migrations.FindIndex(m => m.EndsWith("_ImportFirstApproval", StringComparison.Ordinal)) - 1]);
            await migrator.MigrateAsync();
        }

        await using (var context = database.CreateContext())
        {
            var first = await context.Imports.AsNoTracking().Where(i => i.Id == approved || i.Id == waiting)
                .ToDictionaryAsync(i => i.Id, i => i.FirstApprovedAt);
            Assert.Equal(approvedAt, first[approved]);
            Assert.Null(first[waiting]);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Migrate_AppliedTwice_ChangesNothingAndKeepsData(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var context = database.CreateContext())
        {
            context.Rollouts.Add(new Rollout { Name = "Windows 11 Refresh", Identifier = "W11" });
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            await context.Database.MigrateAsync();
        }

        await using (var context = database.CreateContext())
        {
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
            Assert.Equal(context.Database.GetMigrations(), await context.Database.GetAppliedMigrationsAsync());
            Assert.Equal(["W11"], await context.Rollouts.Select(r => r.Identifier).ToListAsync());
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task ADatabaseMadeByAnotherVersion_IsRecognisedBeforeMigrating(DatabaseProvider provider)
    {
        // E.g. a demo database made before the single Initial migration was made anew.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var context = database.CreateContext();
        Assert.Empty(await Rollouter.Import.Web.Infrastructure.DatabaseInitializer.UnknownMigrationsAsync(context, default));

        await context.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('20260101000000_Initial', '10.0.15')");

        Assert.Equal(["20260101000000_Initial"], await Rollouter.Import.Web.Infrastructure.DatabaseInitializer.UnknownMigrationsAsync(context, default));
    }

    private static async Task<List<string>> TableNamesAsync(RolloutDbContext context) =>
        await context.Database.SqlQueryRaw<string>(context.Provider switch
        {
            DatabaseProvider.Sqlite =>
                "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            DatabaseProvider.PostgreSql =>
                "SELECT table_name AS \"Value\" FROM information_schema.tables " +
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            _ => throw new NotSupportedException(),
        }).ToListAsync();
}
