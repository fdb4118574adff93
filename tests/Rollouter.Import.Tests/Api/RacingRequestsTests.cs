using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// The app with its log events captured and a hook in its database commands (<see cref="Race"/>) that lets another
/// request run to its end at a chosen moment of this one: after this one has read the import, before it writes.
/// </summary>
public class RaceWebFactory : RolloutWebFactory
{
    public RaceWebFactory()
    {
    }

    protected RaceWebFactory(DatabaseProvider provider) : base(provider)
    {
    }

    public CapturedLogEvents Logs { get; } = new();

    public RaceHook Race { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILogEventSink>(Logs);
            services.ConfigureDbContext<RolloutDbContext>(o => o.AddInterceptors(Race), ServiceLifetime.Singleton);
        });
    }
}

public sealed class PostgresRaceWebFactory() : RaceWebFactory(DatabaseProvider.PostgreSql);

/// <summary>
/// Runs <c>other</c> once, before the first command whose text matches, and lets that command go on after it: the other
/// request's change lands between this request's read and its write, deterministically.
/// </summary>
public sealed class RaceHook : DbCommandInterceptor
{
    private (Func<string, bool> When, Func<Task> Other)? _armed;

    public bool Ran { get; private set; }

    public void Once(Func<string, bool> when, Func<Task> other)
    {
        Ran = false;
        _armed = (when, other);
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await RunAsync(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await RunAsync(command);
        return result;
    }

    private async Task RunAsync(DbCommand command)
    {
        if (_armed is { } armed && armed.When(command.CommandText))
        {
            _armed = null;
            await armed.Other();
            Ran = true;
        }
    }
}

/// <summary>
/// QA: four identical PUTs of a mapping at once answered one of them 409 "changed meanwhile (approved in another
/// tab?)", and six identical PUTs of corrections five times 409, each logging an error with EF Core's stack for the
/// unique key of the corrected cells. A request that loses the race to an identical one now answers as that one did
/// (the import is as it asks: 200), a different one 409 in words for a script and a page, and nothing is logged as an
/// error.
/// </summary>
public abstract class RacingRequestsTests(RaceWebFactory factory)
{
    private async Task<(HttpClient Client, int ImportId)> ImportAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var csv = $"Name,Status,Department\nRACE-{Guid.NewGuid().ToString("N")[..8]},New,IT\nRACE-{Guid.NewGuid().ToString("N")[..8]},New,HR\n";
        var created = await client.UploadAsync(rolloutId, laptops, "race.csv", csv);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        Assert.Equal("WaitingForApproval", import.Status());
        return (client, import.Id());
    }

    private List<LogEvent> ErrorsSince(int count) =>
        [.. factory.Logs.Events.Skip(count).Where(e => e.Level >= LogEventLevel.Error)];

    private static object Mapping(string? departmentTarget) => new
    {
        updateExisting = false,
        columns = new object[]
        {
            new { letter = "A", target = "Name" }, new { letter = "B", target = "Status" }, new { letter = "C", target = departmentTarget },
        },
    };

    private static bool SavesTheImport(string sql) => sql.TrimStart().StartsWith("UPDATE \"Imports\"", StringComparison.Ordinal);

    [Fact]
    public async Task AMappingSavedTwiceAtOnce_AnswersBothAsSaved_WithoutAnError()
    {
        var (client, id) = await ImportAsync();
        var logged = factory.Logs.Events.Count;
        HttpResponseMessage? other = null;
        // Department not imported: a change of the mapping suggested at the upload.
        factory.Race.Once(SavesTheImport, async () =>
            other = await client.PutAsJsonAsync($"/api/imports/{id}/mapping", Mapping(null)));

        var response = await client.PutAsJsonAsync($"/api/imports/{id}/mapping", Mapping(null));

        Assert.True(factory.Race.Ran, "the other request never ran");
        Assert.Equal(HttpStatusCode.OK, other?.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        var import = JsonNode.Parse(body)!;
        Assert.Null(import["mapping"]!["columns"]![2]!["target"]);
        Assert.Equal("WaitingForApproval", import.Status());
        Assert.Empty(ErrorsSince(logged));
    }

    [Fact]
    public async Task AMappingThatLostToAnotherMapping_IsAConflictSayingAnotherRequestChangedIt()
    {
        var (client, id) = await ImportAsync();
        var logged = factory.Logs.Events.Count;
        factory.Race.Once(SavesTheImport, async () =>
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{id}/mapping", Mapping(null))).StatusCode));

        var response = await client.PutAsJsonAsync($"/api/imports/{id}/mapping", Mapping("Department"));

        Assert.True(factory.Race.Ran, "the other request never ran");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal($"Import {id} was changed by another request meanwhile, so your change was not saved: reload it, and make " +
            "your change again if it is still needed.", (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
        var now = await client.GetJsonAsync($"/api/imports/{id}");
        Assert.Null(now["mapping"]!["columns"]![2]!["target"]);
        Assert.Empty(ErrorsSince(logged));
    }

    [Fact]
    public async Task ACorrectionSentTwiceAtOnce_AnswersBothAsStored_WithoutAnError()
    {
        var (client, id) = await ImportAsync();
        var logged = factory.Logs.Events.Count;
        var correction = new { cells = new[] { new { row = 2, column = "C", value = "Finance" } } };
        HttpResponseMessage? other = null;
        // After this request has read the import's corrections (none yet), before it stores its own.
        factory.Race.Once(sql => sql.Contains("FROM \"ImportValueReplacements\"", StringComparison.Ordinal), async () =>
            other = await client.PutAsJsonAsync($"/api/imports/{id}/corrections", correction));

        var response = await client.PutAsJsonAsync($"/api/imports/{id}/corrections", correction);

        Assert.True(factory.Race.Ran, "the other request never ran");
        Assert.Equal(HttpStatusCode.OK, other?.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        var cells = (await client.GetJsonAsync($"/api/imports/{id}/corrections"))["cells"]!.AsArray();
        Assert.Equal(("C", "Finance"), (Assert.Single(cells)!["column"]!.GetValue<string>(), cells[0]!["value"]!.GetValue<string>()));
        Assert.Empty(ErrorsSince(logged));
    }

    [Fact]
    public async Task ACorrectionThatLostToAnotherValue_IsAConflict_AndTheOtherValueStands()
    {
        var (client, id) = await ImportAsync();
        var logged = factory.Logs.Events.Count;
        factory.Race.Once(sql => sql.Contains("FROM \"ImportValueReplacements\"", StringComparison.Ordinal), async () =>
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
                new { cells = new[] { new { row = 2, column = "C", value = "Sales" } } })).StatusCode));

        var response = await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { cells = new[] { new { row = 2, column = "C", value = "Finance" } } });

        Assert.True(factory.Race.Ran, "the other request never ran");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.StartsWith($"Import {id} was changed by another request meanwhile", (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>(),
            StringComparison.Ordinal);
        var cells = (await client.GetJsonAsync($"/api/imports/{id}/corrections"))["cells"]!.AsArray();
        Assert.Equal("Sales", Assert.Single(cells)!["value"]!.GetValue<string>());
        Assert.Empty(ErrorsSince(logged));
    }
}

public sealed class SqliteRacingRequestsTests(RaceWebFactory factory)
    : RacingRequestsTests(factory), IClassFixture<RaceWebFactory>;

public sealed class PostgresRacingRequestsTests(PostgresRaceWebFactory factory)
    : RacingRequestsTests(factory), IClassFixture<PostgresRaceWebFactory>;
