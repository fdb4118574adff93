using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// QA on big settings: a client's history was cut to its newest 500 entries on the page and in the API without a word
/// (1,271 entries, 501 shown). Both say how many there are and lead to the older ones, 500 at a time.
/// </summary>
public abstract class ClientHistoryPagesTests(RolloutWebFactory factory)
{
    private const int Entries = 1_271;

    /// <summary>A new client of Laptops (imported) with <see cref="Entries"/> changes of its Serial number, "SN-0000" oldest.</summary>
    private async Task<int> ClientWithLongHistoryAsync()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var name = $"HIST-{Guid.NewGuid().ToString("N")[..8]}";
        var upload = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "history.csv", $"Name,Department\n{name},IT\n"));
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{upload.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await api.WaitForResultAsync(upload.Id())).Status());

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var client = await db.Clients.Where(c => c.Name == name).Select(c => new { c.Id, c.CreatedAt }).SingleAsync();
        db.ClientHistory.AddRange(Enumerable.Range(0, Entries).Select(i => new ClientHistoryEntry
        {
            ClientId = client.Id,
            At = client.CreatedAt.AddMinutes(i + 1),
            Action = ClientHistoryAction.Changed,
            Changes = [new FieldChange("Serial number", i == 0 ? null : $"SN-{i - 1:0000}", $"SN-{i:0000}")],
        }));
        await db.SaveChangesAsync();
        return client.Id;
    }

    /// <summary>The new values of the history's rows, newest first ("SN-1270" …).</summary>
    private static List<string> NewValues(AngleSharp.Dom.IDocument page) =>
        [.. page.TestId("client-history").QuerySelectorAll("tbody li").Select(li => li.NormalizedText()[(li.NormalizedText().LastIndexOf(" → ", StringComparison.Ordinal) + 3)..])];

    [Fact]
    public async Task ALongHistory_SaysHowManyChangesThePageShowsOfAll_AndLeadsToTheOlderOnes()
    {
        var id = await ClientWithLongHistoryAsync();
        var manager = await factory.SignInAsync("manager@demo.test");

        var newest = await manager.GetPageAsync($"/rollouts/W11/clients/{id}");

        Assert.Equal("The newest 500 of 1,271 changes.", newest.TestId("history-count").NormalizedText());
        Assert.Equal(500, NewValues(newest).Count);
        Assert.Equal(("SN-1270", "SN-0771"), (NewValues(newest)[0], NewValues(newest)[^1]));
        Assert.False(newest.HasTestId("history-newest"));

        var second = await manager.GetPageAsync(newest.Href("history-older"));
        Assert.Equal("Changes 501 to 1,000 of 1,271, newest first.", second.TestId("history-count").NormalizedText());
        Assert.Equal(("SN-0770", "SN-0271"), (NewValues(second)[0], NewValues(second)[^1]));

        var oldest = await manager.GetPageAsync(second.Href("history-older"));
        Assert.Equal("Changes 1,001 to 1,271 of 1,271, newest first.", oldest.TestId("history-count").NormalizedText());
        Assert.Equal(271, NewValues(oldest).Count);
        Assert.Equal("SN-0000", NewValues(oldest)[^1]);
        Assert.False(oldest.HasTestId("history-older"));
        // The creation, the oldest of all, is on the last page only.
        Assert.Contains("created by import", oldest.TestId("client-history").NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain("created by import", newest.TestId("client-history").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal($"/rollouts/W11/clients/{id}#history", oldest.Href("history-newest"));
    }

    [Fact]
    public async Task ALongHistory_InTheApi_GivesItsTotal_AndTheCursorOfTheOlderEntries()
    {
        var id = await ClientWithLongHistoryAsync();
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var first = JsonNode.Parse(await api.GetStringAsync($"/api/clients/{id}"))!;
        Assert.Equal(1_271, first["historyTotal"]!.GetValue<int>());
        Assert.Equal(500, first["history"]!.AsArray().Count);
        var seen = new List<string>();
        var next = first["historyNext"]?.GetValue<string>();
        seen.AddRange(first["history"]!.AsArray().SelectMany(h => h!["changes"]!.AsArray()).Select(c => c!["new"]!.GetValue<string>()));
        var pages = 1;
        while (next is not null)
        {
            var page = JsonNode.Parse(await api.GetStringAsync($"/api/clients/{id}?historyAfter={Uri.EscapeDataString(next)}"))!;
            seen.AddRange(page["history"]!.AsArray().SelectMany(h => h!["changes"]!.AsArray()).Select(c => c!["new"]!.GetValue<string>()));
            next = page["historyNext"]?.GetValue<string>();
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, Entries).Reverse().Select(i => $"SN-{i.ToString("0000", CultureInfo.InvariantCulture)}"), seen);

        var refused = await api.GetAsync($"/api/clients/{id}?historyAfter=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("historyAfter", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
    }
}

public sealed class SqliteClientHistoryPagesTests(RolloutWebFactory factory)
    : ClientHistoryPagesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresClientHistoryPagesTests(PostgresWebFactory factory)
    : ClientHistoryPagesTests(factory), IClassFixture<PostgresWebFactory>;
