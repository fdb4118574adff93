using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.TestData;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>What the app, started as an operator starts it, says of the database it finds (or does not find).</summary>
public sealed partial class StartupConfigurationTests
{
    /// <summary>
    /// QA: a database upgraded by a newer version (a rollback, or an old instance restarted after another upgraded) was
    /// refused with "delete the database to start anew", which loses every client. Since 2026-12-03 migrations are added
    /// on top of <c>Initial</c>: such a database is refused, with the advice to run the newer version or restore the backup.
    /// </summary>
    [Fact]
    public async Task ADatabaseUpgradedByANewerVersion_IsRefused_WithoutTheAdviceToDeleteIt()
    {
        var (exitCode, said, _) = await StartAsync([], prepare: folder => MigratedDatabase(folder,
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('20991231000000_FutureChange', '10.0.15')"));

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains("Rollouter.Import did not start: The database (", failure, StringComparison.Ordinal);
        Assert.Contains("rollouter.db) was upgraded by a newer version of Rollouter.Import: it records the migration " +
            "20991231000000_FutureChange, which this version does not have, and this version cannot use it. Run that version " +
            "or a newer one, or restore the backup taken before the upgrade", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("delete", failure, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }

    /// <summary>
    /// QA (decision 0134): another application's SQLite file put in place of rollouter.db (a wrong file restored, a
    /// wrong ConnectionStrings:Sqlite) was migrated without a word: this app's tables and its demo data were written
    /// beside the other application's. The start is refused, naming the file and its tables, and the file is left as it was.
    /// </summary>
    [Fact]
    public async Task AnotherApplicationsSqliteFile_IsRefused_NamingIt_AndLeftAsItWas()
    {
        string? database = null;
        var (exitCode, said, _) = await StartAsync([], prepare: folder =>
        {
            database = Path.Combine(folder, "rollouter.db");
            Execute(folder, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO notes (body) VALUES ('kept')");
        });

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains($"Rollouter.Import did not start: the SQLite database {database} (ConnectionStrings:Sqlite) is not " +
            "Rollouter.Import's: it holds the table notes and none of this application's migrations, so nothing was " +
            "written to it. Put Rollouter.Import's database there (restore it from a backup", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }

    /// <summary>
    /// QA (decision 0140): a start on a damaged SQLite file logged the guard's line for a running app ("stop the app, put
    /// the database back") and EF Core's error with its stack trace before the start-up's own line, which named SQLite's
    /// error and gave no advice. Now the start-up's line is the one line at Error or above, saying what is wrong and
    /// what to do, and no stack trace is shown.
    /// </summary>
    [Fact]
    public async Task ADamagedSqliteFile_StopsTheStart_WithOneLineThatSaysWhatToDo()
    {
        string? database = null;
        var (exitCode, said, _) = await StartAsync([], prepare: folder =>
        {
            database = Path.Combine(folder, "rollouter.db");
            MigratedDatabase(folder);
            // Every page after the first overwritten, as a disk or a copy cut short in the middle leaves it.
            using var file = new FileStream(database, FileMode.Open, FileAccess.Write);
            file.Position = 4096;
            file.Write(Enumerable.Repeat((byte)0xFF, (int)(file.Length - 4096)).ToArray());
        });

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains($"Rollouter.Import did not start: the SQLite database {database} (ConnectionStrings:Sqlite) could " +
            "not be used: the file is damaged (overwritten or cut short in part) (SQLite Error 11: ", failure, StringComparison.Ordinal);
        Assert.Contains("Restore it from a backup (docs/operations.md, Backup and restore; delete its -wal and -shm files " +
            "first), or move it away to start with a new, empty database.", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(said.Split('\n'), l => l.Contains(" ERR]", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }

    /// <summary>A database made before 2026-12-03 (its Initial was made anew then) cannot be migrated: it is made anew.</summary>
    [Fact]
    public async Task ADatabaseMadeBeforeTheInitialMigrationWasMadeAnew_IsRefused_WithTheAdviceToStartAnew()
    {
        var (exitCode, said, _) = await StartAsync([], prepare: folder => Execute(folder,
            "CREATE TABLE \"__EFMigrationsHistory\" (\"MigrationId\" TEXT NOT NULL PRIMARY KEY, \"ProductVersion\" TEXT NOT NULL)",
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('20261127165931_Initial', '10.0.0')"));

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains("Rollouter.Import did not start: The database was made by another version of Rollouter.Import: it " +
            "records the migration 20261127165931_Initial, which this version does not have. A database made before " +
            "2026-12-03 cannot be migrated: delete the database to start anew (", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }

    /// <summary>
    /// QA: a process killed while it migrated left EF Core's lock row in <c>__EFMigrationsLock</c>, and every later start
    /// waited at "Applying migrations for Sqlite" forever, without a word. The instance lock says no other process uses
    /// the file, so the row is removed and said at Warning.
    /// </summary>
    [Fact]
    public async Task AMigrationLockLeftByAKilledProcess_IsRemoved_AndTheAppStarts_SayingSo()
    {
        var folder = Directory.CreateTempSubdirectory("rollouter-lock-").FullName;
        try
        {
            // The table as EF Core 10 makes it, and the row it takes while it migrates.
            MigratedDatabase(folder,
                "CREATE TABLE IF NOT EXISTS \"__EFMigrationsLock\" (\"Id\" INTEGER NOT NULL CONSTRAINT \"PK___EFMigrationsLock\" PRIMARY KEY, \"Timestamp\" TEXT NOT NULL)",
                "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-06 03:14:15.9265358+00:00')");

            var said = await ServeAsync(folder, []);

            var warning = Assert.Single(said.Split('\n'), l => l.Contains("Removed the migration lock", StringComparison.Ordinal));
            Assert.Contains("WRN", warning, StringComparison.Ordinal);
            Assert.Contains($"Removed the migration lock left in the SQLite database {Path.Combine(folder, "rollouter.db")} " +
                "(__EFMigrationsLock, taken at 2026-12-06 03:14:15.9265358+00:00) by a process that ended while it migrated",
                warning, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// QA: a changed or mistyped Rollouter:DataFolder (or a volume not mounted yet) made a new, empty SQLite database
    /// without a word: users saw an empty app, and their writes went to the wrong disk. The start that creates the file
    /// says so at Warning, naming it; the next start on the same file does not.
    /// </summary>
    [Fact]
    public async Task ANewSqliteDatabase_IsSaidAtWarning_NamingItsFile_OnTheStartThatMadeIt()
    {
        var folder = Directory.CreateTempSubdirectory("rollouter-new-").FullName;
        try
        {
            var first = await ServeAsync(folder, []);
            var second = await ServeAsync(folder, []);

            var warning = Assert.Single(first.Split('\n'), l => l.Contains("Created a new, empty", StringComparison.Ordinal));
            Assert.Contains("WRN", warning, StringComparison.Ordinal);
            Assert.Contains($"Created a new, empty SQLite database at {Path.Combine(folder, "rollouter.db")}: if you expected " +
                "your data there, stop the app and check Rollouter:DataFolder and ConnectionStrings:Sqlite", warning, StringComparison.Ordinal);
            Assert.DoesNotContain("Created a new, empty", second, StringComparison.Ordinal);
            // QA (decision 0140): the first start said at Error that "the file is missing" before it made it (EF Core asks
            // whether the file exists by opening it, and the running app's file guard took that for a file gone).
            Assert.DoesNotContain(first.Split('\n'), l => l.Contains(" ERR]", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// QA: a first start on a full disk left an empty rollouter.db (SQLite could not write its first page), and the next
    /// start, with room again, took it for an existing database: no warning that a new, empty one was made there.
    /// </summary>
    [Fact]
    public async Task AnEmptySqliteFile_LeftByAFailedFirstStart_IsSaidAtWarning_AsANewDatabase()
    {
        var folder = Directory.CreateTempSubdirectory("rollouter-empty-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, "rollouter.db"), []);

            var said = await ServeAsync(folder, []);

            var warning = Assert.Single(said.Split('\n'), l => l.Contains("Created a new, empty", StringComparison.Ordinal));
            Assert.Contains("WRN", warning, StringComparison.Ordinal);
            Assert.Contains($"Created a new, empty SQLite database at {Path.Combine(folder, "rollouter.db")}", warning, StringComparison.Ordinal);
            Assert.True(new FileInfo(Path.Combine(folder, "rollouter.db")).Length > 0, "the database was not made");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The same for a PostgreSQL database the app creates because the one named does not exist.</summary>
    [Fact]
    public async Task ANewPostgresDatabase_IsSaidAtWarning_NamingIt_OnTheStartThatMadeIt()
    {
        var name = PostgresTemplates.NewName("test");
        var connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = name }.ToString();
        var folder = Directory.CreateTempSubdirectory("rollouter-new-").FullName;
        Dictionary<string, string> variables = new()
        {
            ["Rollouter__DatabaseProvider"] = "PostgreSql",
            ["ConnectionStrings__PostgreSql"] = connectionString,
        };
        try
        {
            var first = await ServeAsync(folder, variables);
            var second = await ServeAsync(folder, variables);

            var warning = Assert.Single(first.Split('\n'), l => l.Contains("Created a new, empty", StringComparison.Ordinal));
            Assert.Contains("WRN", warning, StringComparison.Ordinal);
            Assert.Contains($"Created a new, empty PostgreSQL database {name} on ", warning, StringComparison.Ordinal);
            Assert.Contains(": if you expected your data there, stop the app and check ConnectionStrings:PostgreSql", warning, StringComparison.Ordinal);
            Assert.DoesNotContain("Created a new, empty", second, StringComparison.Ordinal);
            // QA (decision 0140): the first start said at Error that "the file is missing" before it made it (EF Core asks
            // whether the file exists by opening it, and the running app's file guard took that for a file gone).
            Assert.DoesNotContain(first.Split('\n'), l => l.Contains(" ERR]", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            await using var server = new NpgsqlConnection(TestDatabase.PostgresServer);
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Starts the app in Production on <paramref name="dataFolder"/>, waits (bounded) until it listens, then ends it:
    /// what it said on stdout and stderr. Fails when it exits or does not listen within two minutes.
    /// </summary>
    private static async Task<string> ServeAsync(string dataFolder, Dictionary<string, string> variables)
    {
        var said = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Said(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (said)
            {
                said.Append(line).Append('\n');
            }

            if (line.Contains("Now listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }

        using var process = Process.Start(AppStart(dataFolder, variables)) ?? throw new InvalidOperationException("The app did not start.");
        process.OutputDataReceived += (_, e) => Said(e.Data);
        process.ErrorDataReceived += (_, e) => Said(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exited = process.WaitForExitAsync(timeout.Token);
        try
        {
            await Task.WhenAny(listening.Task, exited);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }

        lock (said)
        {
            Assert.True(listening.Task.IsCompleted, $"The app did not listen within two minutes. It said:\n{said}");
            return said.ToString();
        }
    }

    private static string SqliteFile(string folder) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "rollouter.db"), Pooling = false }.ToString();

    /// <summary>The data folder's database, made by this version (every migration applied), then the statements.</summary>
    private static void MigratedDatabase(string folder, params string[] statements)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(DatabaseProvider.Sqlite, SqliteFile(folder));
        using (var context = new RolloutDbContext(options.Options))
        {
            context.Database.Migrate();
        }

        Execute(folder, statements);
    }

    private static void Execute(string folder, params string[] statements)
    {
        using var connection = new SqliteConnection(SqliteFile(folder));
        connection.Open();
        foreach (var sql in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
