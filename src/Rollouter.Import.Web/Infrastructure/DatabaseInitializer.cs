using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>Runs before the app serves requests: applies migrations, then seeds demo data or the first administrator.</summary>
public sealed class DatabaseInitializer(
    RolloutDbContext db,
    UserManager<User> users,
    DemoSeeder demo,
    IOptions<RolloutOptions> options,
    ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        logger.LogInformation("Applying migrations for {Provider}", db.Provider);
        if (await UnknownMigrationsAsync(db, cancellationToken) is { Count: > 0 } unknown)
        {
            throw new DatabaseVersionException(
                $"The database was made by another version of Rollouter.Import: it records the migration " +
                $"{string.Join(", ", unknown)}, which this version does not have. Until the first release the schema's " +
                "single migration is made anew when the model changes: delete the database to start anew" +
                (db.Provider == DatabaseProvider.Sqlite ? $" ({db.Database.GetDbConnection().DataSource})" : "") +
                ", or run the version that made it.");
        }

        await db.Database.MigrateAsync(cancellationToken);
        await ClientSearchIndex.EnsureAsync(db, cancellationToken);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // Readers keep working while an import writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        if (options.Value.DemoData)
        {
            await demo.SeedAsync(cancellationToken);
        }
        else
        {
            await EnsureFirstAdministratorAsync(cancellationToken);
        }
    }

    /// <summary>Migrations the database records that this version does not have (the database is another version's).</summary>
    public static async Task<IReadOnlyList<string>> UnknownMigrationsAsync(RolloutDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        return [.. (await db.Database.GetAppliedMigrationsAsync(ct)).Where(m => !known.Contains(m))];
    }

    private async Task EnsureFirstAdministratorAsync(CancellationToken cancellationToken)
    {
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var configured = options.Value.InitialAdministrator;
        if (string.IsNullOrWhiteSpace(configured?.Email) || string.IsNullOrWhiteSpace(configured.Password))
        {
            logger.LogWarning(
                "No user exists and no first administrator is configured: set Rollouter:InitialAdministrator:Email " +
                "and Rollouter:InitialAdministrator:Password, or Rollouter:DemoData=true for a demo");
            return;
        }

        var admin = new User
        {
            UserName = configured.Email,
            Email = configured.Email,
            EmailConfirmed = true,
            DisplayName = "Administrator",
            UserCode = "U-0001",
            Role = Role.Administrator,
        };
        var result = await users.CreateAsync(admin, configured.Password);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("The first administrator could not be created: " +
                string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        logger.LogInformation("Created the first administrator {Email}", configured.Email);
    }
}

/// <summary>The database cannot be used by this version; the message says what to do.</summary>
public sealed class DatabaseVersionException(string message) : Exception(message);
