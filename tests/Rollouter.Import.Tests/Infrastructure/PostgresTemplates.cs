using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// The test databases on PostgreSQL, copied from two template databases that this test process makes once: "schema"
/// (migrated) and "demo" (migrated, then started once by the app, which seeds the demo data and creates Hangfire's
/// tables). <c>CREATE DATABASE … TEMPLATE</c> copies files, which costs a fraction of migrating and seeding each
/// database anew (figures: docs/decisions/0032-postgres-template-database.md).
/// <para>
/// Every name carries its creation time (<c>rollouter_&lt;kind&gt;_yyyyMMddHHmmss_…</c>): the templates are dropped
/// after the last test, the databases by their fixtures, and what a crashed run left behind is dropped by the next
/// run once it is older than <see cref="LeftoverAge"/> (other runs on the same server may still use younger ones).
/// </para>
/// </summary>
public static partial class PostgresTemplates
{
    /// <summary>A test run takes minutes; a database this old is a crashed run's.</summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(2);

    private static readonly Lazy<string> Schema = new(CreateSchemaTemplate);
    private static readonly Lazy<string> Demo = new(CreateDemoTemplate);
    private static readonly ConcurrentBag<string> Made = [];

    /// <summary>
    /// A new name for a database of this kind (test, web, tpl), stamped with the time, so that leftovers can be told by
    /// their age.
    /// </summary>
    public static string NewName(string kind) =>
        $"rollouter_{kind}_{DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}_" +
        Guid.NewGuid().ToString("N")[..8];

    /// <summary>Creates the database <paramref name="name"/> as a copy of the migrated, empty template.</summary>
    public static void CreateMigrated(string name) => CreateFrom(name, Schema.Value);

    /// <summary>Creates the database <paramref name="name"/> as a copy of the migrated template with the demo data.</summary>
    public static void CreateWithDemoData(string name) => CreateFrom(name, Demo.Value);

    /// <summary>An open connection to the server's maintenance database; a server that cannot be reached fails the test.</summary>
    public static NpgsqlConnection OpenServer()
    {
        var connection = new NpgsqlConnection(TestDatabase.PostgresServer);
        try
        {
            connection.Open();
        }
        catch (Exception e)
        {
            connection.Dispose();
            throw new InvalidOperationException(
                $"These tests need PostgreSQL at '{TestDatabase.PostgresServer}' (set {TestDatabase.PostgresVariable}); " +
                $"./test.sh installs and starts one. {e.Message}", e);
        }

        return connection;
    }

    public static void Drop(string name)
    {
        using var connection = OpenServer();
        Execute(connection, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static void CreateFrom(string name, string template)
    {
        using var connection = OpenServer();
        Execute(connection, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
    }

    private static string CreateSchemaTemplate()
    {
        using (var connection = OpenServer())
        {
            DropLeftovers(connection);
        }

        var name = NewName("tpl") + "_" + SchemaVersion();
        CreatePlain(name);
        Register(name);
        var connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = name }.ToString();
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(DatabaseProvider.PostgreSql, connectionString);
        using (var context = new RolloutDbContext(options.Options))
        {
            context.Database.Migrate();
            ClientSearchIndex.EnsureAsync(context, default).GetAwaiter().GetResult();
        }

        Seal(name, connectionString);
        return name;
    }

    /// <summary>The schema template, then the app started once on a copy: as every test's app would, it seeds the demo data.</summary>
    private static string CreateDemoTemplate()
    {
        var name = NewName("tpl") + "_" + SchemaVersion() + "_demo";
        CreateFrom(name, Schema.Value);
        Register(name);
        using (var app = RolloutWebFactory.OnTemplate(name))
        {
            _ = app.Services;
        }

        Seal(name, new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = name }.ToString());
        return name;
    }

    /// <summary>
    /// A copy needs the template without sessions: this process's idle connections are closed, and nobody may connect
    /// again (a stray connection would make every copy fail).
    /// </summary>
    private static void Seal(string name, string connectionString)
    {
        using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        using var connection = OpenServer();
        Execute(connection, $"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false");
        Execute(connection, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
    }

    private static void CreatePlain(string name)
    {
        using var connection = OpenServer();
        Execute(connection, $"CREATE DATABASE \"{name}\"");
    }

    private static void Register(string template) => Made.Add(template);

    /// <summary>
    /// Drops the templates this process made; called once the last test has run (<see cref="TestRunFramework"/>). If the
    /// process crashes first, the next run's <see cref="DropLeftovers"/> does it.
    /// </summary>
    public static void DropTemplates()
    {
        while (Made.TryTake(out var template))
        {
            Drop(template);
        }
    }

    /// <summary>Short and stable for one set of migrations: a template never outlives the schema it was made with.</summary>
    private static string SchemaVersion()
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(DatabaseProvider.PostgreSql, TestDatabase.PostgresServer);
        using var context = new RolloutDbContext(options.Options);
        var migrations = string.Join(",", context.Database.GetMigrations());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(migrations)))[..8];
    }

    /// <summary>Databases of the tests (and their templates) that a crashed or killed run left behind.</summary>
    public static IReadOnlyList<string> Leftovers(IEnumerable<string> databases, DateTime now) =>
    [
        .. databases.Where(d => StampedName().Match(d) is { Success: true } m
            && DateTime.TryParseExact(m.Groups["stamp"].Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created)
            && now - created > LeftoverAge),
    ];

    private static void DropLeftovers(NpgsqlConnection connection)
    {
        var databases = new List<string>();
        using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'rollouter\\_%'", connection))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read())
            {
                databases.Add(reader.GetString(0));
            }
        }

        foreach (var leftover in Leftovers(databases, DateTime.UtcNow))
        {
            Execute(connection, $"DROP DATABASE IF EXISTS \"{leftover}\" WITH (FORCE)");
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    [GeneratedRegex(@"^rollouter_(tpl|test|web|process)_(?<stamp>\d{14})_[0-9a-f]{8}")]
    private static partial Regex StampedName();
}
