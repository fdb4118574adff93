using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>The client page: values, links and history; linking and unlinking by rollout managers.</summary>
public abstract class ClientPageTests(RolloutWebFactory factory)
{
    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> query)
    {
        using var scope = factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private Task<int> IdAsync(string name) => DbAsync(db => db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync());

    private Task<int> FieldIdAsync(string name) => DbAsync(db => db.CustomFields.Where(f => f.Name == name).Select(f => f.Id).SingleAsync());

    private Task<int> LinkTypeAsync(bool advanced) => DbAsync(db => db.ClientLinkTypes.Where(t => t.IsAdvanced == advanced).Select(t => t.Id).SingleAsync());

    private Task<string[]> ValueAsync(string client, string field) => DbAsync(async db =>
    {
        var fieldId = await db.CustomFields.Where(f => f.Name == field).Select(f => f.Id).SingleAsync();
        var values = await db.Clients.Where(c => c.Name == client).Select(c => c.Values).SingleAsync();
        return values.GetValueOrDefault(fieldId) ?? [];
    });

    /// <summary>The value a field's row shows (the row headed by <paramref name="field"/>), or null when there is no such row.</summary>
    private static string? Field(IParentNode page, string field) =>
        page.QuerySelectorAll("tr").FirstOrDefault(r => r.QuerySelector("th[scope=row]")?.NormalizedText() == field)?.QuerySelector("td")?.NormalizedText();

    /// <summary>The client's links as the page reads them: "LT-0040 replaces LT-0039", with the other client's page.</summary>
    private static IReadOnlyList<(string Reading, string Other, string? Href)> Links(IDocument page) =>
        [.. page.QuerySelectorAll("[data-testid=client-links] li").Select(li =>
            (li.One("em").NormalizedText(), li.One("a").NormalizedText(), li.One("a").GetAttribute("href")))];

    /// <summary>The history's changes: field, old value (muted) and new value.</summary>
    private static IReadOnlyList<(string Field, string Old, string New)> Changes(IDocument page) =>
        [.. page.QuerySelectorAll("li").Where(li => li.FirstElementChild is { LocalName: "strong" }).Select(li =>
            (li.One("strong").NormalizedText(), li.One("span.text-muted").NormalizedText(), li.NormalizedText()[(li.NormalizedText().LastIndexOf(" → ", StringComparison.Ordinal) + 3)..]))];

    private static Task<HttpResponseMessage> LinkAsync(HttpClient browser, int clientId, Dictionary<string, string> form) =>
        RolloutWebFactory.PostFormAsync(browser, $"/rollouts/W11/clients/{clientId}/links", form, $"/rollouts/W11/clients/{clientId}");

    [Fact]
    public async Task ClientPage_ShowsEveryValue_LinksReadFromEachSide_AndCreation_ReadOnlyForTechnicians()
    {
        var technician = await factory.SignInAsync("technician@demo.test");

        var lt1 = await technician.GetPageAsync($"/rollouts/W11/clients/{await IdAsync("LT-0001")}");
        var lt39 = await technician.GetPageAsync($"/rollouts/W11/clients/{await IdAsync("LT-0039")}");
        var lt40 = await technician.GetPageAsync($"/rollouts/W11/clients/{await IdAsync("LT-0040")}");
        var lt13 = await technician.GetPageAsync($"/rollouts/W11/clients/{await IdAsync("LT-0013")}");

        Assert.NotNull(Field(lt1, "Location"));
        Assert.Contains("Building B, room 101", lt1.Body!.NormalizedText());
        Assert.Contains("Tina Technician (technician@demo.test)", lt1.Body!.NormalizedText());
        Assert.Contains(lt1.QuerySelectorAll("span.badge"), badge => badge.NormalizedText() == "SAP GUI" && badge.Closest("td") is not null);
        Assert.Contains("SN100001", lt1.Body!.NormalizedText());
        Assert.Contains(("is used with", "MON-0001", $"/rollouts/W11/clients/{await IdAsync("MON-0001")}"), Links(lt1));
        Assert.Contains("advanced", lt1.TestId("client-links").NormalizedText());
        Assert.Contains(("replaces", "LT-0039", $"/rollouts/W11/clients/{await IdAsync("LT-0039")}"), Links(lt40));
        Assert.Contains(("is replaced by", "LT-0040", $"/rollouts/W11/clients/{await IdAsync("LT-0040")}"), Links(lt39));
        Assert.StartsWith("Flag: Docking station missing", lt13.TestId("client-flag").NormalizedText(), StringComparison.Ordinal);
        Assert.Contains("created", lt1.Body!.NormalizedText());
        Assert.Contains("Ada Admin", lt1.Body!.NormalizedText());
        Assert.False(lt1.HasTestId("add-link"));
        Assert.DoesNotContain("Remove", lt1.Actions());
    }

    [Fact]
    public async Task ClientPage_OfAnotherRollout_IsNotFound_AndTechniciansCannotLink()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");
        var technician = await factory.SignInAsync("technician@demo.test");
        var lt2 = await IdAsync("LT-0002");

        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/rollouts/SRV/clients/{lt2}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/rollouts/SRV/clients/{lt2}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync("/rollouts/W11/clients/999999")).StatusCode);
        var lt3 = await IdAsync("LT-0003");
        var refused = await LinkAsync(technician, lt2,
            new() { ["otherClientId"] = lt3.ToString(), ["linkType"] = $"{await LinkTypeAsync(false)}:out" });
        Assert.StartsWith("/account/denied", refused.Headers.Location!.PathAndQuery);
        Assert.False(await DbAsync(db => db.ClientLinks.AnyAsync(l => l.SourceClientId == lt2 && l.TargetClientId == lt3)));
    }

    [Fact]
    public async Task Link_FoundByName_ReadsOutwardAndInward_IsRecordedInBothHistories_AndCanBeRemoved()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (lt20, lt21) = (await IdAsync("LT-0020"), await IdAsync("LT-0021"));

        var found = await manager.GetPageAsync($"/rollouts/W11/clients/{lt20}?find=lt-002");
        var candidates = found.TestId("add-link").QuerySelectorAll<IHtmlInputElement>("input[name=otherClientId]").Select(i => i.Value).ToList();
        Assert.Contains($"{lt21}", candidates);
        Assert.DoesNotContain($"{lt20}", candidates);
        Assert.Contains("is replaced by", found.TestId("add-link").NormalizedText());
        var response = await LinkAsync(manager, lt20, new() { ["otherClientId"] = lt21.ToString(), ["linkType"] = $"{await LinkTypeAsync(false)}:in" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page20 = await manager.GetPageAsync($"/rollouts/W11/clients/{lt20}");
        var page21 = await manager.GetPageAsync($"/rollouts/W11/clients/{lt21}");
        Assert.Contains("The link was added.", page20.Body!.NormalizedText());
        Assert.Contains(("is replaced by", "LT-0021", $"/rollouts/W11/clients/{lt21}"), Links(page20));
        Assert.Contains(("replaces", "LT-0020", $"/rollouts/W11/clients/{lt20}"), Links(page21));
        Assert.Contains(("Link", "(empty)", "is replaced by LT-0021"), Changes(page20));
        Assert.Contains("Max Manager", page20.Body!.NormalizedText());

        var again = await LinkAsync(manager, lt21, new() { ["otherClientId"] = lt20.ToString(), ["linkType"] = $"{await LinkTypeAsync(false)}:out" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("are already linked", await again.Content.ReadAsStringAsync());

        var linkId = await DbAsync(db => db.ClientLinks.Where(l => l.SourceClientId == lt21 && l.TargetClientId == lt20).Select(l => l.Id).SingleAsync());
        var removed = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/clients/{lt20}/links/{linkId}/delete", [], $"/rollouts/W11/clients/{lt20}");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.False(await DbAsync(db => db.ClientLinks.AnyAsync(l => l.Id == linkId)));
        Assert.Contains(("Link", "replaces LT-0020", "(empty)"), Changes(await manager.GetPageAsync($"/rollouts/W11/clients/{lt21}")));
    }

    [Fact]
    public async Task AdvancedLink_WhoseClientsDisagree_AsksWhichValueToKeep_ThenWritesItOnTheOtherClient()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        // LT-0010: Building B, room 110, Finance. MON-0005 (as LT-0005): Building C, room 105, Finance.
        var (lt10, mon5) = (await IdAsync("LT-0010"), await IdAsync("MON-0005"));
        var location = await FieldIdAsync("Location");
        var usedWith = $"{await LinkTypeAsync(true)}:out";

        var ask = await LinkAsync(manager, lt10, new() { ["otherClientId"] = mon5.ToString(), ["linkType"] = usedWith });

        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        var choice = await ask.ReadPageAsync();
        var conflicts = choice.TestId("conflicts");
        // The heading reads as the link will: the type's name, without the list's "(advanced)".
        var heading = choice.One("h1");
        Assert.Equal(("LT-0010 is used with MON-0005", "is used with"), (heading.NormalizedText(), heading.One("em").NormalizedText()));
        Assert.Contains("Location", conflicts.Texts("th[scope=row]"));
        Assert.Contains("Building B, room 110", conflicts.NormalizedText());
        Assert.Contains("Building C, room 105", conflicts.NormalizedText());
        Assert.DoesNotContain("Department", conflicts.Texts("th[scope=row]"));
        Assert.False(await DbAsync(db => db.ClientLinks.AnyAsync(l => l.SourceClientId == lt10)));

        var linked = await LinkAsync(manager, lt10,
            new() { ["otherClientId"] = mon5.ToString(), ["linkType"] = usedWith, [$"keep[{location}]"] = "this" });

        Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);
        Assert.Equal(["Building B, room 110"], await ValueAsync("MON-0005", "Location"));
        Assert.Equal(["Building B, room 110"], await ValueAsync("LT-0010", "Location"));
        Assert.Equal(2, await DbAsync(db => db.AdvancedLinkMemberships.CountAsync(m => m.ClientId == lt10 || m.ClientId == mon5)));
        Assert.Contains(("Location", "Building C, room 105", "Building B, room 110"),
            Changes(await manager.GetPageAsync($"/rollouts/W11/clients/{mon5}")));
        // The entry keeps the field's id too: a revert finds the field by it, whatever it is called then.
        Assert.Contains(new FieldChange("Location", "Building C, room 105", "Building B, room 110", FieldId: location),
            await DbAsync(async db => (await db.ClientHistory.AsNoTracking().Where(h => h.ClientId == mon5).ToListAsync())
                .SelectMany(h => h.Changes).ToList()));

        // A second advanced link for either client is refused with a clear message.
        var second = await LinkAsync(manager, await IdAsync("LT-0011"),
            new() { ["otherClientId"] = mon5.ToString(), ["linkType"] = usedWith, [$"keep[{location}]"] = "this", [$"keep[{await FieldIdAsync("Department")}]"] = "this" });
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains("\"MON-0005\" already has an advanced link (to \"LT-0010\"); a client can have only one.",
            (await second.ReadPageAsync()).Body!.NormalizedText());
    }

    [Fact]
    public async Task Link_ToItself_OrWithoutAClient_IsRefusedWithAMessage()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var lt30 = await IdAsync("LT-0030");

        var self = await LinkAsync(manager, lt30, new() { ["otherClientId"] = lt30.ToString(), ["linkType"] = $"{await LinkTypeAsync(false)}:out" });
        var none = await LinkAsync(manager, lt30, new() { ["linkType"] = $"{await LinkTypeAsync(false)}:out" });
        var foreign = await LinkAsync(manager, lt30, new() { ["otherClientId"] = "999999", ["linkType"] = $"{await LinkTypeAsync(false)}:out" });

        Assert.Contains("A client cannot be linked to itself.", await self.Content.ReadAsStringAsync());
        Assert.Contains("Choose the client to link to.", await none.Content.ReadAsStringAsync());
        Assert.Contains("No client 999999 in this rollout.", await foreign.Content.ReadAsStringAsync());
        Assert.All(new[] { self, none, foreign }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
    }

    [Fact]
    public async Task Link_Refused_ShowsTheReason_AndKeepsTheSearchAndItsResults()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (lt35, lt36) = (await IdAsync("LT-0035"), await IdAsync("LT-0036"));
        var plain = $"{await LinkTypeAsync(false)}:out";
        Assert.Equal(HttpStatusCode.Redirect, (await LinkAsync(manager, lt35, new() { ["otherClientId"] = lt36.ToString(), ["linkType"] = plain })).StatusCode);
        var url = $"/rollouts/W11/clients/{lt35}";

        // The user finds LT-0036 again and presses "Add link" as the page's form has it (its hidden fields, the client
        // and link type chosen): they are already linked. Then a client that is gone meanwhile.
        foreach (var (other, reason) in new[]
        {
            (lt36.ToString(), "\"LT-0035\" and \"LT-0036\" are already linked"),
            ("999999", "No client 999999 in this rollout."),
        })
        {
            var search = await manager.GetPageAsync($"{url}?find=LT-0036");
            var form = search.Form($"{url}/links");
            var fields = form.HiddenFields().Append(new("otherClientId", other)).Append(new("linkType", plain));
            var refused = await manager.PostAsync($"{url}/links", new FormUrlEncodedContent(fields));

            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var page = await refused.ReadPageAsync();
            Assert.Contains(reason, page.TestId("link-error").NormalizedText());
            Assert.Equal("LT-0036", page.One("[data-testid=add-link] input[type=search][name=find]").GetAttribute("value"));
            var results = page.Form($"{url}/links");
            Assert.Equal(["LT-0036 (Laptops)"], results.Texts("label.form-check-label"));
            Assert.Equal(lt36.ToString(), results.One("input[name=otherClientId]").GetAttribute("value"));
        }
    }

    [Fact]
    public async Task LinkingOrUnlinking_WhileAnImportOfTheRolloutRuns_IsRefusedWithAMessage_AndChangesNothing()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (lt31, lt32) = (await IdAsync("LT-0031"), await IdAsync("LT-0032"));
        var plain = await LinkTypeAsync(false);
        Assert.Equal(HttpStatusCode.Redirect, (await LinkAsync(manager, lt31, new() { ["otherClientId"] = lt32.ToString(), ["linkType"] = $"{plain}:out" })).StatusCode);
        var linkId = await DbAsync(db => db.ClientLinks.Where(l => l.SourceClientId == lt31 && l.TargetClientId == lt32).Select(l => l.Id).SingleAsync());
        var (laptops, user) = await DbAsync(async db => (
            await db.Inventories.SingleAsync(i => i.Name == "Laptops" && i.Rollout.Identifier == "W11"),
            await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync()));
        using var scope = factory.Services.CreateScope();
        // Approved, its job not started yet: In Progress. Its one row fails, so running it at the end writes nothing.
        var running = (await TestImports.CreateAsync(scope.ServiceProvider, laptops.RolloutId, laptops.Id, "running.csv",
            "Name;Status\nRUNNING-1;No such status\n"u8.ToArray(), user)).Import.Id;
        await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, running, user);
        try
        {
            var link = await LinkAsync(manager, lt32, new() { ["otherClientId"] = lt31.ToString(), ["linkType"] = $"{plain}:out" });
            var unlink = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/clients/{lt31}/links/{linkId}/delete", [], $"/rollouts/W11/clients/{lt31}");

            Assert.Equal(HttpStatusCode.Conflict, link.StatusCode);
            Assert.Contains("An import into this rollout is running", await link.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Conflict, unlink.StatusCode);
            Assert.Contains("An import into this rollout is running", await unlink.Content.ReadAsStringAsync());
            Assert.Equal(1, await DbAsync(db => db.ClientLinks.CountAsync(l =>
                (l.SourceClientId == lt31 || l.TargetClientId == lt31) && (l.SourceClientId == lt32 || l.TargetClientId == lt32))));
        }
        finally
        {
            Assert.Equal(ImportStatus.Failed, (await scope.ServiceProvider.GetRequiredService<ImportLifecycle>()
                .RunAsync(running, null, CancellationToken.None)).Status);
        }
    }

    [Fact]
    public async Task History_ShowsTheImportThatChangedAClient_WithOldAndNewValues()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var upload = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "update.csv",
            "Name,Status,Serial number\nLT-0025,Done,SN555555\n"));
        var mapping = System.Text.Json.Nodes.JsonNode.Parse(upload["mapping"]!.ToJsonString())!;
        mapping["updateExisting"] = true;
        await System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(api, $"/api/imports/{upload.Id()}/mapping", mapping);
        await api.PostAsync($"/api/imports/{upload.Id()}/approve", null);
        Assert.Equal("Completed", (await api.WaitForResultAsync(upload.Id())).Status());

        var page = await manager.GetPageAsync($"/rollouts/W11/clients/{await IdAsync("LT-0025")}");

        Assert.Equal($"/rollouts/W11/imports/{upload.Id()}", page.Link($"changed by import #{upload.Id()}").GetAttribute("href"));
        Assert.Contains(("Status", "Prepared", "Done"), Changes(page));
        Assert.Contains(("Serial number", "SN100025", "SN555555"), Changes(page));
        var technicianPage = await (await factory.SignInAsync("technician@demo.test")).GetStringAsync($"/rollouts/W11/clients/{await IdAsync("LT-0025")}");
        Assert.Contains($"changed by import #{upload.Id()}", technicianPage);
        Assert.DoesNotContain($"/imports/{upload.Id()}", technicianPage);
    }
}

public sealed class SqliteClientPageTests(RolloutWebFactory factory)
    : ClientPageTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresClientPageTests(PostgresWebFactory factory)
    : ClientPageTests(factory), IClassFixture<PostgresWebFactory>;
