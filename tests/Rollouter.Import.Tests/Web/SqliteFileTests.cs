using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;
using Serilog.Core;
using Serilog.Events;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The SQLite file deleted, damaged or replaced while the app runs (decision 0134): a page says so on a 503 page, the API
/// in problem details, the log names the file and the cause at Error; nothing is written to a file no one sees, and no
/// new, empty database is made in its place. Each test has an app of its own, since it spoils its file.
/// </summary>
public sealed class SqliteFileTests
{
    [Fact]
    public async Task TheFileDeletedWhileTheAppRuns_IsA503SayingSo_NotWrittenPast_NorMadeAnew()
    {
        using var factory = new SqliteFileWebFactory();
        var browser = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);

        // QA: the pooled connections kept the deleted file open, and the app went on reading and writing it, lost at
        // the next start; a new connection made a new, empty file in its place.
        File.Delete(factory.Database);
        var page = await browser.GetAsync("/rollouts");
        var call = await api.GetAsync("/api/rollouts");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        var html = await page.ReadPageAsync();
        Assert.Equal("The database file cannot be used", html.QuerySelector("h1")?.NormalizedText());
        Assert.Equal(DatabaseBusy.DamagedMessage, html.TestId("error-message").NormalizedText());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, call.StatusCode);
        Assert.Equal(DatabaseBusy.DamagedMessage, (await ApiTestClient.ReadAsync(call))["detail"]?.GetValue<string>());
        Assert.False(File.Exists(factory.Database), "a new database file was made in place of the deleted one");
        var logged = Assert.Single(factory.Logs.Events, e => e.Level == LogEventLevel.Error
            && Equals(CapturedLogEvents.Value(e, "Path"), factory.Database)
            && (CapturedLogEvents.Value(e, "Cause") as string ?? "").StartsWith("the file is missing", StringComparison.Ordinal));
        Assert.Contains("restore it from a backup", logged.RenderMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherApplicationsFile_PutInPlaceWhileTheAppRuns_IsA503SayingSo()
    {
        using var factory = new SqliteFileWebFactory();
        var browser = await factory.SignInAsync("kam@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        // QA: "no such table: UserSessions" was a 500 "Something went wrong" on every page and call.
        var otherFile = Path.Combine(factory.DataFolder, "other.db");
        await using (var other = new SqliteConnection($"Data Source={otherFile};Pooling=False"))
        {
            await other.OpenAsync();
            await using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)";
            await create.ExecuteNonQueryAsync();
        }

        // Put in place at once (a rename), as a copy made beside it and moved over it.
        SqliteConnection.ClearAllPools();
        File.Delete(factory.Database + "-wal");
        File.Delete(factory.Database + "-shm");
        File.Move(otherFile, factory.Database, overwrite: true);

        var page = await browser.GetAsync("/rollouts");
        var call = await api.GetAsync("/api/rollouts");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal(DatabaseBusy.DamagedMessage, (await page.ReadPageAsync()).TestId("error-message").NormalizedText());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, call.StatusCode);
        Assert.Equal(DatabaseBusy.DamagedMessage, (await ApiTestClient.ReadAsync(call))["detail"]?.GetValue<string>());
        // Another file moved over the app's is a file replaced while the app ran (decision 0140): said so, whatever it holds.
        Assert.Contains(factory.Logs.Events, e => e.Level == LogEventLevel.Error
            && Equals(CapturedLogEvents.Value(e, "Path"), factory.Database)
            && (CapturedLogEvents.Value(e, "Cause") as string ?? "").StartsWith("the file was replaced while the app ran", StringComparison.Ordinal));
    }

    /// <summary>
    /// QA (decision 0140): an older copy of the app's own database moved over its file while it ran passed every check:
    /// the pooled connections went on with the old file (its WAL and shared memory still at the path), new ones read the
    /// copy mixed with the old file's WAL, and at the stop the old WAL was written into the copy. Now the first
    /// connection opened after the move notices the file is not the one it opened: 503, one Error line, and every
    /// request refused until the app is restarted, the file put back then. The app still answers what needs no database.
    /// </summary>
    [Fact]
    public async Task AnOlderCopyMovedOverTheFileWhileTheAppRuns_IsRefusedUntilTheRestart_SayingSo()
    {
        using var factory = new SqliteFileWebFactory();
        var browser = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);

        // A backup of this very database (what an operator restores), put in place with mv while the app runs.
        var backup = Path.Combine(factory.DataFolder, "backup.db");
        await using (var copier = new SqliteConnection($"Data Source={factory.Database};Pooling=False"))
        {
            await copier.OpenAsync();
            await using var copy = copier.CreateCommand();
            copy.CommandText = $"VACUUM INTO '{backup}'";
            await copy.ExecuteNonQueryAsync();
        }

        File.Move(backup, factory.Database, overwrite: true);
        var page = await browser.GetAsync("/rollouts");
        var call = await api.GetAsync("/api/rollouts");
        var later = await browser.GetAsync("/rollouts");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        var html = await page.ReadPageAsync();
        Assert.Equal("The database file cannot be used", html.QuerySelector("h1")?.NormalizedText());
        Assert.Equal(DatabaseBusy.DamagedMessage, html.TestId("error-message").NormalizedText());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, call.StatusCode);
        Assert.Equal(DatabaseBusy.DamagedMessage, (await ApiTestClient.ReadAsync(call))["detail"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, later.StatusCode);
        var logged = Assert.Single(factory.Logs.Events, e => e.Level == LogEventLevel.Error
            && Equals(CapturedLogEvents.Value(e, "Path"), factory.Database)
            && (CapturedLogEvents.Value(e, "Cause") as string ?? "").StartsWith("the file was replaced while the app ran", StringComparison.Ordinal));
        Assert.Contains("replaced while the app ran", logged.RenderMessage(), StringComparison.Ordinal);
        Assert.Contains("until the app is restarted", logged.RenderMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// QA (decision 0140): the file cut to 0 bytes while the app ran (WAL mode) was served by the pooled connections from
    /// what they held (pages in their cache and in the WAL), reads and writes alike, while a new connection found no
    /// table; the WAL written back at the stop left a file of holes that the next start could not use. Now a 503 as
    /// the other cases, said at Error, and refused until the restart.
    /// </summary>
    [Fact]
    public async Task TheFileEmptiedWhileTheAppRuns_IsA503SayingSo()
    {
        using var factory = new SqliteFileWebFactory();
        var browser = await factory.SignInAsync("manager@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);

        await using (var file = new FileStream(factory.Database, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.SetLength(0);
        }

        var page = await browser.GetAsync("/rollouts");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal(DatabaseBusy.DamagedMessage, (await page.ReadPageAsync()).TestId("error-message").NormalizedText());
        Assert.Contains(factory.Logs.Events, e => e.Level == LogEventLevel.Error
            && Equals(CapturedLogEvents.Value(e, "Path"), factory.Database)
            && (CapturedLogEvents.Value(e, "Cause") as string ?? "").StartsWith("the file was emptied (cut to 0 bytes) while the app ran", StringComparison.Ordinal));
    }

    /// <summary>The file the app opened is told from another put at its path by its device and inode (Linux).</summary>
    [Fact]
    public void AFileIdentity_TellsAFileMovedInPlace_FromTheOneThatWasThere()
    {
        var folder = Directory.CreateTempSubdirectory("rollouter-identity-").FullName;
        try
        {
            var path = Path.Combine(folder, "a.db");
            File.WriteAllBytes(path, [1, 2, 3]);
            var first = FileIdentity.Of(path);
            File.WriteAllBytes(Path.Combine(folder, "b.db"), [4, 5, 6, 7]);
            File.Move(Path.Combine(folder, "b.db"), path, overwrite: true);
            var second = FileIdentity.Of(path);

            Assert.Equal(3, first?.Size);
            Assert.Equal(4, second?.Size);
            Assert.Null(FileIdentity.Of(Path.Combine(folder, "none.db")));
            if (OperatingSystem.IsLinux())
            {
                Assert.True(first is { Known: true } && second is { Known: true }, "statx gave no inode on Linux");
                Assert.False(second?.SameFileAs(first ?? default), "a file moved in place was taken for the one that was there");
                Assert.True(FileIdentity.Of(path)?.SameFileAs(second ?? default));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(14, "unable to open database file", DatabaseOutage.Damaged)]
    [InlineData(11, "database disk image is malformed", DatabaseOutage.Damaged)]
    [InlineData(26, "file is not a database", DatabaseOutage.Damaged)]
    [InlineData(1, "no such table: AspNetUsers", DatabaseOutage.Damaged)]
    [InlineData(1, "near \"SELEC\": syntax error", null)] // the app's own mistake, not the file's
    [InlineData(19, "UNIQUE constraint failed: Clients.NameKey", null)] // the request's
    public void SqlitesFailures_OfAFileMissingDamagedOrNotTheApps_AreTold(int code, string message, DatabaseOutage? outage) =>
        Assert.Equal(outage, UnavailableDatabase.Find(new InvalidOperationException("reading failed", new SqliteException(message, code))));

    /// <summary>
    /// The app's connections open the file without creating it: a connection opened after the file was deleted fails
    /// rather than making a new, empty database in its place (the start-up makes the file, said at Warning).
    /// </summary>
    [Fact]
    public void TheAppsSqliteConnectionString_DoesNotCreateTheFile()
    {
        var folder = Directory.CreateTempSubdirectory("rollouter-mode-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().Build();
            var connectionString = DatabaseSetup.ConnectionString(configuration, new RolloutOptions { DataFolder = folder },
                DatabaseProvider.Sqlite, folder);

            using var connection = new SqliteConnection(connectionString);
            var refused = Assert.Throws<SqliteException>(connection.Open);

            Assert.Equal(14, refused.SqliteErrorCode);
            Assert.False(File.Exists(Path.Combine(folder, "rollouter.db")));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>The app on a SQLite file of its own, with its log events captured.</summary>
public sealed class SqliteFileWebFactory : RolloutWebFactory
{
    public CapturedLogEvents Logs { get; } = new();

    /// <summary>The app's SQLite file.</summary>
    public string Database => Path.Combine(DataFolder, "rollouter.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
    }
}
