using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Forms;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// After an action, the page's message takes the focus (decision 0175): the redirect answering the post names it
/// (<c>#page-message</c>) and the page it leads to shows the message with that id, <c>role="status"</c> and
/// <c>tabindex="-1"</c>, so site.js can focus it and a screen reader reads it. One action of each kind of page (the
/// browser test <c>PageMessageFocusTests</c> checks where the focus lands).
/// </summary>
public sealed partial class PageMessageFocusTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    /// <summary>Posts the form and checks the redirect and the message of the page it leads to; returns that page.</summary>
    private static async Task<AngleSharp.Html.Dom.IHtmlDocument> MessageAfterAsync(HttpClient client, string url, Dictionary<string, string> fields, string? formPage = null)
    {
        var response = await RolloutWebFactory.PostFormAsync(client, url, fields, formPage);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location?.OriginalString ?? "";
        Assert.EndsWith("#" + PageMessage.Anchor, location, StringComparison.Ordinal);
        var page = await client.GetPageAsync(location);
        var message = page.One("#" + PageMessage.Anchor);
        Assert.Equal("status", message.GetAttribute("role"));
        Assert.Equal("-1", message.GetAttribute("tabindex"));
        Assert.Null(message.GetAttribute(PageMessageTagHelper.AttributeName));
        Assert.Single(page.QuerySelectorAll("#" + PageMessage.Anchor));
        return page;
    }

    [Fact]
    public async Task ASettingSaved_ItsMessageIsNamedByTheRedirect()
    {
        var admin = await factory.SignInAsync("admin@demo.test");

        var page = await MessageAfterAsync(admin, "/settings/link-types/new",
            new() { ["OutwardName"] = "focuses", ["InwardName"] = "is focused by", ["IsAdvanced"] = "false" });

        Assert.Equal("The link type focuses / is focused by was created.", page.One("#" + PageMessage.Anchor).NormalizedText());
    }

    [Fact]
    public async Task ALinkAddedOnAClientsPage_ItsMessageIsNamedByTheRedirect()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (first, second, type) = await factory.WithDbAsync(async db =>
        {
            var rollout = await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync();
            var one = await db.Clients.Where(c => c.RolloutId == rollout).OrderBy(c => c.Id).Select(c => new { c.Id, c.InventoryId }).FirstAsync();
            var other = await db.Clients.Where(c => c.InventoryId == one.InventoryId && c.Id != one.Id).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
            var plain = await db.ClientLinkTypes.Where(t => !t.IsAdvanced).Select(t => t.Id).FirstAsync();
            return (one.Id, other, plain);
        });
        var path = $"/rollouts/W11/clients/{first}";

        var page = await MessageAfterAsync(manager, path + "/links",
            new() { ["otherClientId"] = second.ToString(System.Globalization.CultureInfo.InvariantCulture), ["linkType"] = $"{type}:out" }, path);

        Assert.Equal("The link was added.", page.One("#" + PageMessage.Anchor).NormalizedText());
    }

    [Fact]
    public async Task APasswordChanged_ItsMessageIsNamedByTheRedirect_AndNoFieldTakesTheFocusFromIt()
    {
        var technician = await factory.SignInAsync("technician@demo.test");
        const string newPassword = "N3w!Password";

        var page = await MessageAfterAsync(technician, "/account/password",
            new() { ["CurrentPassword"] = Rollouter.Import.Web.Infrastructure.DemoSeeder.Password, ["NewPassword"] = newPassword, ["ConfirmPassword"] = newPassword });

        Assert.StartsWith("Your password was changed.", page.One("#" + PageMessage.Anchor).NormalizedText(), StringComparison.Ordinal);
        Assert.Null(page.One("#CurrentPassword").GetAttribute("autofocus"));
        var again = await technician.GetPageAsync("/account/password#" + PageMessage.Anchor);
        Assert.Empty(again.QuerySelectorAll("#" + PageMessage.Anchor));
        Assert.NotNull(again.One("#CurrentPassword").GetAttribute("autofocus"));
    }

    /// <summary>
    /// Every message a controller keeps for the next page (TempData) is a page message the redirect names, or is listed
    /// here with where it is shown instead: a new kind of message fails here until it is one or the other.
    /// </summary>
    [Fact]
    public void EveryMessageKeptForTheNextPage_IsAPageMessage_OrShownWhereItsRedirectPoints()
    {
        string[] pageMessages = ["PageMessage.Key", "PageMessage.SettingsKey", "PageMessage.PasswordKey", "MessageKey"];
        string[] elsewhere =
        [
            "\"MessageAt\"", // where the import page shows its message instead: a card's, which its redirect names
            "MovedKey", "MovedMessageKey", // a moved item: the redirect names its button, which the message describes
            "LinksEndedKey", "OfferInvitationKey", // shown with the user's "… was saved." (a page message), below it
            "SessionEndedKey", "TempDataKey", // CarriedRefusal: a refused form's reasons, which take the focus (decision 0046)
        ];

        var keys = SourceFiles().SelectMany(file => KeptForTheNextPage().Matches(File.ReadAllText(file))
            .Select(m => (File: Path.GetFileName(file), Key: m.Groups["key"].Value))).ToList();

        Assert.Contains(keys, k => k.Key == "PageMessage.Key");
        var unknown = keys.Where(k => !pageMessages.Contains(k.Key) && !elsewhere.Contains(k.Key)).Select(k => $"{k.File}: TempData[{k.Key}]").ToList();
        Assert.True(unknown.Count == 0, "Kept for the next page, neither a page message (PageMessage.Keys) nor listed: " + string.Join(", ", unknown));
    }

    [GeneratedRegex(@"[Tt]empData\[(?<key>[^\]]+)\]\s*=[^=]")]
    private static partial Regex KeptForTheNextPage();

    private static IEnumerable<string> SourceFiles()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rollouter.Import.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Directory.EnumerateFiles(Path.Combine(dir.FullName, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));
    }
}
