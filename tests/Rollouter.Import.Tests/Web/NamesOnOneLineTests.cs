using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A name is one line (decision 0174): a status, an option, a user's name, an inventory's name holding a line break, a
/// tab or another control character is refused with the field's message, in the API (400, the member in <c>field</c>)
/// and on the pages (the form's error); those around a name are trimmed as spaces are.
/// </summary>
public abstract class NamesOnOneLineTests(RolloutWebFactory factory)
{
    private static async Task<(HttpStatusCode Status, string Error, string? Field)> RefusalAsync(HttpResponseMessage response)
    {
        var body = await ApiTestClient.ReadAsync(response);
        return (response.StatusCode, body["error"]!.GetValue<string>(), body["field"]?.GetValue<string>());
    }

    [Fact]
    public async Task Api_AStatusWithALineBreak_Is400NamingStatuses_AndOnesAroundItAreTrimmed()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var tag = Guid.NewGuid().ToString("N")[..8];

        var broken = await RefusalAsync(await manager.PostAsJsonAsync("/api/workflows",
            new { name = "Pickup " + tag, statuses = new[] { "New", "Ready\r\nfor pickup" } }));
        var separator = await RefusalAsync(await manager.PostAsJsonAsync("/api/workflows",
            new { name = "Pickup " + tag, statuses = new[] { "New", "Ready\u2028for pickup" } }));
        var workflowName = await RefusalAsync(await manager.PostAsJsonAsync("/api/workflows",
            new { name = "Pickup\t" + tag, statuses = new[] { "New" } }));
        var trimmed = await manager.PostAsJsonAsync("/api/workflows", new { name = " Trimmed " + tag + "\r\n", statuses = new[] { "\tNew\r\n", "Done" } });

        Assert.Equal((HttpStatusCode.BadRequest,
            "A status name cannot hold a line break or a control character: it holds a line break after \"Ready\".", "statuses"), broken);
        Assert.Equal((HttpStatusCode.BadRequest,
            "A status name cannot hold a line break or a control character: it holds a line break after \"Ready\".", "statuses"), separator);
        Assert.Equal((HttpStatusCode.BadRequest,
            "A workflow name cannot hold a line break or a control character: it holds a tab after \"Pickup\".", "name"), workflowName);
        Assert.False(await factory.WithDbAsync(db => db.Workflows.AnyAsync(w => w.Name.Contains(tag) && w.Name.StartsWith("Pickup"))));
        Assert.Equal(HttpStatusCode.Created, trimmed.StatusCode);
        var created = await ApiTestClient.ReadAsync(trimmed);
        Assert.Equal("Trimmed " + tag, created["name"]!.GetValue<string>());
        Assert.Equal(["New", "Done"], created["statuses"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task Api_AnOptionWithATab_Is400NamingOptions_NothingStored()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var tag = Guid.NewGuid().ToString("N")[..8];

        var option = await RefusalAsync(await manager.PostAsJsonAsync("/api/custom-fields",
            new { name = "Colour " + tag, type = "Selection", options = new[] { "Red", "Blue\tGreen" } }));
        var name = await RefusalAsync(await manager.PostAsJsonAsync("/api/custom-fields",
            new { name = "Colour\n" + tag, type = "Input" }));

        Assert.Equal((HttpStatusCode.BadRequest,
            "An option name cannot hold a line break or a control character: it holds a tab after \"Blue\".", "options"), option);
        Assert.Equal((HttpStatusCode.BadRequest,
            "A custom field's name cannot hold a line break or a control character: it holds a line break after \"Colour\".", "name"), name);
        Assert.False(await factory.WithDbAsync(db => db.CustomFields.AnyAsync(f => f.Name.Contains(tag))));
    }

    [Fact]
    public async Task Api_AUsersNameWithABell_Is400NamingDisplayName_OnCreateAndChange()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");
        var tag = Guid.NewGuid().ToString("N")[..8];

        var created = await RefusalAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Ann\u0007", email = $"ann.{tag}@example.test", userCode = "U-A" + tag, role = "Technician", rolloutIds = new[] { w11 },
        }));
        var code = await RefusalAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Ann " + tag, email = $"ann.{tag}@example.test", userCode = "U-A\n" + tag, role = "Technician", rolloutIds = new[] { w11 },
        }));
        var ann = await ApiTestClient.ReadAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Ann " + tag, email = $"ann.{tag}@example.test", userCode = "U-A" + tag, role = "Technician", rolloutIds = new[] { w11 },
        }));
        var renamed = await RefusalAsync(await manager.PutAsJsonAsync($"/api/users/{ann.Id()}", new { displayName = "Ann\r\nSmith" }));

        Assert.Equal((HttpStatusCode.BadRequest,
            "A user's name cannot hold a line break or a control character: it holds the control character U+0007 after \"Ann\".", "displayName"), created);
        Assert.Equal((HttpStatusCode.BadRequest,
            "A user ID cannot hold a line break or a control character: it holds a line break after \"U-A\".", "userCode"), code);
        Assert.Equal((HttpStatusCode.BadRequest,
            "A user's name cannot hold a line break or a control character: it holds a line break after \"Ann\".", "displayName"), renamed);
        Assert.Equal("Ann " + tag, (await manager.GetJsonAsync($"/api/users/{ann.Id()}"))["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Api_AnInventoryNameWithALineBreak_Is400NamingName()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var workflowId = await factory.WithDbAsync(db => db.Workflows.Select(w => w.Id).FirstAsync());
        var tag = Guid.NewGuid().ToString("N")[..8];

        var refused = await RefusalAsync(await manager.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories",
            new { name = "Laptops\n" + tag, workflowId, customFieldIds = Array.Empty<int>() }));

        Assert.Equal((HttpStatusCode.BadRequest,
            "An inventory's name cannot hold a line break or a control character: it holds a line break after \"Laptops\".", "name"), refused);
        Assert.False(await factory.WithDbAsync(db => db.Inventories.AnyAsync(i => i.Name.Contains(tag))));
    }

    [Fact]
    public async Task Page_AStatusWithATab_IsRefusedAtItsField()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (_, _, location) = await manager.SubmitAsync("/settings/workflows/new", new() { ["Name"] = "Tabs " + tag, ["Statuses"] = "New\nDone" });
        var page = location!.Split('#')[0]; // the redirect names the page's message (decision 0175)

        var (status, added, _) = await manager.SubmitAsync($"{page}/statuses", new() { ["StatusName"] = "Ready\tfor pickup" }, page);
        var (_, listed, _) = await manager.SubmitAsync("/settings/workflows/new", new() { ["Name"] = "Tabs 2 " + tag, ["Statuses"] = "New\nReady\tfor pickup" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("A status name cannot hold a line break or a control character: it holds a tab after \"Ready\".", added);
        var marked = HtmlPage.Parse(added).QuerySelectorAll("[aria-invalid=true]");
        Assert.Equal($"{page}/statuses", Assert.Single(marked).Closest("form")?.GetAttribute("action"));
        Assert.Contains("A status name cannot hold a line break or a control character: it holds a tab after \"Ready\".", listed);
        Assert.Equal(["New", "Done"], await factory.WithDbAsync(db => db.WorkflowStatuses
            .Where(s => s.Workflow.Name == "Tabs " + tag).OrderBy(s => s.Position).Select(s => s.Name).ToListAsync()));
        Assert.False(await factory.WithDbAsync(db => db.Workflows.AnyAsync(w => w.Name == "Tabs 2 " + tag)));
    }

    [Fact]
    public async Task Page_AUsersNameWithAControlCharacter_IsRefusedAtItsField()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var tag = Guid.NewGuid().ToString("N")[..8];

        var (status, page, location) = await admin.SubmitAsync("/settings/users/new", new()
        {
            ["DisplayName"] = "Ann\u0007 " + tag, ["Email"] = $"ann.page.{tag}@example.test", ["UserCode"] = "U-P" + tag,
            ["Role"] = "Technician", ["Invite"] = "true", ["Password"] = "", ["ConfirmPassword"] = "",
        });

        Assert.Equal((HttpStatusCode.OK, null), (status, location));
        Assert.Contains("A user's name cannot hold a line break or a control character: it holds the control character U+0007 after \"Ann\".", page);
        Assert.Equal("DisplayName", Assert.Single(HtmlPage.Parse(page).QuerySelectorAll("[aria-invalid=true]")).GetAttribute("name"));
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.UserCode == "U-P" + tag)));
    }
}

public sealed class SqliteNamesOnOneLineTests(RolloutWebFactory factory)
    : NamesOnOneLineTests(factory), IClassFixture<RolloutWebFactory>;
