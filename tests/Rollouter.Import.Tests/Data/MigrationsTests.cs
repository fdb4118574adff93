using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
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
