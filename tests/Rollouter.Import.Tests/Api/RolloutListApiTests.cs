using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// <c>GET /api/rollouts</c> answered every rollout the caller sees in one array (2,002 items, 125 KB for an administrator of
/// a big customer). It answers the same array, at most 1,000 (or pageSize) at a time by name, the next page named in the
/// Link header, and takes q= as the Rollouts page's search (decision 0133).
/// </summary>
public abstract class RolloutListApiTests(RolloutWebFactory factory)
{
    private Task<List<int>> RolloutsAsync(string tag, int count) => factory.WithDbAsync(async db =>
    {
        // Created in the reverse order of their names: the list is by name, not by id.
        var rollouts = Enumerable.Range(1, count).Reverse()
            .Select(i => new Rollout { Name = $"{tag} {i:00}", Identifier = $"{tag}-{i:00}" }).ToList();
        db.Rollouts.AddRange(rollouts);
        await db.SaveChangesAsync();
        return rollouts.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => r.Id).ToList();
    });

    private static List<int> Ids(JsonNode page) => [.. page.AsArray().Select(r => r!["id"]!.GetValue<int>())];

    private static string? Next(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;

    [Fact]
    public async Task TheList_ComesInPagesByName_TheNextNamedInTheLinkHeader_AndIsSearchedByNameOrIdentifier()
    {
        var tag = "RL" + Guid.NewGuid().ToString("N")[..6];
        var rollouts = await RolloutsAsync(tag, 5);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");

        var whole = await admin.GetAsync($"/api/rollouts?q={tag.ToLowerInvariant()}");
        var pages = new List<List<int>>();
        var links = new List<string?>();
        string? next = $"/api/rollouts?q={tag}&pageSize=2";
        while (next is not null && pages.Count < 5)
        {
            var response = await admin.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            pages.Add(Ids(await ApiTestClient.ReadAsync(response)));
            next = Next(response) is { } link ? link[1..link.IndexOf('>', StringComparison.Ordinal)] : null;
            links.Add(Next(response));
        }

        var byIdentifier = await admin.GetJsonAsync($"/api/rollouts?q={tag}-03");
        var unpaged = await admin.GetAsync("/api/rollouts");

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(rollouts, Ids(await ApiTestClient.ReadAsync(whole)));
        Assert.Null(Next(whole));
        Assert.Equal([[rollouts[0], rollouts[1]], [rollouts[2], rollouts[3]], [rollouts[4]]], pages);
        Assert.Equal($"</api/rollouts?q={tag}&pageSize=2&after={rollouts[1]}>; rel=\"next\"", links[0]);
        Assert.Null(links[2]);
        Assert.Equal([rollouts[2]], Ids(byIdentifier));
        Assert.Equal($"{tag}-03", byIdentifier[0]!["identifier"]!.GetValue<string>());
        Assert.True(Ids(await ApiTestClient.ReadAsync(unpaged)).Count <= 1000);
    }

    [Fact]
    public async Task AnAfterThatIsNotOneOfTheCallersRollouts_Is400_AndAManagerFindsOnlyTheirs()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var srv = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "SRV").Select(r => r.Id).SingleAsync());

        var notANumber = await manager.GetAsync("/api/rollouts?after=abc");
        var notTheirs = await manager.GetAsync($"/api/rollouts?after={srv}");
        var searched = await manager.GetJsonAsync("/api/rollouts?q=srv");

        foreach (var refused in new[] { notANumber, notTheirs })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await ApiTestClient.ReadAsync(refused);
            Assert.Equal("after", problem["field"]!.GetValue<string>());
            Assert.StartsWith("after is not a position in this list", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Empty(searched.AsArray());
    }
}

public sealed class SqliteRolloutListApiTests(RolloutWebFactory factory)
    : RolloutListApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresRolloutListApiTests(PostgresWebFactory factory)
    : RolloutListApiTests(factory), IClassFixture<PostgresWebFactory>;
