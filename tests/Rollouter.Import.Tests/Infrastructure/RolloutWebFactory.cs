using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// The whole web app on a fresh database (a temporary SQLite data folder, or a new PostgreSQL database), in the
/// Production environment with demo data switched on, as a user would run it.
/// </summary>
public class RolloutWebFactory : WebApplicationFactory<Program>
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("rollouter-web-").FullName;
    private readonly string? _postgresDatabase;
    private bool _postgresDatabaseCreated;

    public RolloutWebFactory() : this(DatabaseProvider.Sqlite)
    {
    }

    protected RolloutWebFactory(DatabaseProvider provider)
    {
        Provider = provider;
        if (provider == DatabaseProvider.PostgreSql)
        {
            _postgresDatabase = "rollouter_web_" + Guid.NewGuid().ToString("N")[..16];
        }
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The app's data folder (uploads, cache, and the log files under logs/).</summary>
    public string DataFolder => _dataFolder;

    /// <summary>Extra configuration a test class needs (e.g. demo data off).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Rollouter:DataFolder", _dataFolder);
        builder.UseSetting("Rollouter:DemoData", "true");
        builder.UseSetting("Rollouter:DatabaseProvider", Provider.ToString());
        if (_postgresDatabase is not null)
        {
            // Once per factory: a host that failed to start is built again by the next test, on the same database.
            if (!_postgresDatabaseCreated)
            {
                CreatePostgresDatabase(_postgresDatabase);
                _postgresDatabaseCreated = true;
            }

            builder.UseSetting("ConnectionStrings:PostgreSql",
                new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = _postgresDatabase }.ToString());
        }

        // Every test signs in from the same (test server) address; the classes that test the limit set their own.
        builder.UseSetting("Rollouter:SignIn:AttemptsPerAddressPerMinute", "100000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ThrowingEndpoint>());
    }

    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    /// <summary>Signs in through the login form, as a browser does, and returns the client holding the cookie.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password = DemoSeeder.Password)
    {
        var client = CreateBrowser();
        var response = await PostFormAsync(client, "/account/login", new() { ["Email"] = email, ["Password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>Posts a form with the antiforgery token of the page it lives on.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(
        HttpClient client, string url, Dictionary<string, string> fields, string? formPage = null)
    {
        var page = await client.GetStringAsync(formPage ?? url);
        var token = AntiforgeryToken(page);
        var content = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token)));
        return await client.PostAsync(url, content);
    }

    public static string AntiforgeryToken(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"") is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException("The page has no antiforgery token.");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
        }

        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(TestDatabase.PostgresServer);
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
    }

    private static void CreatePostgresDatabase(string name)
    {
        using var connection = new NpgsqlConnection(TestDatabase.PostgresServer);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        create.ExecuteNonQuery();
    }

    /// <summary>
    /// /test/throw and /api/test/throw fail on purpose, to see what a user (or a script) is shown when something breaks.
    /// </summary>
    private sealed class ThrowingEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map("/test/throw", a => a.Run(_ => throw new InvalidOperationException("Secret internal detail")));
            app.Map("/api/test/throw", a => a.Run(_ => throw new InvalidOperationException("Secret internal detail")));
        };
    }
}

public sealed class PostgresWebFactory() : RolloutWebFactory(DatabaseProvider.PostgreSql);
