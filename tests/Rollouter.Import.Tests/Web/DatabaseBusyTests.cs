using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// SQLite takes one write at a time: a save made while a large import writes its clients (one transaction) waits for
/// it, and fails when the busy timeout runs out first. Such a request is a 503 with Retry-After that says to try again,
/// on the pages and in the API, not "something went wrong". The import's write is a real one here, held open by the
/// test on a connection of its own; the timeout is made 1 s (30 s in the app's default connection string).
/// </summary>
public sealed class DatabaseBusyTests(ShortBusyTimeoutWebFactory factory) : IClassFixture<ShortBusyTimeoutWebFactory>
{
    private static byte[] Csv() => Encoding.UTF8.GetBytes($"Name\nBUSY-{Guid.NewGuid().ToString("N")[..8]}\n");

    [Fact]
    public async Task AnUploadThroughTheApi_WhileAnotherWriteHoldsTheDatabase_Is503SayingToTryAgain()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        var refused = await factory.WhileAnotherWriteAsync(() => client.UploadAsync(rolloutId, laptops, "busy.csv", Csv()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        var problem = await ApiTestClient.ReadAsync(refused);
        Assert.Equal(DatabaseBusy.Message, problem["detail"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await client.UploadAsync(rolloutId, laptops, "free.csv", Csv())).StatusCode);
        // QA: the request's log line said 500, what the monitoring counts, though the answer was a 503.
        var line = Assert.Single(factory.Logs.Events, e =>
            e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal) &&
            Equals(CapturedLogEvents.Value(e, "RequestPath"), $"/api/rollouts/{rolloutId}/imports") &&
            Equals(CapturedLogEvents.Value(e, "StatusCode"), 503));
        Assert.NotNull(line);
    }

    [Fact]
    public async Task AnUploadOnThePage_WhileAnotherWriteHoldsTheDatabase_ShowsTheBusyPage()
    {
        var browser = await factory.SignInAsync("manager@demo.test");
        int laptops;
        using (var scope = factory.Services.CreateScope())
        {
            laptops = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Inventories
                .Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync();
        }

        var refused = await factory.WhileAnotherWriteAsync(() => ImportPagesTests.UploadAsync(browser, laptops, "busy.csv", Csv()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var text = (await refused.ReadPageAsync()).Body?.TextContent ?? "";
        Assert.Contains("The database is busy", text, StringComparison.Ordinal);
        Assert.Contains(DatabaseBusy.Message, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Something went wrong", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SavesThatTellATakenNameOrAConflict_WhileAnotherWriteHoldsTheDatabase_Are503Too()
    {
        // QA: these catch the refused save to say "the name is taken" or "someone else changed it", and did so of a
        // database that was only busy.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        int workflowId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            workflowId = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Workflows.Select(w => w.Id).FirstAsync();
        }
        var name = $"Busy {Guid.NewGuid().ToString("N")[..8]}";

        var (inventory, field) = await factory.WhileAnotherWriteAsync(async () => (
            await client.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", new { name, workflowId, customFieldIds = Array.Empty<int>() }),
            await client.PostAsJsonAsync("/api/custom-fields", new { name, type = "Input" })));

        foreach (var refused in new[] { inventory, field })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(DatabaseBusy.Message, (await ApiTestClient.ReadAsync(refused))["detail"]?.GetValue<string>());
        }

        Assert.Equal(HttpStatusCode.Created,
            (await client.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", new { name, workflowId, customFieldIds = Array.Empty<int>() })).StatusCode);
    }

    [Fact]
    public async Task AnImportsRun_WaitsForAnotherWrite_LongerThanThePagesTimeout_AndCompletes()
    {
        // A run is no page: it waits for another write (a second large import, a save) however long that takes,
        // rather than fail after the pages' busy timeout with "An unexpected error stopped the import".
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "wait.csv",
            $"Name,Department\nWAIT-{Guid.NewGuid().ToString("N")[..8]},IT\n"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var managerId = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Users
                .Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
            await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, import.Id(), managerId);
        }

        await factory.WhileAnotherWriteAsync(async () =>
        {
            var run = Task.Run(async () =>
            {
                await using var scope = factory.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ImportJob>().RunAsync(import.Id(), CancellationToken.None);
            });
            // Three times the busy timeout.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(run.IsCompleted);
            return run;
        }).Unwrap();

        var done = await client.GetJsonAsync($"/api/imports/{import.Id()}");
        Assert.True(done.Status() == "Completed", done.ToJsonString());
        Assert.Equal(1, done["counts"]?["created"]?.GetValue<int>());
    }
}

/// <summary>The app on SQLite with a busy timeout of 1 s, and a way to hold its database's write lock meanwhile.</summary>
public sealed class ShortBusyTimeoutWebFactory : RolloutWebFactory
{
    public CapturedLogEvents Logs { get; } = new();

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<Serilog.Core.ILogEventSink>(Logs));
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Sqlite"] = "Data Source=rollouter.db;Default Timeout=1",
    };

    /// <summary>Runs <paramref name="request"/> while another connection holds the database's write lock.</summary>
    public async Task<T> WhileAnotherWriteAsync<T>(Func<Task<T>> request)
    {
        await using var writer = new SqliteConnection($"Data Source={Path.Combine(DataFolder, "rollouter.db")};Pooling=False");
        await writer.OpenAsync();
        await using (var begin = writer.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        try
        {
            return await request();
        }
        finally
        {
            await using var rollback = writer.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }
    }
}
