using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// Runs before the app serves requests: applies migrations, then seeds demo data or the first administrator. All of it
/// under the database's start-up lock (<see cref="DatabaseLock.StartUp"/>), so instances that start at the same moment
/// on an empty database take turns: the first migrates and seeds, the others find it done.
/// </summary>
public sealed class DatabaseInitializer(
    RolloutDbContext db,
    DbContextOptions<RolloutDbContext> contextOptions,
    UserManager<User> users,
    DemoSeeder demo,
    IOptions<RolloutOptions> options,
    ILogger<DatabaseInitializer> logger)
{
    /// <summary>
    /// Whether the database held users when this start came to seeding, i.e. it was in use before (a restore, an
    /// upgrade, any later start), not made or left empty by this one.
    /// </summary>
    public bool HeldUsers { get; private set; }

    /// <param name="alsoUnderLock">What else must not run on two instances at once (Hangfire creating its tables).</param>
    /// <param name="cancellationToken">Stops waiting for the lock and the work.</param>
    /// <exception cref="StartupFailureException">The database refused or could not be reached (the message names the
    /// connection string setting), or the first administrator's settings are not accepted.</exception>
    public async Task InitializeAsync(Action? alsoUnderLock = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureDatabaseExistsAsync(cancellationToken);
            await using (await DatabaseLock.AcquireAsync(db, DatabaseLock.StartUp, cancellationToken))
            {
                await MigrateAndSeedAsync(cancellationToken);
                alsoUnderLock?.Invoke();
            }
        }
        catch (Exception e) when (e is not (StartupFailureException or OperationCanceledException)
            && StartupChecks.DatabaseProblem(e, db.Provider, db.Database.GetDbConnection()) is { } problem)
        {
            // The console says the one sentence; the whole exception is here for whoever raises the level to Debug.
            logger.LogDebug(e, "The database could not be used");
            throw new StartupFailureException(problem, e);
        }
    }

    /// <summary>
    /// The lock lives in the database, so the database must exist first; of two instances creating it at once, the
    /// one that finds it made by the other goes on.
    /// </summary>
    private async Task EnsureDatabaseExistsAsync(CancellationToken cancellationToken)
    {
        await using var quiet = QuietContext();
        var creator = quiet.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancellationToken))
        {
            if (db.Provider == DatabaseProvider.Sqlite && SqliteFileIsEmpty())
            {
                // An empty file is a database without tables: one a start left when it could not write the first page (a
                // full disk), or one made by hand. This start makes it, and says so as for a file it creates.
                WarnOfNewDatabase();
            }

            return;
        }

        try
        {
            if (db.Provider == DatabaseProvider.Sqlite)
            {
                // The app's connections open the file without creating it (Mode=ReadWrite, decision 0134): this start,
                // and only it, makes it.
                await CreateSqliteFileAsync(cancellationToken);
            }
            else
            {
                await creator.CreateAsync(cancellationToken);
            }
            if (db.Provider == DatabaseProvider.SqlServer)
            {
                await SqlServerRowVersioning.TurnOnAfterCreatingAsync(db.Database.GetConnectionString() ?? "", logger, cancellationToken);
            }

            WarnOfNewDatabase();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // SQLite serves one instance (the instance lock): no other made the file, which may be what this failed
            // creation left (an empty file on a full disk).
            if (db.Provider == DatabaseProvider.Sqlite || !await creator.ExistsAsync(cancellationToken))
            {
                throw;
            }

            logger.LogInformation("The database was created by another instance");
        }
    }

    /// <summary>Makes the SQLite file (an empty database), with the connection string's settings but allowed to create it.</summary>
    private async Task CreateSqliteFileAsync(CancellationToken cancellationToken)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString())
        {
            Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadWriteCreate, Pooling = false,
        };
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
    }

    /// <summary>Whether the SQLite file is there with no byte in it: a database without tables, for this start to make.</summary>
    private bool SqliteFileIsEmpty()
    {
        var path = db.Database.GetDbConnection().DataSource;
        return !string.IsNullOrEmpty(path) && File.Exists(path) && new FileInfo(path).Length == 0;
    }

    /// <summary>
    /// A database the app had to create is empty. On a first start that is expected; after a changed or mistyped
    /// <c>Rollouter:DataFolder</c> or connection string, or a volume not mounted yet, users would find an empty app and
    /// their writes would go to the wrong place. So it is said at Warning, naming the database and the settings.
    /// </summary>
    private void WarnOfNewDatabase()
    {
        var connection = db.Database.GetDbConnection();
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            logger.LogWarning(
                "Created a new, empty SQLite database at {Path}: if you expected your data there, stop the app and check " +
                "Rollouter:DataFolder and ConnectionStrings:Sqlite, and that the disk or volume holding the data is mounted",
                Path.GetFullPath(connection.DataSource));
            return;
        }

        logger.LogWarning(
            "Created a new, empty {Provider} database {Database} on {Server}: if you expected your data there, stop the app " +
            "and check ConnectionStrings:{Setting}",
            db.Provider == DatabaseProvider.PostgreSql ? "PostgreSQL" : "SQL Server", connection.Database,
            connection.DataSource, db.Provider.ToString());
    }

    private async Task MigrateAndSeedAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Applying migrations for {Provider}", db.Provider);
        await using var quiet = QuietContext();
        if (await UnknownMigrationsAsync(quiet, cancellationToken) is { Count: > 0 } unknown)
        {
            throw new DatabaseVersionException(VersionMessage(unknown, db.Provider == DatabaseProvider.Sqlite
                ? $" ({db.Database.GetDbConnection().DataSource})"
                : ""));
        }

        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await RefuseAnotherApplicationsFileAsync(quiet, cancellationToken);
            await RemoveLeftMigrationLockAsync(quiet, cancellationToken);
        }

        await MigrateAsync(quiet, cancellationToken);
        await ClientSearchIndex.EnsureAsync(db, cancellationToken);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // Readers keep working while an import writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        else if (db.Provider == DatabaseProvider.SqlServer)
        {
            // Readers keep working while an import writes only with READ_COMMITTED_SNAPSHOT, which is not turned on here.
            var on = await db.Database.SqlQueryRaw<int>(SqlServerRowVersioning.IsOnSql).SingleAsync(cancellationToken) == 1;
            if (SqlServerRowVersioning.Warning(db.Database.GetDbConnection().Database, on) is { } warning)
            {
                logger.LogWarning("{Warning}", warning);
            }
        }

        // Before the demo data or the first administrator: whether this start found a database in use.
        HeldUsers = await db.Users.AnyAsync(cancellationToken);
        if (options.Value.DemoData)
        {
            await demo.SeedAsync(cancellationToken);
        }
        else
        {
            await EnsureFirstAdministratorAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Applies the migrations. When the one that records the name keys as seen is pending (<see cref="NameKeysAsSeen"/>:
    /// a database that held clients before names were compared as seen, or one that never had the rewrite), the
    /// migrations before it are applied first, then the keys rewritten, then it and the rest: a start stopped during
    /// the rewrite does it again, and a later one never. The clients it kept on their old key are kept in
    /// <c>NameKeysKept</c>, and every start tries them again (<see cref="NameKeysAsSeen.RetryKeptAsync"/>).
    /// </summary>
    private async Task MigrateAsync(RolloutDbContext quiet, CancellationToken cancellationToken)
    {
        var pending = await quiet.Database.GetPendingMigrationsAsync(cancellationToken);
        NameKeyRewrite? rewrite = null;
        if (pending.FirstOrDefault(m => m.EndsWith("_" + NameKeysAsSeen.Migration, StringComparison.Ordinal)) is { } rewriteMigration)
        {
            var migrations = quiet.Database.GetMigrations().ToList();
            var applied = await quiet.Database.GetAppliedMigrationsAsync(cancellationToken);
            // Up to the one before it, never down: a migration after it that a database has already (applied out of
            // order) stays, and the clients' columns the rewrite uses are there since Initial.
            if (migrations.IndexOf(rewriteMigration) is var at and > 0
                && !applied.Any(m => string.CompareOrdinal(m, migrations[at - 1]) > 0))
            {
                await quiet.GetService<IMigrator>().MigrateAsync(migrations[at - 1], cancellationToken);
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            rewrite = await NameKeysAsSeen.RewriteAsync(db, cancellationToken);
            logger.LogInformation(
                "Name keys as seen (decision 0041): {Rewritten} of {Clients} clients stored before names were compared as " +
                "seen got the key of their name as seen, {Kept} kept theirs, in {Seconds:0.0} s",
                rewrite.Rewritten, rewrite.Clients, rewrite.Kept, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            WarnOfKeptKeys(rewrite.Conflicts, rewrite.Kept);
        }

        await quiet.Database.MigrateAsync(cancellationToken);
        if (rewrite is not null)
        {
            // In place of the mark the table's migration left: a start stopped before this passes over the clients again.
            await NameKeysAsSeen.RecordKeptAsync(db, rewrite, cancellationToken);
            return;
        }

        var retry = await NameKeysAsSeen.RetryKeptAsync(db, cancellationToken);
        NameKeysAsSeen.LogGiven(logger, retry.Given);
        if (retry.FullPass is { Clients: > 0 } pass)
        {
            // A database the rewrite ran on before the clients it kept were kept: they are found once.
            logger.LogInformation(
                "Name keys as seen: {Clients} clients read to find those kept on their old key, {Kept} found, {Given} got " +
                "the key of their name as seen since their look-alike is gone", pass.Clients, pass.Kept, pass.Rewritten);
            WarnOfKeptKeys(pass.Conflicts, pass.Kept);
        }
        else if (retry.Kept > 0)
        {
            logger.LogInformation(
                "{Kept} clients keep their old name key, since a client of the same name as seen is still in their rollout " +
                "(named at Warning by the start that rewrote the keys; docs/operations.md, Upgrading)", retry.Kept);
        }
    }

    /// <summary>
    /// Names at Warning each client kept on its old name key (the first <see cref="NameKeysAsSeen.ConflictsListed"/>),
    /// and the imports whose revert would end it, by number; the rest are counted.
    /// </summary>
    private void WarnOfKeptKeys(IReadOnlyList<NameKeyConflict> conflicts, int kept)
    {
        foreach (var conflict in conflicts)
        {
            logger.LogWarning(
                "Client {ClientId} \"{Name:l}\" of rollout {RolloutId} has the same name as seen as client {OtherClientId} " +
                "\"{OtherName:l}\" (both were stored before names were compared as seen): it keeps its old name key, so a " +
                "search does not find it by the letters written differently. Keep one of the two: {Advice:l}",
                conflict.ClientId, conflict.Name, conflict.RolloutId, conflict.OtherClientId, conflict.OtherName,
                KeptKeyAdvice(conflict));
        }

        if (kept > conflicts.Count)
        {
            logger.LogWarning("{More} more clients keep their old name key for the same reason", kept - conflicts.Count);
        }
    }

    /// <summary>What ends a client's old name key: the revert of the import that created the other client, or of its own.</summary>
    public static string KeptKeyAdvice(NameKeyConflict conflict)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        var own = conflict.ImportId is { } ownImport
            ? string.Create(CultureInfo.InvariantCulture, $"revert import #{ownImport}, which created this one")
            : null;
        return conflict.OtherImportId is { } otherImport
            ? string.Create(CultureInfo.InvariantCulture,
                  $"revert import #{otherImport}, which created client {conflict.OtherClientId} \"{conflict.OtherName}\", ") +
              "and this one gets the key of its name as seen at once" + (own is null ? "" : "; or " + own)
            : own is not null
                ? own + string.Create(CultureInfo.InvariantCulture,
                    $" (client {conflict.OtherClientId} was not created by an import)")
                : "neither was created by an import, so only deleting the inventory that holds one of them removes it";
    }

    /// <summary>
    /// A SQLite file that holds tables but no record of this application's migrations is another application's database
    /// (a file put in place by mistake, a wrong <c>ConnectionStrings:Sqlite</c>): migrating it would write this app's tables
    /// and its demo data or first administrator beside the other application's, without a word. The start is refused,
    /// naming the file and some of its tables (decision 0134).
    /// </summary>
    private async Task RefuseAnotherApplicationsFileAsync(RolloutDbContext quiet, CancellationToken cancellationToken)
    {
        var tables = await quiet.Database.SqlQueryRaw<string>(
                "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")
            .ToListAsync(cancellationToken);
        // EF Core's migration lock table alone is what a first start stopped at once leaves.
        tables.RemoveAll(t => t == SqliteMigrationLockTable);
        if (tables.Count == 0 || tables.Contains(HistoryRepository.DefaultTableName))
        {
            return;
        }

        var path = Path.GetFullPath(db.Database.GetDbConnection().DataSource);
        throw new StartupFailureException(
            $"the SQLite database {path} (ConnectionStrings:Sqlite) is not Rollouter.Import's: it holds the " +
            $"table{(tables.Count > 1 ? "s" : "")} {string.Join(", ", tables.Take(5))}{(tables.Count > 5 ? ", …" : "")} " +
            "and none of this application's migrations, so nothing was written to it. Put Rollouter.Import's database " +
            "there (restore it from a backup, docs/operations.md, Backup and restore), or point Rollouter:DataFolder or " +
            "ConnectionStrings:Sqlite at it; to start with a new, empty database, move that file away.");
    }

    /// <summary>EF Core's migration lock on SQLite: a table whose one row is taken while a process migrates.</summary>
    private const string SqliteMigrationLockTable = "__EFMigrationsLock";

    /// <summary>
    /// On SQLite, EF Core locks the migrations with a row in <c>__EFMigrationsLock</c>, which a process killed while it
    /// migrated leaves behind; every later <c>MigrateAsync</c> then waits for it forever, without a word. This instance
    /// holds the SQLite database alone (<see cref="SqliteInstanceLock"/>, taken before the services are made), so a row
    /// found now was left by a process that is gone: it is removed, and said at Warning. (PostgreSQL and SQL Server lock
    /// the migrations with a table lock in a transaction, and an application lock owned by the session: both end with
    /// the session of a process that dies.)
    /// </summary>
    private async Task RemoveLeftMigrationLockAsync(RolloutDbContext quiet, CancellationToken cancellationToken)
    {
        var exists = await quiet.Database.SqlQueryRaw<long>(
            "SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '" + SqliteMigrationLockTable + "'")
            .SingleAsync(cancellationToken);
        if (exists == 0)
        {
            return;
        }

        var taken = await quiet.Database.SqlQueryRaw<string>(
            "SELECT \"Timestamp\" AS \"Value\" FROM \"" + SqliteMigrationLockTable + "\"").ToListAsync(cancellationToken);
        if (taken.Count == 0)
        {
            return;
        }

        await quiet.Database.ExecuteSqlRawAsync("DELETE FROM \"" + SqliteMigrationLockTable + "\"", cancellationToken);
        logger.LogWarning(
            "Removed the migration lock left in the SQLite database {Database} ({Table}, taken at {Timestamp}) by a process " +
            "that ended while it migrated; without this, applying the migrations would wait for it forever. This instance " +
            "holds the database alone, so no other process was migrating it",
            db.Database.GetDbConnection().DataSource, SqliteMigrationLockTable, string.Join(", ", taken));
    }

    /// <summary>
    /// A context for the start-up's statements that fail as expected: on a new database EF Core reads the migrations'
    /// history before the table exists (and Npgsql tells the table's existence by that failure), and of two instances
    /// creating the database the second's <c>CREATE DATABASE</c> fails. EF Core logs a failed command at Error (with
    /// its SQL); here at Debug. A statement that really fails still stops the start with its error.
    /// </summary>
    private RolloutDbContext QuietContext() => new(new DbContextOptionsBuilder<RolloutDbContext>(contextOptions)
        .ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug),
            // A damaged SQLite file is found by the start-up's first reads: its one line says so (decision 0140), not
            // EF's errors with their stack traces before it.
            (RelationalEventId.ConnectionError, LogLevel.Debug), (CoreEventId.QueryIterationFailed, LogLevel.Debug))).Options);

    /// <summary>
    /// Why a database that records <paramref name="unknown"/> migrations is refused, and what to do. A database made
    /// before 2026-12-03 records an <c>Initial</c> this version does not have (<c>20261127165931_Initial</c>): it cannot
    /// be migrated and is made anew. Since then migrations are added on top of that <c>Initial</c>, so any other unknown
    /// migration was applied by a newer version (a rollback, or an old instance started after another upgraded): the
    /// database holds data, and is never to be deleted.
    /// </summary>
    /// <param name="where">The SQLite file in brackets, or empty.</param>
    public static string VersionMessage(IReadOnlyList<string> unknown, string where)
    {
        ArgumentNullException.ThrowIfNull(unknown);
        var migrations = string.Join(", ", unknown);
        return unknown.Any(m => m.EndsWith("_Initial", StringComparison.Ordinal))
            ? "The database was made by another version of Rollouter.Import: it records the migration " +
              $"{migrations}, which this version does not have. A database made before 2026-12-03 cannot be migrated: " +
              $"delete the database to start anew{where}, or run the version that made it."
            : $"The database{where} was upgraded by a newer version of Rollouter.Import: it records the migration" +
              $"{(unknown.Count > 1 ? "s" : "")} {migrations}, which this version does not have, and this version " +
              "cannot use it. Run that version or a newer one, or restore the backup taken before the upgrade " +
              "(docs/operations.md, Upgrading).";
    }

    /// <summary>Migrations the database records that this version does not have (the database is another version's).</summary>
    public static async Task<IReadOnlyList<string>> UnknownMigrationsAsync(RolloutDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        return [.. (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Where(m => !known.Contains(m))];
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
            // Another instance started with DemoData or a first administrator may still seed the database after this
            // one: the line says what this instance saw, not that the installation has no user.
            logger.LogWarning(
                "This instance found no user and creates none: it has no first administrator configured. Unless " +
                "another instance creates one, set Rollouter:InitialAdministrator:Email and " +
                "Rollouter:InitialAdministrator:Password, or Rollouter:DemoData=true for a demo");
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
            // The user name is the email: when the email is refused, so is the user name, said once.
            var errors = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidEmail))
                ? result.Errors.Where(e => e.Code != nameof(IdentityErrorDescriber.InvalidUserName))
                : result.Errors;
            throw new StartupFailureException("the first administrator could not be created. " + string.Join(" ",
                errors.GroupBy(InitialAdministratorSetting).Select(setting =>
                    $"{setting.Key} is not accepted: {string.Join(" ", setting.Select(e => e.Description))}")));
        }

        logger.LogInformation("Created the first administrator {Email}", configured.Email);
    }

    /// <summary>Which of the two settings an Identity error is about (the user name is the email).</summary>
    private static string InitialAdministratorSetting(IdentityError error) =>
        error.Code.StartsWith("Password", StringComparison.Ordinal)
            ? "Rollouter:InitialAdministrator:Password"
            : "Rollouter:InitialAdministrator:Email";
}

/// <summary>The database cannot be used by this version; the message says what to do.</summary>
public sealed class DatabaseVersionException(string message) : Exception(message);
