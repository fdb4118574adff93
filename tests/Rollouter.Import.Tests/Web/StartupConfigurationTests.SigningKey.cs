using Npgsql;
using Rollouter.Import.TestData;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>What the app says when it makes the API's signing key for a database already in use.</summary>
public sealed partial class StartupConfigurationTests
{
    private const string NewKeyWarning = "Made a new API signing key at ";

    /// <summary>
    /// QA: a restore into a new data folder (SQLite's file put back without <c>api-signing-key</c>, or PostgreSQL
    /// restored with pg_restore and an empty data folder) made a new key without a word, so every API token its users'
    /// scripts held answered 401. The start that makes it for a database holding users says so at Warning; a first start,
    /// whose database is new too, does not.
    /// </summary>
    [Fact]
    public async Task ANewSigningKey_ForADatabaseThatHoldsUsers_IsSaidAtWarning_NotOnAFirstStart()
    {
        var folder = Directory.CreateTempSubdirectory("rollouter-key-").FullName;
        Dictionary<string, string> demo = new() { ["Rollouter__DemoData"] = "true" };
        try
        {
            var first = await ServeAsync(folder, demo);
            Assert.True(File.Exists(Path.Combine(folder, "api-signing-key")), "the first start made no key");
            Assert.DoesNotContain(NewKeyWarning, first, StringComparison.Ordinal);

            // The database restored into the data folder, the key file not.
            File.Delete(Path.Combine(folder, "api-signing-key"));
            var restored = await ServeAsync(folder, demo);
            var again = await ServeAsync(folder, demo);

            AssertWarnsOfNewKey(restored, Path.Combine(folder, "api-signing-key"));
            Assert.DoesNotContain(NewKeyWarning, again, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ANewSigningKey_ForARestoredPostgresDatabase_IsSaidAtWarning()
    {
        var name = PostgresTemplates.NewName("test");
        PostgresTemplates.CreateWithDemoData(name);
        var folder = Directory.CreateTempSubdirectory("rollouter-key-").FullName;
        try
        {
            var said = await ServeAsync(folder, new()
            {
                ["Rollouter__DatabaseProvider"] = "PostgreSql",
                ["ConnectionStrings__PostgreSql"] = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = name }.ToString(),
            });

            AssertWarnsOfNewKey(said, Path.Combine(folder, "api-signing-key"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            NpgsqlConnection.ClearAllPools();
            PostgresTemplates.Drop(name);
        }
    }

    private static void AssertWarnsOfNewKey(string said, string keyFile)
    {
        var warning = Assert.Single(said.Split('\n'), l => l.Contains(NewKeyWarning, StringComparison.Ordinal));
        Assert.Contains("WRN", warning, StringComparison.Ordinal);
        Assert.Contains($"Made a new API signing key at {keyFile}, but the database already holds users: every API token " +
            "issued before this start no longer works (it is answered 401). If this data folder is new (a restore, a moved " +
            "or replaced app folder), stop the app, put the api-signing-key file of the backup or of the old data folder in " +
            "its place, and start again; or set Rollouter:Api:SigningKey (docs/operations.md, Backup and restore)",
            warning, StringComparison.Ordinal);
    }
}
