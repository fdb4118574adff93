using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// QA on wide files and big settings: one client with a 32,767-character description, a 32,767-character value without
/// spaces and 3,000 lines of notes made its row of the client list 184,329 px tall, so the list looked empty; its page's
/// 400-character name and unbreakable value ran out of the heading and the values table. The list shows at most 200
/// characters and 4 lines of a value, with a link to the whole on the client page, whose heading and values wrap.
/// </summary>
public abstract class LongValuesPagesTests(RolloutWebFactory factory)
{
    private static readonly string Description = string.Concat(Enumerable.Repeat("description ", 2_730)) + "end....";
    private static readonly string Location = new('x', 32_767);
    private static readonly string Notes = string.Join("\n", Enumerable.Range(1, 3_000).Select(i => $"note {i}"));

    /// <summary>A new client of Laptops, its name 400 characters long, with the long values; its name and id.</summary>
    private async Task<(string Name, int Id, int Inventory)> LongClientAsync()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var prefix = $"LONG-{Guid.NewGuid().ToString("N")[..8]}";
        var name = prefix + new string('N', 400 - prefix.Length);
        var upload = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "long.csv", $"Name,Department\n{name},IT\n"));
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{upload.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await api.WaitForResultAsync(upload.Id())).Status());

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var fields = await db.CustomFields.Where(f => f.Name == "Location" || f.Name == "Notes").ToDictionaryAsync(f => f.Name, f => f.Id);
        var client = await db.Clients.SingleAsync(c => c.Name == name);
        client.Description = Description;
        client.Values = new(client.Values) { [fields["Location"]] = [Location], [fields["Notes"]] = [Notes] };
        await db.SaveChangesAsync();
        return (name, client.Id, laptops);
    }

    private static void AssertClipped(IElement row, int column, string whole, string clientPath)
    {
        var cell = row.Children[column];
        var shown = cell.One(".cell-clip").TextContent;
        Assert.True(shown.Length <= 201, $"{shown.Length} characters shown");
        Assert.EndsWith("…", shown, StringComparison.Ordinal);
        Assert.StartsWith(shown[..^1].TrimEnd(), whole, StringComparison.Ordinal);
        Assert.True(shown.Count(c => c == '\n') < 4, $"{shown.Count(c => c == '\n') + 1} lines shown");
        var more = cell.One("[data-testid=cell-more]");
        Assert.Equal(clientPath, more.GetAttribute("href"));
        Assert.StartsWith("Show all of ", more.NormalizedText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheClientList_ShowsAtMost200CharactersAnd4LinesOfAValue_WithALinkToTheWholeOnTheClientPage()
    {
        var (name, id, laptops) = await LongClientAsync();
        var browser = await factory.SignInAsync("technician@demo.test");

        var list = await browser.GetPageAsync($"/rollouts/W11/inventories/{laptops}?search={name[..13]}");

        var row = list.RowOf(name);
        var heads = list.TestId("clients").QuerySelectorAll("thead th").Select(th => th.NormalizedText()).ToList();
        var clientPath = $"/rollouts/W11/clients/{id}";
        AssertClipped(row, heads.IndexOf("Description"), Description, clientPath);
        AssertClipped(row, heads.IndexOf("Location"), Location, clientPath);
        AssertClipped(row, heads.IndexOf("Notes"), Notes, clientPath);
        // The name wraps within its column (site.css), not shown cut.
        Assert.Contains("cell-name", row.Children[0].ClassList);
        Assert.True(list.QuerySelectorAll("[data-testid=cell-more]").Length >= 3);
        Assert.True(Encoding.UTF8.GetByteCount(list.DocumentElement.OuterHtml) < 100_000);
    }

    [Fact]
    public async Task TheClientPage_ShowsTheWholeValues_InAHeadingAndATableThatWrapLongWords()
    {
        var (name, id, _) = await LongClientAsync();
        var browser = await factory.SignInAsync("technician@demo.test");

        var page = await browser.GetPageAsync($"/rollouts/W11/clients/{id}");

        Assert.StartsWith(name, page.TestId("client-title").NormalizedText(), StringComparison.Ordinal);
        Assert.Contains("client-title", page.TestId("client-title").ClassList);
        Assert.Contains("client-values", page.TestId("client-values").ClassList);
        var values = page.TestId("client-values");
        Assert.Contains(values.QuerySelectorAll("td"), td => td.TextContent == Location);
        Assert.Contains(values.QuerySelectorAll("td"), td => td.TextContent == Description);
        // The stylesheet wraps them: a rule for each class the page relies on.
        var css = await browser.GetStringAsync(page.QuerySelectorAll("link[rel=stylesheet]").Select(l => l.GetAttribute("href")!)
            .Single(h => h.Contains("site", StringComparison.Ordinal)));
        Assert.Contains(".client-values td { overflow-wrap: anywhere; }", css, StringComparison.Ordinal);
        Assert.Contains(".client-title, .breadcrumb-item { overflow-wrap: anywhere;", css, StringComparison.Ordinal);
        Assert.Contains("-webkit-line-clamp: 4", css, StringComparison.Ordinal);
    }
}

public sealed class SqliteLongValuesPagesTests(RolloutWebFactory factory)
    : LongValuesPagesTests(factory), IClassFixture<RolloutWebFactory>;
