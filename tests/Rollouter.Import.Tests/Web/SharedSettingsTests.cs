using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Workflows, custom fields and their options are shared by rollouts. A rollout manager changes one only while every
/// inventory using it belongs to a rollout they are a member of; administrators change anything (issue 15). The demo's
/// manager is a member of W11 only; the Server Migration rollout (SRV) has the administrator alone.
/// </summary>
public abstract class SharedSettingsTests(RolloutWebFactory factory)
{
    private const string Manager = "manager@demo.test";
    private const string Admin = "admin@demo.test";

    /// <summary>
    /// A workflow (statuses A, B, C) and a selection field (options Red, Blue, Green, not required, no pattern), each
    /// used by an inventory of W11 and one of <paramref name="otherRollout"/>, with a client each on status A holding Red.
    /// </summary>
    private sealed record Shared(int Workflow, int[] Statuses, int Field, int[] Options, string FieldName, int OwnInventory,
        int OtherInventory);

    private static string Unique(string prefix) => $"{prefix} {Guid.NewGuid():N}"[..20];

    private Task<Shared> SharedAsync(string otherRollout = DemoSeederIds.Other) => factory.WithDbAsync(async db =>
    {
        var workflow = TestSettings.Workflow(Unique("Flow"), "A", "B", "C");
        var field = TestSettings.Field(Unique("Colour"), CustomFieldType.Selection, ["Red", "Blue", "Green"]);
        db.AddRange(workflow, field);
        await db.SaveChangesAsync();
        var inventories = new List<int>();
        foreach (var identifier in new[] { DemoSeederIds.Own, otherRollout })
        {
            var rollout = await db.Rollouts.SingleAsync(r => r.Identifier == identifier);
            var inventory = new Inventory
            {
                Name = Unique("Desks"), RolloutId = rollout.Id, WorkflowId = workflow.Id,
                CustomFields = [new InventoryCustomField { CustomFieldId = field.Id, Position = 0 }],
            };
            db.Inventories.Add(inventory);
            await db.SaveChangesAsync();
            db.Clients.Add(new Client
            {
                RolloutId = rollout.Id, InventoryId = inventory.Id, Name = Unique("PC"), StatusId = workflow.Statuses[0].Id,
                Values = new() { [field.Id] = ["Red"] },
            });
            await db.SaveChangesAsync();
            inventories.Add(inventory.Id);
        }

        return new Shared(workflow.Id, [.. workflow.Statuses.Select(s => s.Id)], field.Id, [.. field.Options.Select(o => o.Id)],
            field.Name, inventories[0], inventories[1]);
    });

    /// <summary>A new rollout whose members are the demo's manager and administrator.</summary>
    private Task<string> OwnSecondRolloutAsync() => factory.WithDbAsync(async db =>
    {
        var identifier = "R" + Guid.NewGuid().ToString("N")[..8];
        var members = await db.Users.Where(u => u.Email == Manager || u.Email == Admin).ToListAsync();
        db.Rollouts.Add(new Rollout
        {
            Name = "Second " + identifier, Identifier = identifier,
            Members = [.. members.Select(u => new RolloutMember { UserId = u.Id })],
        });
        await db.SaveChangesAsync();
        return identifier;
    });

    /// <summary>Everything a change could touch: the workflow, the field, their statuses and options, and both clients.</summary>
    private Task<string> StateAsync(Shared shared) => factory.WithDbAsync(async db =>
    {
        var workflow = await db.Workflows.AsNoTracking().Include(w => w.Statuses).SingleAsync(w => w.Id == shared.Workflow);
        var field = await db.CustomFields.AsNoTracking().Include(f => f.Options).SingleAsync(f => f.Id == shared.Field);
        var clients = await db.Clients.AsNoTracking()
            .Where(c => c.InventoryId == shared.OwnInventory || c.InventoryId == shared.OtherInventory).OrderBy(c => c.Id)
            .Select(c => new { c.StatusId, c.Values }).ToListAsync();
        return string.Join(" | ",
            workflow.Name,
            string.Join(",", workflow.Statuses.OrderBy(s => s.Position).Select(s => $"{s.Id}:{s.Name}")),
            $"{field.Name};{field.Description};{field.Type};{field.Required};{field.ValidationRegex}",
            string.Join(",", field.Options.OrderBy(o => o.Position).Select(o => $"{o.Id}:{o.Name}")),
            string.Join(",", clients.Select(c => $"{c.StatusId}:{string.Join(";", c.Values.GetValueOrDefault(shared.Field) ?? [])}")));
    });

    public static TheoryData<string> Changes() =>
    [
        "rename workflow", "add status", "rename status", "move status", "remove status",
        "rename field", "change type", "change pattern", "change required flag", "change description",
        "add option", "rename option", "move option", "remove option",
    ];

    /// <summary>The form a change posts: its address, the page holding the form, and the fields.</summary>
    private static (string Url, string Page, Dictionary<string, string> Fields) Form(string change, Shared s)
    {
        var workflow = $"/settings/workflows/{s.Workflow}";
        var field = $"/settings/custom-fields/{s.Field}";
        Dictionary<string, string> FieldForm(string? name = null, string type = "Selection", string pattern = "",
            bool required = false, string description = "") => new()
        {
            ["Name"] = name ?? s.FieldName, ["Type"] = type, ["ValidationRegex"] = pattern, ["Description"] = description,
            ["Required"] = required ? "true" : "false",
        };
        var id = (int value) => value.ToString(CultureInfo.InvariantCulture);
        return change switch
        {
            "rename workflow" => (workflow, workflow, new() { ["Name"] = Unique("Renamed") }),
            "add status" => ($"{workflow}/statuses", workflow, new() { ["StatusName"] = "D" }),
            "rename status" => ($"{workflow}/statuses/{s.Statuses[0]}", workflow, new() { ["StatusName"] = "Alpha" }),
            "move status" => ($"{workflow}/statuses/{s.Statuses[1]}/up", workflow, []),
            "remove status" => ($"{workflow}/statuses/{s.Statuses[0]}/remove", $"{workflow}/statuses/{s.Statuses[0]}/remove",
                new() { ["TargetStatusId"] = id(s.Statuses[1]) }),
            "rename field" => (field, field, FieldForm(name: Unique("Paint"))),
            "change type" => (field, field, FieldForm(type: "MultiSelection")),
            "change pattern" => (field, field, FieldForm(pattern: "^[A-Z]")),
            "change required flag" => (field, field, FieldForm(required: true)),
            "change description" => (field, field, FieldForm(description: "The desk's colour")),
            "add option" => ($"{field}/options", field, new() { ["OptionName"] = "Yellow" }),
            "rename option" => ($"{field}/options/{s.Options[0]}", field, new() { ["OptionName"] = "Crimson", ["Confirmed"] = "true" }),
            "move option" => ($"{field}/options/{s.Options[1]}/up", field, []),
            "remove option" => ($"{field}/options/{s.Options[2]}/remove", field, []),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Change_ByAManagerOfOnlyOneOfTheRolloutsUsingIt_IsRefused_SaysWhy_AndChangesNothing(string change)
    {
        var shared = await SharedAsync();
        var before = await StateAsync(shared);
        var manager = await factory.SignInAsync(Manager);
        var (url, page, fields) = Form(change, shared);

        var (status, answer, _) = await manager.SubmitAsync(url, fields, page);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("is used by 1 rollout you are not a member of, so only an administrator can change it: ask an administrator to make the change", answer);
        Assert.DoesNotContain("Server Migration", answer);
        // Without the antiforgery tokens: a random token may hold the letters "SRV".
        var withoutTokens = HtmlPage.Parse(answer);
        foreach (var token in withoutTokens.QuerySelectorAll("input[name=__RequestVerificationToken]"))
        {
            token.Remove();
        }

        Assert.DoesNotContain(DemoSeederIds.Other, withoutTokens.DocumentElement.OuterHtml);
        Assert.Equal(before, await StateAsync(shared));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Change_ByAnAdministrator_IsMade(string change)
    {
        var shared = await SharedAsync();
        var before = await StateAsync(shared);
        var admin = await factory.SignInAsync(Admin);
        var (url, page, fields) = Form(change, shared);

        var (status, answer, redirectedTo) = await admin.SubmitAsync(url, fields, page);

        Assert.True(redirectedTo is not null, answer);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(before, await StateAsync(shared));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Change_ByAManagerOfEveryRolloutUsingIt_IsMade(string change)
    {
        var shared = await SharedAsync(await OwnSecondRolloutAsync());
        var before = await StateAsync(shared);
        var manager = await factory.SignInAsync(Manager);
        var (url, page, fields) = Form(change, shared);

        var (status, answer, redirectedTo) = await manager.SubmitAsync(url, fields, page);

        Assert.True(redirectedTo is not null, answer);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(before, await StateAsync(shared));
    }

    [Fact]
    public async Task AnAdministratorsRemovalOfAStatus_MovesTheClientsOfEveryRollout_AndRenamingAnOption_RenamesTheirValues()
    {
        var shared = await SharedAsync();
        var admin = await factory.SignInAsync(Admin);

        await admin.SubmitAsync($"/settings/workflows/{shared.Workflow}/statuses/{shared.Statuses[0]}/remove",
            new() { ["TargetStatusId"] = shared.Statuses[2].ToString(CultureInfo.InvariantCulture) });
        await admin.SubmitAsync($"/settings/custom-fields/{shared.Field}/options/{shared.Options[0]}",
            new() { ["OptionName"] = "Crimson", ["Confirmed"] = "true" }, $"/settings/custom-fields/{shared.Field}");

        var clients = await factory.WithDbAsync(db => db.Clients.AsNoTracking()
            .Where(c => c.InventoryId == shared.OwnInventory || c.InventoryId == shared.OtherInventory)
            .Select(c => new { c.StatusId, c.Values }).ToListAsync());
        Assert.Equal(2, clients.Count);
        Assert.All(clients, c => Assert.Equal((shared.Statuses[2], "Crimson"), (c.StatusId, c.Values[shared.Field].Single())));
    }

    [Fact]
    public async Task SettingPages_ShowTheReach_NamingOnlyTheViewersInventories_AndOfferNoChangeToAManagerItOutgrows()
    {
        var shared = await SharedAsync();
        var names = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Id == shared.OwnInventory || i.Id == shared.OtherInventory)
            .OrderBy(i => i.Id).Select(i => i.Name).ToListAsync());
        var manager = await factory.SignInAsync(Manager);
        var admin = await factory.SignInAsync(Admin);

        foreach (var page in new[] { $"/settings/workflows/{shared.Workflow}", $"/settings/custom-fields/{shared.Field}" })
        {
            var managers = await manager.PageAsync(page);
            var admins = await admin.PageAsync(page);

            Assert.Contains($"Used by 2 inventories with 2 clients. Of your rollouts: Windows 11 Refresh / {names[0]}. It is used by 1 rollout you are not a member of.", managers);
            Assert.Contains("ask an administrator to make the change, or duplicate the", managers);
            Assert.True(HtmlPage.Parse(managers).Has("fieldset[disabled]"), "the manager's form is read-only");
            Assert.DoesNotContain(names[1], managers);
            Assert.DoesNotContain("Server Migration", managers);
            Assert.Contains($"Used by 2 inventories with 2 clients: Server Migration / {names[1]}, Windows 11 Refresh / {names[0]}.", admins);
            Assert.DoesNotContain("ask an administrator", admins);
            Assert.False(HtmlPage.Parse(admins).Has("fieldset[disabled]"), "the administrator's form is not read-only");
        }

        var removal = await manager.PageAsync($"/settings/workflows/{shared.Workflow}/statuses/{shared.Statuses[0]}/remove");
        Assert.Contains("ask an administrator to make the change", removal);
        Assert.True(HtmlPage.Parse(removal).Has("fieldset[disabled]"), "the manager's form is read-only");
    }

    [Fact]
    public async Task SettingsLists_ShowHowManyInventoriesAndClientsUseEachWorkflowAndField_AndWhoMayChangeIt()
    {
        var shared = await SharedAsync();
        var workflow = await factory.WithDbAsync(db => db.Workflows.Where(w => w.Id == shared.Workflow).Select(w => w.Name).SingleAsync());
        var manager = await factory.SignInAsync(Manager);
        var admin = await factory.SignInAsync(Admin);

        Assert.Equal($"{workflow} A → B → C 2 2 an administrator (used by 1 rollout you are not a member of)",
            Row(await manager.PageAsync("/settings/workflows"), "data-workflow", workflow));
        Assert.Equal($"{workflow} A → B → C 2 2 you", Row(await admin.PageAsync("/settings/workflows"), "data-workflow", workflow));
        Assert.Equal($"{shared.FieldName} Selection 3 2 2 an administrator (used by 1 rollout you are not a member of)",
            Row(await manager.PageAsync("/settings/custom-fields"), "data-field", shared.FieldName));
    }

    /// <summary>The text of the list's row <c>&lt;tr {attribute}="{name}"&gt;</c>, its cells separated by one space.</summary>
    private static string Row(string html, string attribute, string name)
    {
        var row = HtmlPage.Parse(html).QuerySelectorAll($"tr[{attribute}]").SingleOrDefault(r => r.GetAttribute(attribute) == name);
        Assert.True(row is not null, $"no row {name}");
        return string.Join(' ', row.Children.Select(cell => cell.NormalizedText()).Where(text => text.Length > 0));
    }

    [Fact]
    public async Task AWorkflowOrFieldNoInventoryUses_IsChangedByAnyRolloutManager()
    {
        var manager = await factory.SignInAsync(Manager);
        var (workflow, field) = await factory.WithDbAsync(async db =>
        {
            var w = TestSettings.Workflow(Unique("Unused"), "Only");
            var f = TestSettings.Field(Unique("Unused"), CustomFieldType.Input);
            db.AddRange(w, f);
            await db.SaveChangesAsync();
            return (w.Id, f.Id);
        });

        var (_, renamed, _) = await manager.SubmitAsync($"/settings/workflows/{workflow}", new() { ["Name"] = "Nobody's flow" });
        var (_, saved, _) = await manager.SubmitAsync($"/settings/custom-fields/{field}",
            new() { ["Name"] = "Nobody's field", ["Type"] = "Input", ["Required"] = "true" });

        Assert.Contains("The workflow was renamed.", renamed);
        Assert.Contains("The custom field Nobody's field was saved.", saved);
    }

    [Fact]
    public async Task RenamingAnOptionClientsHold_OnTheSecondPageOfOptions_ReturnsThereAfterTheQuestion()
    {
        // The question's form carried neither the page nor the search: the confirmed rename went back to page 1.
        var shared = await SharedAsync();
        await factory.WithDbAsync(async db =>
        {
            var field = await db.CustomFields.Include(f => f.Options).SingleAsync(f => f.Id == shared.Field);
            for (var i = 0; i < 150; i++)
            {
                field.Options.Add(new CustomFieldOption { Name = $"Extra {i:D3}", Position = 3 + i });
            }

            await db.SaveChangesAsync();
            var client = await db.Clients.SingleAsync(c => c.InventoryId == shared.OwnInventory);
            client.Values = new() { [shared.Field] = ["Extra 140"] };
            await db.SaveChangesAsync();
        });
        var option = await factory.WithDbAsync(db => db.CustomFieldOptions.Where(o => o.CustomFieldId == shared.Field && o.Name == "Extra 140")
            .Select(o => o.Id).SingleAsync());
        var admin = await factory.SignInAsync(Admin);
        var page = $"/settings/custom-fields/{shared.Field}";

        var (_, question, _) = await admin.SubmitAsync($"{page}/options/{option}",
            new() { ["OptionName"] = "Extra 140 renamed", ["page"] = "2", ["search"] = "extra" }, $"{page}?page=2&search=extra");
        var form = HtmlPage.Parse(question).FindForm($"{page}/options/{option}");
        var answer = await admin.PostAsync($"{page}/options/{option}", new FormUrlEncodedContent(form?.HiddenFields() ?? []));

        Assert.Contains("1 client has the option “Extra 140”", question);
        Assert.Equal($"{page}?page=2&search=extra#options", answer.Headers.Location?.OriginalString);
        Assert.Contains($"href=\"{page}?page=2&search=extra#options\"", question);
    }

    [Fact]
    public async Task RenamingAnOptionClientsHold_AsksFirst_NamingHowManyClientsChange()
    {
        var shared = await SharedAsync();
        var before = await StateAsync(shared);
        var admin = await factory.SignInAsync(Admin);
        var page = $"/settings/custom-fields/{shared.Field}";

        var (status, question, redirectedTo) = await admin.SubmitAsync($"{page}/options/{shared.Options[0]}",
            new() { ["OptionName"] = "Crimson" }, page);
        var unchanged = await StateAsync(shared);
        var (_, done) = await admin.ConfirmAsync(question, $"{page}/options/{shared.Options[0]}");

        Assert.Equal((HttpStatusCode.OK, null), (status, redirectedTo));
        Assert.Contains("2 clients have the option “Red”: their values change to “Crimson”, each with an entry in the client's history.", question);
        Assert.Contains("Rename the option in 2 clients", question);
        Assert.Equal(before, unchanged);
        Assert.Contains("The option was renamed, in the clients' values too.", done);
        var values = await factory.WithDbAsync(db => db.Clients.AsNoTracking()
            .Where(c => c.InventoryId == shared.OwnInventory || c.InventoryId == shared.OtherInventory).Select(c => c.Values).ToListAsync());
        Assert.Equal([["Crimson"], ["Crimson"]], values.Select(v => v[shared.Field]));
    }

    [Fact]
    public async Task DuplicatingASharedWorkflow_GivesTheManagerACopyToChange_SwitchingOnlyTheirInventoriesWithoutClients()
    {
        var shared = await SharedAsync();
        var empty = await factory.WithDbAsync(async db =>
        {
            var inventory = new Inventory
            {
                Name = Unique("Empty"), RolloutId = await db.Rollouts.Where(r => r.Identifier == DemoSeederIds.Own).Select(r => r.Id).SingleAsync(),
                WorkflowId = shared.Workflow,
            };
            db.Inventories.Add(inventory);
            await db.SaveChangesAsync();
            return inventory.Id;
        });
        var manager = await factory.SignInAsync(Manager);
        var duplicate = $"/settings/workflows/{shared.Workflow}/duplicate";
        var workflows = () => factory.WithDbAsync(db => db.Workflows.CountAsync());
        var count = await workflows();

        var offered = await manager.PageAsync(duplicate);
        var (_, withClients, _) = await manager.SubmitAsync(duplicate,
            new() { ["Name"] = "Mine", ["InventoryIds"] = shared.OwnInventory.ToString(CultureInfo.InvariantCulture) });
        var (_, foreign, _) = await manager.SubmitAsync(duplicate,
            new() { ["Name"] = "Mine", ["InventoryIds"] = shared.OtherInventory.ToString(CultureInfo.InvariantCulture) });
        var countAfterRefusals = await workflows();
        var (_, made, location) = await manager.SubmitAsync(duplicate,
            new() { ["Name"] = "Mine", ["InventoryIds"] = empty.ToString(CultureInfo.InvariantCulture) });
        var copy = int.Parse(location!.Split('#')[0].Split('/')[^1], CultureInfo.InvariantCulture);
        var (_, renamed, _) = await manager.SubmitAsync($"/settings/workflows/{copy}", new() { ["Name"] = "Mine, renamed" });

        Assert.Contains("cannot switch: it has a client, whose status belongs to this workflow", offered);
        Assert.DoesNotContain("Server Migration", offered);
        Assert.Contains("The inventory", withClients);
        Assert.Contains("cannot switch to the copy: it has a client", withClients);
        Assert.Contains("Only inventories of your rollouts that use this workflow can switch to the copy.", foreign);
        Assert.Equal(count, countAfterRefusals);
        Assert.Contains("The workflow Mine was created as a copy of", made);
        Assert.Contains("; 1 inventory now uses it.", made);
        Assert.Contains("The workflow was renamed.", renamed);
        var (statuses, inventories) = await factory.WithDbAsync(async db => (
            await db.WorkflowStatuses.Where(s => s.WorkflowId == copy).OrderBy(s => s.Position).Select(s => s.Name).ToListAsync(),
            await db.Inventories.Where(i => i.Id == empty || i.Id == shared.OwnInventory || i.Id == shared.OtherInventory)
                .OrderBy(i => i.Id).Select(i => i.WorkflowId).ToListAsync()));
        Assert.Equal(["A", "B", "C"], statuses);
        Assert.Equal([shared.Workflow, shared.Workflow, copy], inventories);
    }

    [Fact]
    public async Task DuplicatingASharedField_SwitchesTheManagersInventory_CopyingItsClientsValuesWithHistory_AndTheMapping()
    {
        var shared = await SharedAsync();
        await factory.WithDbAsync(async db =>
        {
            var inventory = await db.Inventories.SingleAsync(i => i.Id == shared.OwnInventory);
            inventory.LastImportMapping = new ImportMapping
            {
                Columns = [new ColumnMapping { Letter = "A", Header = "Name", Target = "Name" },
                    new ColumnMapping { Letter = "B", Header = "Colour", Target = shared.FieldName }],
            }.ToJson();
            await db.SaveChangesAsync();
        });
        var manager = await factory.SignInAsync(Manager);
        var duplicate = $"/settings/custom-fields/{shared.Field}/duplicate";

        var offered = await manager.PageAsync(duplicate);
        var (_, made, location) = await manager.SubmitAsync(duplicate,
            new() { ["Name"] = "My colour", ["InventoryIds"] = shared.OwnInventory.ToString(CultureInfo.InvariantCulture) });
        var copy = int.Parse(location!.Split('#')[0].Split('/')[^1], CultureInfo.InvariantCulture);
        var options = await factory.WithDbAsync(db => db.CustomFieldOptions.Where(o => o.CustomFieldId == copy).OrderBy(o => o.Position)
            .Select(o => new { o.Id, o.Name }).ToListAsync());
        var (_, refusedOnOriginal, _) = await manager.SubmitAsync($"/settings/custom-fields/{shared.Field}/options",
            new() { ["OptionName"] = "Yellow" }, $"/settings/custom-fields/{shared.Field}");
        var (_, renamedOnCopy, _) = await manager.SubmitAsync($"/settings/custom-fields/{copy}/options/{options[0].Id}",
            new() { ["OptionName"] = "Crimson", ["Confirmed"] = "true" }, $"/settings/custom-fields/{copy}");

        Assert.Contains("Windows 11 Refresh / ", offered);
        Assert.DoesNotContain("Server Migration", offered);
        Assert.Contains("The custom field My colour was created as a copy of", made);
        Assert.Contains("; 1 inventory now uses it, with its clients' values.", made);
        Assert.Equal(["Red", "Blue", "Green"], options.Select(o => o.Name));
        Assert.Contains("only an administrator can change it", refusedOnOriginal);
        Assert.Contains("The option was renamed, in the clients' values too.", renamedOnCopy);
        var (fields, mapping, own, other, history) = await factory.WithDbAsync(async db => (
            await db.InventoryCustomFields.Where(f => f.InventoryId == shared.OwnInventory).Select(f => new { f.CustomFieldId, f.Position }).ToListAsync(),
            await db.Inventories.Where(i => i.Id == shared.OwnInventory).Select(i => i.LastImportMapping).SingleAsync(),
            await db.Clients.Where(c => c.InventoryId == shared.OwnInventory).Select(c => new { c.Id, c.Values }).SingleAsync(),
            await db.Clients.Where(c => c.InventoryId == shared.OtherInventory).Select(c => c.Values).SingleAsync(),
            await db.ClientHistory.AsNoTracking().OrderBy(h => h.Id).ToListAsync()));
        Assert.Equal([new { CustomFieldId = copy, Position = 0 }], fields);
        Assert.Equal(["Name", "My colour"], ImportMapping.FromJson(mapping).Columns.Select(c => c.Target));
        Assert.Equal(["Crimson"], own.Values[copy]);
        Assert.False(own.Values.ContainsKey(shared.Field));
        Assert.Equal(["Red"], other[shared.Field]);
        Assert.Equal(
            [[new FieldChange(shared.FieldName, "Red", null, FieldId: shared.Field, Setting: "field duplicated as \"My colour\""),
                    new FieldChange("My colour", null, "Red", FieldId: copy, Setting: "field duplicated as \"My colour\"")],
                [new FieldChange("My colour", "Red", "Crimson", FieldId: copy, Setting: "option renamed")]],
            history.Where(h => h.ClientId == own.Id).Select(h => h.Changes));
    }

    [Theory]
    [InlineData("rename option")]
    [InlineData("remove option")]
    [InlineData("change pattern")]
    public async Task AfterTheOtherRolloutSwitchedToACopy_TheOriginalNoLongerReachesIt_SoTheManagerMayChangeTheOriginal(string change)
    {
        // The switch left the other rollout's values of the original hidden on its client, and so locked the original
        // for this manager for good, though the other rollout's inventory now used the copy.
        var shared = await SharedAsync();
        var admin = await factory.SignInAsync(Admin);
        var (_, made, location) = await admin.SubmitAsync($"/settings/custom-fields/{shared.Field}/duplicate",
            new() { ["Name"] = Unique("Their colour"), ["InventoryIds"] = shared.OtherInventory.ToString(CultureInfo.InvariantCulture) });
        var copy = int.Parse(location!.Split('#')[0].Split('/')[^1], CultureInfo.InvariantCulture);
        var manager = await factory.SignInAsync(Manager);
        var (url, page, fields) = Form(change, shared);
        var before = await StateAsync(shared);

        var (status, answer, _) = await manager.SubmitAsync(url, fields, page);

        Assert.Contains("was created as a copy of", made);
        Assert.NotEqual(before, await StateAsync(shared));
        Assert.NotEqual(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("you are not a member of", answer);
        var (other, hidden) = await factory.WithDbAsync(async db => (
            await db.Clients.Where(c => c.InventoryId == shared.OtherInventory).Select(c => c.Values).SingleAsync(),
            await db.InventoryHiddenFields.AnyAsync(h => h.CustomFieldId == shared.Field)));
        Assert.Equal(["Red"], other[copy]);
        Assert.False(other.ContainsKey(shared.Field));
        Assert.False(hidden);
    }

    [Fact]
    public async Task DuplicatingAField_WhileAnImportIntoTheInventoryRuns_RefusesTheSwitch_AndCreatesNothing()
    {
        var shared = await SharedAsync();
        await RunningImportAsync(shared.OwnInventory, Manager);
        var before = await StateAsync(shared);
        var fields = await factory.WithDbAsync(db => db.CustomFields.CountAsync());
        var manager = await factory.SignInAsync(Manager);
        var duplicate = $"/settings/custom-fields/{shared.Field}/duplicate";

        var offered = await manager.PageAsync(duplicate);
        var (_, refused, _) = await manager.SubmitAsync(duplicate,
            new() { ["Name"] = "While running", ["InventoryIds"] = shared.OwnInventory.ToString(CultureInfo.InvariantCulture) });

        Assert.Contains("cannot switch: it has an import running", offered);
        Assert.Contains("cannot switch to the copy: it has an import running.", refused);
        Assert.Equal(fields, await factory.WithDbAsync(db => db.CustomFields.CountAsync()));
        Assert.Equal(before, await StateAsync(shared));
        Assert.Equal([shared.Field], await factory.WithDbAsync(db =>
            db.InventoryCustomFields.Where(f => f.InventoryId == shared.OwnInventory).Select(f => f.CustomFieldId).ToListAsync()));
    }

    /// <summary>An import In Progress into the inventory, started by <paramref name="email"/>.</summary>
    private Task RunningImportAsync(int inventoryId, string email) => factory.WithDbAsync(async db =>
    {
        var inventory = await db.Inventories.SingleAsync(i => i.Id == inventoryId);
        db.Imports.Add(new ClientImport
        {
            RolloutId = inventory.RolloutId, InventoryId = inventory.Id, FileName = "running.csv", Status = ImportStatus.InProgress,
            // A live worker's lease: without one the recovery check (every 5 s) takes the import for interrupted and runs it.
            LeaseExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
            CreatedById = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(),
        });
        await db.SaveChangesAsync();
    });

    /// <summary>Sets the inventory's custom fields, as its edit page does (a field taken off keeps its values, hidden).</summary>
    private Task SetFieldsAsync(int inventoryId, params int[] fieldIds) => factory.WithDbAsync(async db =>
    {
        var inventory = await db.Inventories.AsNoTracking().SingleAsync(i => i.Id == inventoryId);
        var result = await new Rollouter.Import.Web.Features.Inventories.InventoryService(db, TimeProvider.System).UpdateAsync(
            inventory.RolloutId, inventory.Id,
            new Rollouter.Import.Web.Features.Inventories.InventoryInput(inventory.Name, inventory.WorkflowId, fieldIds), null,
            CancellationToken.None);
        Assert.True(result.Succeeded);
    });

    [Fact]
    public async Task TakingAFieldOffAnInventory_WhileAnImportIntoItRuns_IsRefused_AndChangesNothing_ButARenameIsMade()
    {
        // The running import would write values of the field after the edit, hidden without the record that keeps
        // other rollouts from changing the options those clients hold.
        var shared = await SharedAsync();
        await RunningImportAsync(shared.OwnInventory, Manager);
        var inventory = await factory.WithDbAsync(db => db.Inventories.AsNoTracking().SingleAsync(i => i.Id == shared.OwnInventory));

        Task<Result<Inventory>> EditAsync(string name, params int[] fieldIds) => factory.WithDbAsync(db =>
            new Rollouter.Import.Web.Features.Inventories.InventoryService(db, TimeProvider.System).UpdateAsync(inventory.RolloutId,
                inventory.Id, new Rollouter.Import.Web.Features.Inventories.InventoryInput(name, inventory.WorkflowId, fieldIds), null,
                CancellationToken.None));

        var takenOff = await EditAsync(inventory.Name);
        var renamed = await EditAsync(inventory.Name + " 2", shared.Field);

        Assert.True(takenOff.Failed);
        Assert.Equal((ProblemKind.Conflict, "CustomFieldIds"), (takenOff.Problem.Kind, takenOff.Problem.Field));
        Assert.Equal("An import into this inventory is running: change its custom fields or workflow when it has finished.",
            takenOff.Problem.Message);
        Assert.True(renamed.Succeeded);
        Assert.Equal([shared.Field], await factory.WithDbAsync(db =>
            db.InventoryCustomFields.Where(f => f.InventoryId == shared.OwnInventory).Select(f => f.CustomFieldId).ToListAsync()));
        Assert.False(await factory.WithDbAsync(db => db.InventoryHiddenFields.AnyAsync(h => h.InventoryId == shared.OwnInventory)));
    }

    [Theory]
    [InlineData("rename option")]
    [InlineData("remove option")]
    [InlineData("rename field")]
    [InlineData("change pattern")]
    public async Task AFieldTakenOffAnotherRolloutsInventory_StillReachesIt_SoAManagerCannotChangeIt(string change)
    {
        // The other rollout's client keeps "Red" hidden: a manager of W11 alone must not rename or remove it under them.
        var shared = await SharedAsync();
        await SetFieldsAsync(shared.OtherInventory);
        var before = await StateAsync(shared);
        var manager = await factory.SignInAsync(Manager);
        var (url, page, fields) = Form(change, shared);

        var (status, answer, _) = await manager.SubmitAsync(url, fields, page);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("is used by 1 rollout you are not a member of", answer);
        Assert.Equal(before, await StateAsync(shared));
    }

    [Fact]
    public async Task RenamingAnOption_RenamesItInTheHiddenValuesOfAnInventoryTheFieldWasTakenOff_AndAddingItBackShowsThem()
    {
        var shared = await SharedAsync();
        await SetFieldsAsync(shared.OtherInventory);
        var admin = await factory.SignInAsync(Admin);
        var (url, page, fields) = Form("rename option", shared);

        var (status, _, _) = await admin.SubmitAsync(url, fields, page);

        Assert.Equal(HttpStatusCode.OK, status);
        var values = await factory.WithDbAsync(db => db.Clients.AsNoTracking()
            .Where(c => c.InventoryId == shared.OtherInventory).Select(c => c.Values).SingleAsync());
        Assert.Equal(["Crimson"], values[shared.Field]);
        Assert.Equal([shared.OtherInventory], await factory.WithDbAsync(db =>
            db.InventoryHiddenFields.Where(h => h.CustomFieldId == shared.Field).Select(h => h.InventoryId).ToListAsync()));
        await SetFieldsAsync(shared.OtherInventory, shared.Field);
        Assert.False(await factory.WithDbAsync(db => db.InventoryHiddenFields.AnyAsync(h => h.CustomFieldId == shared.Field)));
    }

    [Theory]
    [InlineData("rename option", "rename the option")]
    [InlineData("remove option", "remove the option")]
    [InlineData("rename field", "rename the field")]
    public async Task AnOptionOrFieldChange_WhileAnImportIntoAnInventoryWithTheFieldRuns_IsRefused_AndChangesNothing(string change, string says)
    {
        // The running import read the field's name and options when it started and writes what it read.
        var shared = await SharedAsync();
        await RunningImportAsync(shared.OtherInventory, Admin);
        var before = await StateAsync(shared);
        var admin = await factory.SignInAsync(Admin);
        var (url, page, fields) = Form(change, shared);

        var (_, answer, _) = await admin.SubmitAsync(url, fields, page);

        Assert.Contains($"An import into an inventory with this field is running: {says} when it has finished.", answer);
        Assert.Equal(before, await StateAsync(shared));
    }

    [Fact]
    public async Task RenamingAField_CarriesTheRememberedMappingAndTheImportsNotYetWrittenAlong()
    {
        var shared = await SharedAsync();
        var mapping = new ImportMapping
        {
            Columns = [new ColumnMapping { Letter = "A", Header = "Name", Target = "Name" },
                new ColumnMapping { Letter = "B", Header = "Farbe", Target = shared.FieldName }],
        }.ToJson();
        var importId = await factory.WithDbAsync(async db =>
        {
            var inventory = await db.Inventories.SingleAsync(i => i.Id == shared.OwnInventory);
            inventory.LastImportMapping = mapping;
            var import = new ClientImport
            {
                RolloutId = inventory.RolloutId, InventoryId = inventory.Id, FileName = "waiting.csv",
                Status = ImportStatus.WaitingForApproval, Mapping = mapping,
                CreatedById = await db.Users.Where(u => u.Email == Admin).Select(u => u.Id).SingleAsync(),
            };
            db.Imports.Add(import);
            await db.SaveChangesAsync();
            return import.Id;
        });
        var admin = await factory.SignInAsync(Admin);
        var (url, page, fields) = Form("rename field", shared);

        var (status, _, _) = await admin.SubmitAsync(url, fields, page);

        Assert.Equal(HttpStatusCode.OK, status);
        var (remembered, waiting) = await factory.WithDbAsync(async db => (
            await db.Inventories.Where(i => i.Id == shared.OwnInventory).Select(i => i.LastImportMapping).SingleAsync(),
            await db.Imports.Where(i => i.Id == importId).Select(i => i.Mapping).SingleAsync()));
        foreach (var json in new[] { remembered, waiting })
        {
            Assert.NotNull(json);
            Assert.Equal(fields["Name"], ImportMapping.FromJson(json).Columns[1].Target);
        }
    }

    [Fact]
    public async Task ApiLists_GiveEachWorkflowAndFieldItsReach_AndWhetherTheCallerMayChangeIt()
    {
        var shared = await SharedAsync();
        var manager = await ApiTestClient.LoginAsync(factory, Manager);
        var admin = await ApiTestClient.LoginAsync(factory, Admin);

        foreach (var (list, id) in new[] { ("/api/workflows", shared.Workflow), ("/api/custom-fields", shared.Field) })
        {
            var managers = (await manager.GetJsonAsync(list)).AsArray().Single(w => w!["id"]!.GetValue<int>() == id)!;
            var admins = (await admin.GetJsonAsync(list)).AsArray().Single(w => w!["id"]!.GetValue<int>() == id)!;

            Assert.Equal((2, 2, false), (managers["inventories"]!.GetValue<int>(), managers["clients"]!.GetValue<int>(),
                managers["changeable"]!.GetValue<bool>()));
            Assert.True(admins["changeable"]!.GetValue<bool>());
            // The one setting's address gives it as the list does, reach included.
            Assert.Equal(managers.ToJsonString(), (await manager.GetJsonAsync($"{list}/{id}")).ToJsonString());
            Assert.Equal(admins.ToJsonString(), (await admin.GetJsonAsync($"{list}/{id}")).ToJsonString());
        }
    }

    /// <summary>
    /// The API creates workflows and fields but changes no existing one, so it has nothing to refuse. An endpoint that
    /// does must apply the rule (WorkflowSettings and CustomFieldSettings do) and join the tests above.
    /// </summary>
    [Fact]
    public void Api_HasNoEndpointThatChangesAnExistingWorkflowFieldOrOption()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } path
                && (path.StartsWith("api/workflows", StringComparison.Ordinal) || path.StartsWith("api/custom-fields", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["any"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(["GET api/custom-fields", "GET api/custom-fields/{id:int}", "GET api/workflows", "GET api/workflows/{id:int}",
            "POST api/custom-fields", "POST api/workflows"], endpoints);
    }
}

/// <summary>The demo's rollouts: the manager's, and the one only the administrator belongs to.</summary>
internal static class DemoSeederIds
{
    public const string Own = Rollouter.Import.Web.Infrastructure.DemoSeeder.RolloutIdentifier;
    public const string Other = Rollouter.Import.Web.Infrastructure.DemoSeeder.OtherRolloutIdentifier;
}

public sealed class SqliteSharedSettingsTests(RolloutWebFactory factory)
    : SharedSettingsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSharedSettingsTests(PostgresWebFactory factory)
    : SharedSettingsTests(factory), IClassFixture<PostgresWebFactory>;
