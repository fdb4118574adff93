using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;
using Serilog.Core;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The database out of reach (stopped, restarting, the network gone), too slow or read-only while people work
/// (decision 0115): a page says so on a page with words, the API in problem details, both 503 with Retry-After, never
/// "something went wrong" nor a 500 without a word. The database's failure is made by an interceptor, as Npgsql gives it
/// (a refused connection), on every statement while <see cref="DatabaseUnavailableWebFactory.WhileUnreachableAsync"/> runs.
/// </summary>
public sealed class DatabaseUnavailableTests(DatabaseUnavailableWebFactory factory) : IClassFixture<DatabaseUnavailableWebFactory>
{
    [Fact]
    public async Task APageOfASignedInUser_WhileTheDatabaseCannotBeReached_SaysSoOnAPage()
    {
        var browser = await factory.SignInAsync("manager@demo.test");

        // QA: the check of the sign-in cookie failed with the database, and failed the error page again from its
        // cache: the browser got a 500 without a word.
        var refused = await factory.WhileUnreachableAsync(() => browser.GetAsync("/rollouts"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        var page = await refused.ReadPageAsync();
        Assert.Equal("The database cannot be reached", page.QuerySelector("h1")?.NormalizedText());
        Assert.Equal(DatabaseBusy.UnreachableMessage, page.TestId("error-message").NormalizedText());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);
    }

    [Fact]
    public async Task TheApi_WhileTheDatabaseCannotBeReached_Is503SayingSo()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");

        var refused = await factory.WhileUnreachableAsync(() => client.GetAsync($"/api/rollouts/{rolloutId}/inventories"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        var problem = await ApiTestClient.ReadAsync(refused);
        Assert.Equal(DatabaseBusy.UnreachableMessage, problem["detail"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/rollouts/{rolloutId}/inventories")).StatusCode);
    }

    [Fact]
    public async Task ASettingsSave_WhileTheDatabaseIsReadOnly_Is503SayingSo_NotSomeoneElsesChange()
    {
        // QA: PostgreSQL with default_transaction_read_only = on refused the new workflow, and the settings' handler of a
        // refused save told it as "Someone else changed the same settings at the same moment" (409).
        var client = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var name = "RO-" + Guid.NewGuid().ToString("N")[..8];

        var refused = await factory.WhileReadOnlyAsync(() =>
            client.PostAsJsonAsync("/api/workflows", new { name, statuses = new[] { "New" } }));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(DatabaseBusy.ReadOnlyMessage, (await ApiTestClient.ReadAsync(refused))["detail"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created,
            (await client.PostAsJsonAsync("/api/workflows", new { name, statuses = new[] { "New" } })).StatusCode);
    }

    [Fact]
    public async Task ARevertStoppedByAnUnexpectedError_EndsRefusedSayingSo_WithTheErrorLogged_AndCanBeAskedAgain()
    {
        // A revert that failed with an error neither the database's outage nor its refusal (decision 0116: a bug, a
        // database file that is not the app's) failed its Hangfire job, which is queued again only at the next
        // start-up: the page showed the revert running until someone restarted the app (decision 0126).
        var client = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var prefix = "BUG-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = string.Join("\n", ["Name,Department", .. Enumerable.Range(0, 5).Select(i => $"{prefix}{i},IT")]) + "\n";
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "bug.csv", csv))).Id();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        var completed = await client.WaitForResultAsync(importId);
        Assert.True(completed.Status() == "Completed", completed.ToJsonString());

        var refused = await factory.WhileClientDeletesFailAsync(async () =>
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
            return await client.WaitForImportAsync(importId,
                i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromSeconds(30));
        });

        Assert.Equal("Completed", refused.Status());
        Assert.Equal("An unexpected error stopped the revert; nothing was changed. Revert it again, or ask your " +
                     $"administrator to look for import {importId} in the log.",
            refused["revert"]?["failureMessage"]?.GetValue<string>());
        var browser = await factory.SignInAsync("admin@demo.test");
        var page = await browser.GetStringAsync($"/rollouts/W11/imports/{importId}");
        Assert.Contains("An unexpected error stopped the revert", page);
        Assert.DoesNotContain("The import is being reverted", page);
        var logged = factory.Logs.Events.Where(e => e.Exception?.Message == DatabaseUnavailableWebFactory.Bug &&
                                                    Equals(CapturedLogEvents.Value(e, "ImportId"), importId)).ToList();
        Assert.Equal(Serilog.Events.LogEventLevel.Error, Assert.Single(logged).Level);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal(5, await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients
                .CountAsync(c => c.Name.StartsWith(prefix)));
        }

        // Asked again, it reverts.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        var reverted = await client.WaitForImportAsync(importId,
            i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromSeconds(30));
        Assert.Equal("Reverted", reverted.Status());
    }

    [Fact]
    public async Task AnImportsRun_WhoseDatabaseFileIsDamaged_WritesNothing_StaysInProgress_AndRunsAgainOnceTheFileIsBack()
    {
        // QA (decision 0134): SQLite's "database disk image is malformed" was an unexpected error: the run tried to
        // record a failure in the damaged file ("An unexpected error stopped the import").
        var client = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var prefix = "DMG-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var csv = string.Join("\n", ["Name,Department", .. Enumerable.Range(0, 5).Select(i => $"{prefix}{i},IT")]) + "\n";
        var importId = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "damaged.csv", csv))).Id();

        var during = await factory.WhileClientsReadDamagedAsync(async () =>
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!factory.Logs.Events.Any(e => Equals(CapturedLogEvents.Value(e, "ImportId"), importId)
                       && e.MessageTemplate.Text.Contains("the database file is missing, damaged", StringComparison.Ordinal))
                   && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }

            return await ApiTestClient.ReadAsync(await client.GetAsync($"/api/imports/{importId}"));
        });

        Assert.Equal("InProgress", during.Status());
        var logged = Assert.Single(factory.Logs.Events, e => Equals(CapturedLogEvents.Value(e, "ImportId"), importId)
            && e.MessageTemplate.Text.Contains("the database file is missing, damaged", StringComparison.Ordinal));
        Assert.Equal(Serilog.Events.LogEventLevel.Error, logged.Level);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients
                .CountAsync(c => c.Name.StartsWith(prefix)));
        }

        // The file back, the look for interrupted imports runs it again once its lease runs out.
        var completed = await client.WaitForImportAsync(importId, i => i.Status() != "InProgress", TimeSpan.FromSeconds(90));
        Assert.Equal("Completed", completed.Status());
    }

    [Theory]
    [InlineData("57P01", DatabaseOutage.Unreachable)] // admin_shutdown: the server stopped or restarted (fast)
    [InlineData("57P03", DatabaseOutage.Unreachable)] // cannot_connect_now: shutting down or starting up
    [InlineData("53300", DatabaseOutage.Unreachable)] // too_many_connections
    [InlineData("08006", DatabaseOutage.Unreachable)] // connection_failure
    [InlineData("57014", DatabaseOutage.TimedOut)] // query_canceled: statement_timeout
    [InlineData("25006", DatabaseOutage.ReadOnly)] // read_only_sql_transaction: default_transaction_read_only, a standby
    [InlineData("23505", null)] // unique_violation: the request's, not the database's
    [InlineData("55P03", null)] // lock_not_available: a busy database (DatabaseBusy), not an outage
    public void PostgreSqlsStates_AreTold(string state, DatabaseOutage? outage) =>
        Assert.Equal(outage, UnavailableDatabase.Find(new DbUpdateException("saving failed",
            new PostgresException("the server said no", "FATAL", "FATAL", state))));

    [Fact]
    public void ConnectionFailures_ReadOnlyFiles_AndTheRequestsOwnCancellation_AreTold()
    {
        Assert.Equal(DatabaseOutage.Unreachable, UnavailableDatabase.Find(new InvalidOperationException("transient",
            new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException(111)))));
        Assert.Equal(DatabaseOutage.Unreachable, UnavailableDatabase.Find(
            new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.Equal(DatabaseOutage.TimedOut, UnavailableDatabase.Find(
            new NpgsqlException("Exception while reading from stream", new TimeoutException())));
        Assert.Equal(DatabaseOutage.ReadOnly, UnavailableDatabase.Find(new SqliteException("attempt to write a readonly database", 8)));
        // A request the browser gave up: Npgsql's cancellation says 57014 inside it, which is no time-out of the database.
        Assert.Null(UnavailableDatabase.Find(new OperationCanceledException("cancelled",
            new PostgresException("canceling statement due to user request", "ERROR", "ERROR", "57014"))));
        Assert.Null(UnavailableDatabase.Find(new SqliteException("database is locked", 5)));
        Assert.Null(UnavailableDatabase.Find(new InvalidOperationException("a bug")));
    }
}

/// <summary>The app, whose database cannot be reached while <see cref="WhileUnreachableAsync"/> runs: every statement fails as Npgsql fails a refused connection.</summary>
public sealed class DatabaseUnavailableWebFactory : FailingStatementsWebFactory
{
    /// <summary>The message of the error <see cref="WhileClientDeletesFailAsync"/> throws.</summary>
    public const string Bug = "A bug in the revert (made by the test).";

    /// <summary>The app's log events.</summary>
    public CapturedLogEvents Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
    }

    /// <summary>Runs <paramref name="request"/> while every DELETE of clients fails with an error no database gives (a bug).</summary>
    public Task<T> WhileClientDeletesFailAsync<T>(Func<Task<T>> request) =>
        WhileFailingAsync(command => command.CommandText.Contains("DELETE FROM \"Clients\"", StringComparison.Ordinal)
            ? new InvalidOperationException(Bug)
            : null, request);

    /// <summary>Runs <paramref name="request"/> while every read of clients fails as SQLite's damaged file does (SQLITE_CORRUPT).</summary>
    public Task<T> WhileClientsReadDamagedAsync<T>(Func<Task<T>> request) =>
        WhileFailingAsync(command => command.CommandText.Contains("FROM \"Clients\"", StringComparison.Ordinal)
            ? new SqliteException("database disk image is malformed", 11)
            : null, request);

    public Task<T> WhileUnreachableAsync<T>(Func<Task<T>> request) =>
        WhileFailingAsync(_ => new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)), request);

    /// <summary>Runs <paramref name="request"/> while the database refuses every INSERT as a read-only PostgreSQL does (25006).</summary>
    public Task<T> WhileReadOnlyAsync<T>(Func<Task<T>> request) =>
        WhileFailingAsync(command => command.CommandText.Contains("INSERT INTO", StringComparison.Ordinal)
            ? new PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", "25006")
            : null, request);
}
