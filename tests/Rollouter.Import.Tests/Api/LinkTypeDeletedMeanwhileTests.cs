using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Serilog.Events;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// QA: an administrator deleting a link type while a rollout manager added a link of that type gave the manager an
/// error page (a 500 through the API): the link read the type, the delete found no link using it and went through
/// (decision 0082), and the link's insert failed on the foreign key. Now the link is refused in words, 409 through the
/// API, and nothing is written. The race needs two writers at once, so it is run on PostgreSQL (SQLite serialises the
/// link's transaction and the delete: the delete waits for the link, then is refused as the type is in use).
/// Amended (decision 0092): both were refused in words, but Entity Framework logged the foreign key's failure as an error
/// ("An exception occurred in the database while saving changes"), so an operator read an error for a person's ordinary
/// refusal. The link and the delete now lock the type's row first, and the log has no error.
/// </summary>
public sealed class LinkTypeDeletedMeanwhileTests(PostgresRaceWebFactory factory) : IClassFixture<PostgresRaceWebFactory>
{
    private async Task<(int Id, string Name)> NewLinkTypeAsync()
    {
        var name = $"goes with {Guid.NewGuid().ToString("N")[..8]}";
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var type = new ClientLinkType { OutwardName = name, InwardName = "went with " + name[9..] };
        db.ClientLinkTypes.Add(type);
        await db.SaveChangesAsync();
        return (type.Id, name);
    }

    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> query)
    {
        using var scope = factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private Task<int> ClientIdAsync(string name) => DbAsync(db => db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync());

    /// <summary>
    /// Deletes the type, as an administrator would on its page, once the link has read it: at the last moment before the
    /// link takes the type (its lock, or without one its insert).
    /// </summary>
    private async Task DeleteBeforeTheLinkIsInsertedAsync(int typeId)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        factory.Race.Once(sql => sql.Contains("FOR SHARE", StringComparison.Ordinal)
                                 || sql.Contains("INSERT INTO \"ClientLinks\"", StringComparison.Ordinal), async () =>
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/link-types/{typeId}")).StatusCode));
    }

    /// <summary>The events at Warning or above logged since <paramref name="from"/> (an index into the captured events).</summary>
    private List<string> ErrorsSince(int from) =>
        [.. factory.Logs.Events.Skip(from).Where(e => e.Level >= LogEventLevel.Warning).Select(e => $"{e.Level} {e.RenderMessage()}")];

    [Fact]
    public async Task ALinkOfATypeDeletedMeanwhile_ThroughTheApi_Is409SayingSo_AndWritesNothing()
    {
        var (typeId, name) = await NewLinkTypeAsync();
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var (lt31, lt32) = (await ClientIdAsync("LT-0031"), await ClientIdAsync("LT-0032"));
        await DeleteBeforeTheLinkIsInsertedAsync(typeId);
        var logged = factory.Logs.Events.Count;

        var response = await manager.PostAsJsonAsync($"/api/clients/{lt31}/links", new { otherClientId = lt32, linkTypeId = typeId });

        Assert.True(factory.Race.Ran, "the delete never ran");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {body}");
        Assert.Equal($"The link type \"{name}\" was deleted meanwhile: reload the page.",
            System.Text.Json.Nodes.JsonNode.Parse(body)!["detail"]!.GetValue<string>());
        Assert.False(await DbAsync(db => db.ClientLinks.AnyAsync(l => l.SourceClientId == lt31 && l.TargetClientId == lt32)));
        Assert.Empty(ErrorsSince(logged));
    }

    [Fact]
    public async Task ALinkOfATypeDeletedMeanwhile_OnTheClientPage_ShowsTheMessage_NotAnErrorPage()
    {
        var (typeId, name) = await NewLinkTypeAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var (lt33, lt34) = (await ClientIdAsync("LT-0033"), await ClientIdAsync("LT-0034"));
        var url = $"/rollouts/W11/clients/{lt33}";
        await DeleteBeforeTheLinkIsInsertedAsync(typeId);
        var logged = factory.Logs.Events.Count;

        var response = await RolloutWebFactory.PostFormAsync(manager, $"{url}/links",
            new() { ["otherClientId"] = lt34.ToString(System.Globalization.CultureInfo.InvariantCulture), ["linkType"] = $"{typeId}:out" }, url);

        Assert.True(factory.Race.Ran, "the delete never ran");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Contains($"The link type \"{name}\" was deleted meanwhile: reload the page.", page.TestId("link-error").NormalizedText(), StringComparison.Ordinal);
        Assert.False(await DbAsync(db => db.ClientLinks.AnyAsync(l => l.SourceClientId == lt33 && l.TargetClientId == lt34)));
        Assert.Empty(ErrorsSince(logged));
    }

    [Fact]
    public async Task ALinkMadeWhileItsTypeIsDeleted_RefusesTheDelete_NamingTheLink_AndLogsNoError()
    {
        // The other way round: the delete found no link of the type, and a link of it commits before the delete takes
        // the type (its lock, or without one its DELETE, which then failed on the foreign key).
        var (typeId, name) = await NewLinkTypeAsync();
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var (lt35, lt36) = (await ClientIdAsync("LT-0035"), await ClientIdAsync("LT-0036"));
        factory.Race.Once(sql => sql.Contains("FOR UPDATE", StringComparison.Ordinal)
                                 || sql.Contains("DELETE FROM \"ClientLinkType", StringComparison.Ordinal), async () =>
            Assert.Equal(HttpStatusCode.Created,
                (await manager.PostAsJsonAsync($"/api/clients/{lt35}/links", new { otherClientId = lt36, linkTypeId = typeId })).StatusCode));
        var logged = factory.Logs.Events.Count;

        var response = await admin.DeleteAsync($"/api/link-types/{typeId}");

        Assert.True(factory.Race.Ran, "the link was never made");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {body}");
        Assert.StartsWith($"The link type \"{name}\" cannot be deleted: 1 link uses it",
            System.Text.Json.Nodes.JsonNode.Parse(body)!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await DbAsync(db => db.ClientLinkTypes.AnyAsync(t => t.Id == typeId)), name);
        Assert.Empty(ErrorsSince(logged));
    }
}
