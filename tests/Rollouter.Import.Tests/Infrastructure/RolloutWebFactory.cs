using System.Net;
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
/// The whole web app on a fresh database (a temporary SQLite data folder, or a new PostgreSQL database copied from a
/// template that already holds the demo data, see <see cref="PostgresTemplates"/>), in the Production environment with
/// demo data switched on, as a user would run it.
/// </summary>
public class RolloutWebFactory : WebApplicationFactory<Program>
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("rollouter-web-").FullName;
    private readonly string? _postgresDatabase;
    private bool _postgresDatabaseCreated;

    /// <summary>False on the template itself, which exists already and outlives the app.</summary>
    private readonly bool _ownsDatabase;

    public RolloutWebFactory() : this(DatabaseProvider.Sqlite)
    {
    }

    protected RolloutWebFactory(DatabaseProvider provider)
    {
        Provider = provider;
        if (provider == DatabaseProvider.PostgreSql)
        {
            _postgresDatabase = PostgresTemplates.NewName("web");
            _ownsDatabase = true;
        }
    }

    protected RolloutWebFactory(string postgresDatabase)
    {
        Provider = DatabaseProvider.PostgreSql;
        _postgresDatabase = postgresDatabase;
    }

    /// <summary>The app on an existing PostgreSQL database, which its start migrates and seeds; left in place.</summary>
    internal static RolloutWebFactory OnTemplate(string postgresDatabase) => new(postgresDatabase);

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
            if (_ownsDatabase && !_postgresDatabaseCreated)
            {
                var demoData = !Settings.TryGetValue("Rollouter:DemoData", out var setting)
                    || string.Equals(setting, "true", StringComparison.OrdinalIgnoreCase);
                if (demoData)
                {
                    PostgresTemplates.CreateWithDemoData(_postgresDatabase);
                }
                else
                {
                    PostgresTemplates.CreateMigrated(_postgresDatabase);
                }

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

    /// <summary>As <see cref="PostFormAsync"/>, then, answered with a redirect, gets the page it leads to, as a browser does.</summary>
    public static async Task<HttpResponseMessage> PostFormAndFollowAsync(
        HttpClient client, string url, Dictionary<string, string> fields, string? formPage = null)
    {
        var response = await PostFormAsync(client, url, fields, formPage);
        return response.StatusCode == System.Net.HttpStatusCode.Redirect && response.Headers.Location is { } location
            ? await client.GetAsync(location.OriginalString)
            : response;
    }

    public static string AntiforgeryToken(string html) =>
        HtmlPage.Parse(html).AntiforgeryToken();

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
            if (_ownsDatabase)
            {
                PostgresTemplates.Drop(_postgresDatabase);
            }
        }
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
