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
/// database anew (figures: docs/decisions/0033-postgres-template-database.md).
/// <para>
/// Every name carries its creation time (<c>rollouter_&lt;kind&gt;_yyyyMMddHHmmss_…</c>): the templates are dropped
/// after the last test, the databases by their fixtures. What a crashed or killed run left behind goes at the next
/// run's start: a template once the process that made it is gone (it holds an advisory lock named after the template
/// for as long as it lives), a test database once it is older than <see cref="LeftoverAge"/> (other runs on the same
/// server may still use younger ones).
/// </para>
/// </summary>
public static partial class PostgresTemplates
{
    /// <summary>A test run takes minutes; a database this old is a crashed run's.</summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(2);

    private static readonly Lazy<string> Schema = new(CreateSchemaTemplate);
    private static readonly Lazy<string> Demo = new(CreateDemoTemplate);
    private static readonly ConcurrentBag<string> Made = [];

    /// <summary>The templates this process made and has not dropped yet.</summary>
    public static IReadOnlyCollection<string> Templates => [.. Made];
    private static readonly Lock OwnerGate = new();
    private static NpgsqlConnection? _owner;

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
        DropLeftovers();

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

    /// <summary>The lock says "in use" to other runs' <see cref="DropLeftovers"/>; it goes with this process's connection.</summary>
    private static void Register(string template)
    {
        lock (OwnerGate)
        {
            if (_owner is null)
            {
                _owner = new NpgsqlConnection(
                    new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Pooling = false }.ToString());
                _owner.Open();
            }

            Execute(_owner, $"SELECT pg_advisory_lock({OwnerLock(template)})");
        }

        Made.Add(template);
    }

    private static long OwnerLock(string template) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(template)));

    /// <summary>
    /// Drops the templates this process made, once the last test has run (<see cref="TestRunFramework"/>). A drop takes
    /// seconds on a busy server and the test host may be ended first: then the next run's <see cref="DropLeftovers"/>
    /// drops them, as it does after a crash.
    /// </summary>
    public static void DropTemplates()
    {
        var templates = new List<string>();
        while (Made.TryTake(out var template))
        {
            templates.Add(template);
        }

        Parallel.ForEach(templates, Drop);
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
        .. databases.Where(d => StampedName().Match(d) is { Success: true } m && m.Groups["kind"].Value != "tpl"
            && DateTime.TryParseExact(m.Groups["stamp"].Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created)
            && now - created > LeftoverAge),
    ];

    /// <summary>Drops what earlier runs left behind (see the class's summary); called before this run makes its templates.</summary>
    public static void DropLeftovers()
    {
        using var connection = OpenServer();
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

        foreach (var template in databases.Where(IsTemplate))
        {
            using var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({OwnerLock(template)})", connection);
            if (tryLock.ExecuteScalar() is true)
            {
                Execute(connection, $"DROP DATABASE IF EXISTS \"{template}\" WITH (FORCE)");
                Execute(connection, $"SELECT pg_advisory_unlock({OwnerLock(template)})");
            }
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>A template of this or an earlier run; whether its run is over, its owner lock says.</summary>
    public static bool IsTemplate(string database) =>
        StampedName().Match(database) is { Success: true } m && m.Groups["kind"].Value == "tpl";

    [GeneratedRegex(@"^rollouter_(?<kind>tpl|test|web|process)_(?<stamp>\d{14})_[0-9a-f]{8}")]
    private static partial Regex StampedName();
}
