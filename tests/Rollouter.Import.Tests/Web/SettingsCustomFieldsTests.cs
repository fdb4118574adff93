using System.Net;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>Custom fields of all five types, their options, the pattern check and the type change rule.</summary>
public abstract class SettingsCustomFieldsTests(RolloutWebFactory factory)
{
    private async Task<(HttpClient Client, int Id)> CreateAsync(Dictionary<string, string> form)
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (status, page, location) = await manager.SubmitAsync("/settings/custom-fields/new", form);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"The custom field {form["Name"]} was created.", page);
        return (manager, int.Parse(location!.Split('#')[0].Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private Task<CustomField> FieldAsync(int id) => factory.WithDbAsync(db =>
        db.CustomFields.AsNoTracking().Include(f => f.Options.OrderBy(o => o.Position)).SingleAsync(f => f.Id == id));

    [Theory]
    [InlineData("Input")]
    [InlineData("TextArea")]
    [InlineData("Selection")]
    [InlineData("MultiSelection")]
    [InlineData("MultiSelectionFree")]
    public async Task Create_EachType_WithDescriptionRequiredAndPattern(string type)
    {
        var hasOptions = type is "Selection" or "MultiSelection";
        var (manager, id) = await CreateAsync(new()
        {
            ["Name"] = "Field " + type, ["Type"] = type, ["Description"] = "About " + type, ["Required"] = "true",
            ["ValidationRegex"] = "^[A-Z]+$", ["Options"] = hasOptions ? "RED\nGREEN\n" : "",
        });

        var field = await FieldAsync(id);
        Assert.Equal(Enum.Parse<CustomFieldType>(type), field.Type);
        Assert.Equal(("About " + type, true, "^[A-Z]+$"), (field.Description, field.Required, field.ValidationRegex));
        Assert.Equal(hasOptions ? ["RED", "GREEN"] : [], field.Options.Select(o => o.Name));
        Assert.Contains("Field " + type, await manager.PageAsync("/settings/custom-fields"));
    }

    [Theory]
    [InlineData("Selection")]
    [InlineData("MultiSelection")]
    public async Task ASelectionWithoutOptions_IsCreated_AndItsPageSaysImportsFailUntilItHasSome(string type)
    {
        // QA (onboarding): such a field was created without a word, and every import into it then failed unless
        // "Create option if not exists" was ticked (decision 0086: warned, not refused).
        var name = "No options " + type;
        var (manager, id) = await CreateAsync(new() { ["Name"] = name, ["Type"] = type, ["Options"] = "" });

        var page = HtmlPage.Parse(await manager.PageAsync($"/settings/custom-fields/{id}"));

        Assert.Equal($"{name} has no options yet, so an import fails every row that gives it a value, unless the import's " +
            "column for it has \"Create option if not exists\" ticked. Add the options below (New option), one at a time.",
            page.TestId("no-options").NormalizedText());
        await manager.SubmitAsync($"/settings/custom-fields/{id}/options", new() { ["OptionName"] = "Red" }, $"/settings/custom-fields/{id}");
        Assert.Null(HtmlPage.Parse(await manager.PageAsync($"/settings/custom-fields/{id}")).QuerySelector("[data-testid=no-options]"));
    }

    [Theory]
    [InlineData("Input", "", "Enter the field's name.")]
    [InlineData("Input", "Location", "Another custom field is already named \"location\".")]
    [InlineData("Input", "Pattern", "The pattern is not a valid regular expression: Invalid pattern '^[0-9' at offset 5. Unterminated [] set.")]
    [InlineData("Input", "Backtracking", "The pattern needs backtracking, which can make checking one value take very long: backreference")]
    [InlineData("Input", "With options", "A field of type Input has no options.")]
    [InlineData("Selection", "Twice", "The option \"Red\" appears twice")]
    // Composed and decomposed (typed on a Mac): one option as seen (decision 0041).
    [InlineData("Selection", "Twice as seen", "The option \"B\u00FCro\" appears twice")]
    [InlineData("Input", "Description", "\"Description\" is the name of a default field: choose another name.")]
    [InlineData("Input", "client flag", "\"client flag\" is the name of a default field: choose another name.")]
    public async Task Create_WithBadInput_IsRefusedWithTheMessage(string type, string name, string message)
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var before = await factory.WithDbAsync(db => db.CustomFields.CountAsync());

        var (status, page, _) = await manager.SubmitAsync("/settings/custom-fields/new", new()
        {
            ["Name"] = name == "Location" ? "location" : name,
            ["Type"] = type,
            ["ValidationRegex"] = name switch { "Pattern" => "^[0-9", "Backtracking" => @"^(\w+)-\1$", _ => "" },
            ["Options"] = name switch { "With options" => "A\nB", "Twice" => "Red\nBlue\nred", "Twice as seen" => "B\u00FCro\nBu\u0308ro\u200B", _ => "" },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(message, page);
        Assert.Equal(before, await factory.WithDbAsync(db => db.CustomFields.CountAsync()));
    }

    private static string StampIn(string html) =>
        HtmlPage.Parse(html).QuerySelector("input[name=Stamp]")?.GetAttribute("value") ?? throw new Xunit.Sdk.XunitException("No stamp");

    [Fact]
    public async Task Edit_FromAPageOpenedBeforeSomeoneElsesSave_IsRefused_NamingTheFieldAsItIsNow_ThenSavedOnPurpose()
    {
        // The form posts every property: it silently undid the other person's required flag and description.
        var (first, id) = await CreateAsync(new() { ["Name"] = "Serial " + Guid.NewGuid().ToString("N")[..8], ["Type"] = "Input" });
        var page = $"/settings/custom-fields/{id}";
        var opened = StampIn(await first.GetStringAsync(page));
        var second = await factory.SignInAsync("admin@demo.test");
        var name = (await FieldAsync(id)).Name;
        var (_, saved, _) = await second.SubmitAsync(page, new()
        {
            ["Name"] = name, ["Type"] = "Input", ["Required"] = "true", ["Description"] = "Set by the second", ["Stamp"] = StampIn(await second.GetStringAsync(page)),
        });
        Assert.Contains("was saved", saved);

        var (status, refused, _) = await first.SubmitAsync(page, new() { ["Name"] = name + " renamed", ["Type"] = "Input", ["Stamp"] = opened });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"Someone saved this field after you opened the page; nothing was saved. It now reads: name “{name}”, Input, required, " +
            "pattern “”, description “Set by the second”.", refused);
        var kept = await FieldAsync(id);
        Assert.Equal((name, true, "Set by the second"), (kept.Name, kept.Required, kept.Description));

        var (_, again, _) = await first.SubmitAsync(page, new() { ["Name"] = name + " renamed", ["Type"] = "Input", ["Stamp"] = StampIn(refused) });
        Assert.Contains("was saved", again);
        Assert.Equal(name + " renamed", (await FieldAsync(id)).Name);
    }

    [Fact]
    public async Task Edit_ChangesNameAndPattern_ButTypeOnlyWhereValuesStayValid()
    {
        var (manager, id) = await CreateAsync(new() { ["Name"] = "Room", ["Type"] = "Input" });
        var page = $"/settings/custom-fields/{id}";

        var (_, saved, _) = await manager.SubmitAsync(page, new()
        {
            ["Name"] = "Room number", ["Type"] = "TextArea", ["Description"] = "Where", ["ValidationRegex"] = "^[0-9]+$",
        });
        var (_, refused, _) = await manager.SubmitAsync(page, new() { ["Name"] = "Room number", ["Type"] = "Selection" });
        var (_, badPattern, _) = await manager.SubmitAsync(page, new() { ["Name"] = "Room number", ["Type"] = "TextArea", ["ValidationRegex"] = "(" });
        var (_, lookahead, _) = await manager.SubmitAsync(page, new() { ["Name"] = "Room number", ["Type"] = "TextArea", ["ValidationRegex"] = "^(?=.*[0-9]).+$" });

        Assert.Contains("The custom field Room number was saved.", saved);
        Assert.Contains("A Text Area field cannot become Selection", refused);
        Assert.Contains("The pattern is not a valid regular expression: Invalid pattern '(' at offset 1. Not enough )'s.", badPattern);
        Assert.Contains("The pattern needs backtracking, which can make checking one value take very long: positive lookahead", lookahead);
        var field = await FieldAsync(id);
        Assert.Equal(("Room number", CustomFieldType.TextArea, "^[0-9]+$", "Where"),
            (field.Name, field.Type, field.ValidationRegex, field.Description));
        Assert.False(HtmlPage.Parse(await manager.PageAsync(page)).Has("[value=Selection]"), "Selection is offered");
    }

    [Fact]
    public async Task Edit_ThatMakesStoredValuesInvalid_SaysHowManyClientsHoldOne_AndKeepsThem()
    {
        var (manager, id) = await CreateAsync(new() { ["Name"] = "Asset tag", ["Type"] = "MultiSelectionFree" });
        var status = await factory.WithDbAsync(db => db.WorkflowStatuses.Select(s => new { s.Id, s.WorkflowId }).FirstAsync());
        await factory.AddInventoryAsync("Tagged", status.WorkflowId, [id],
            ("AT-1", status.Id, new() { [id] = ["AT-100", "AT-101"] }), ("AT-2", status.Id, new() { [id] = ["AT-200", "old 7"] }),
            ("AT-3", status.Id, new()));
        var page = $"/settings/custom-fields/{id}";

        var (_, pattern, _) = await manager.SubmitAsync(page, new()
        {
            ["Name"] = "Asset tag", ["Type"] = "MultiSelectionFree", ["ValidationRegex"] = "^AT-[0-9]+$",
        });
        var (_, required, _) = await manager.SubmitAsync(page, new()
        {
            ["Name"] = "Asset tag", ["Type"] = "MultiSelectionFree", ["ValidationRegex"] = "^AT-[0-9]+$", ["Required"] = "true",
        });
        var (_, renamedOnly, _) = await manager.SubmitAsync(page, new()
        {
            ["Name"] = "Asset tags", ["Type"] = "MultiSelectionFree", ["ValidationRegex"] = "^AT-[0-9]+$", ["Required"] = "true",
        });

        // AT-2 has a value the pattern refuses; then AT-3, without a value, breaks the required flag too.
        Assert.Contains("The custom field Asset tag was saved. 1 client holds a value the new rules refuse", pattern);
        Assert.Contains("The custom field Asset tag was saved. 2 clients hold a value the new rules refuse", required);
        Assert.Contains("The custom field Asset tags was saved.", renamedOnly);
        Assert.DoesNotContain("the new rules refuse", renamedOnly);
        var kept = await factory.WithDbAsync(db => db.Clients.AsNoTracking().Where(c => c.Name == "AT-2").Select(c => c.Values).SingleAsync());
        Assert.Equal(["AT-200", "old 7"], kept[id]);
    }

    [Fact]
    public async Task Options_AreAddedRenamedInTheClientsValuesReorderedAndRemovedWhenUnused()
    {
        var (manager, id) = await CreateAsync(new() { ["Name"] = "Colour", ["Type"] = "MultiSelection", ["Options"] = "Red\nBlue" });
        var options = (await FieldAsync(id)).Options;
        var status = await factory.WithDbAsync(db => db.WorkflowStatuses.Select(s => new { s.Id, s.WorkflowId }).FirstAsync());
        await factory.AddInventoryAsync("Painted", status.WorkflowId, [id],
            ("PT-1", status.Id, new() { [id] = ["Red", "Blue"] }), ("PT-2", status.Id, new() { [id] = ["Red"] }),
            ("PT-3", status.Id, new() { [id] = ["Blue"] }));
        var page = $"/settings/custom-fields/{id}";

        var (_, added, _) = await manager.SubmitAsync($"{page}/options", new() { ["OptionName"] = "Green" }, page);
        var (_, duplicate, _) = await manager.SubmitAsync($"{page}/options", new() { ["OptionName"] = "green" }, page);
        var (_, question, _) = await manager.SubmitAsync($"{page}/options/{options[0].Id}", new() { ["OptionName"] = "Crimson" }, page);
        var unchanged = (await FieldAsync(id)).Options.Select(o => o.Name).ToList();
        var (_, renamed, _) = await manager.SubmitAsync($"{page}/options/{options[0].Id}",
            new() { ["OptionName"] = "Crimson", ["Confirmed"] = "true" }, page);
        var (_, inUse, _) = await manager.SubmitAsync($"{page}/options/{options[1].Id}/remove", [], page);
        var green = (await FieldAsync(id)).Options.Single(o => o.Name == "Green");
        await manager.SubmitAsync($"{page}/options/{green.Id}/up", [], page);
        await manager.SubmitAsync($"{page}/options/{green.Id}/up", [], page);

        Assert.Contains("The option Green was added.", added);
        Assert.Contains("The field already has the option \"Green\", which differs only by case.", duplicate);
        Assert.Contains("2 clients have the option “Red”: their values change to “Crimson”", question);
        Assert.Equal(["Red", "Blue", "Green"], unchanged);
        Assert.Contains("The option was renamed, in the clients' values too.", renamed);
        Assert.Contains("2 clients have the option \"Blue\"", inUse);
        Assert.Equal(["Green", "Crimson", "Blue"], (await FieldAsync(id)).Options.Select(o => o.Name));
        var values = await factory.WithDbAsync(db => db.Clients.AsNoTracking().Where(c => c.Name.StartsWith("PT-"))
            .OrderBy(c => c.Name).Select(c => c.Values).ToListAsync());
        Assert.Equal([["Crimson", "Blue"], ["Crimson"], ["Blue"]], values.Select(v => v[id]));
        var history = await factory.WithDbAsync(db => db.ClientHistory.AsNoTracking()
            .Join(db.Clients, h => h.ClientId, c => c.Id, (h, c) => new { c.Name, h.Changes })
            .Where(h => h.Name.StartsWith("PT-")).OrderBy(h => h.Name).Select(h => h.Changes).ToListAsync());
        Assert.Equal([[new FieldChange("Colour", "Red; Blue", "Crimson; Blue", FieldId: id, Setting: "option renamed")],
                [new FieldChange("Colour", "Red", "Crimson", FieldId: id, Setting: "option renamed")]],
            history);

        var (_, removed, _) = await manager.SubmitAsync($"{page}/options/{green.Id}/remove", [], page);
        Assert.Contains("The option was removed.", removed);
        Assert.Equal(["Crimson", "Blue"], (await FieldAsync(id)).Options.Select(o => o.Name));

        // The same form again (a second tab, a double click): nothing is removed, and the page says so.
        var again = await RolloutWebFactory.PostFormAsync(manager, $"{page}/options/{green.Id}/remove", [], page);
        var answer = SettingsTestSupport.Text(await again.Content.ReadAsStringAsync());
        Assert.Contains("This option no longer exists.", answer);
        Assert.DoesNotContain("The option was removed.", answer);
    }

    [Fact]
    public async Task Options_AreShownAHundredAPage_FoundByName_AndAChangeReturnsToItsPage()
    {
        var names = Enumerable.Range(0, 250).Select(i => $"Model {i:D3}").ToList();
        var (manager, id) = await CreateAsync(new() { ["Name"] = "Model " + Guid.NewGuid().ToString("N")[..8], ["Type"] = "Selection", ["Options"] = string.Join("\n", names) });
        var page = $"/settings/custom-fields/{id}";
        static List<string> Rows(string html) =>
            [.. HtmlPage.Parse(html).TestId("options").QuerySelectorAll("tbody tr").Select(r => r.GetAttribute("data-option") ?? "")];

        var first = await manager.PageAsync(page);
        var third = await manager.PageAsync($"{page}?page=3");
        var found = await manager.PageAsync($"{page}?search=l%2012");
        var second = HtmlPage.Parse(await manager.PageAsync($"{page}?page=2"));
        var option = (await FieldAsync(id)).Options.Single(o => o.Name == "Model 100");
        var (_, moved, location) = await manager.SubmitAsync($"{page}/options/{option.Id}/up", new() { ["page"] = "2" }, $"{page}?page=2");

        Assert.Equal(names.Take(100), Rows(first));
        Assert.Contains("250 options, 100 a page.", first);
        Assert.Contains("Page 1 of 3", first);
        Assert.Equal(names.Skip(200), Rows(third));
        Assert.Equal(["Model 120", "Model 121", "Model 122", "Model 123", "Model 124", "Model 125", "Model 126", "Model 127", "Model 128",
            "Model 129"], Rows(found));
        Assert.Contains("10 of 250 options hold “l 12”.", found);
        // The arrows follow the option's place among all options, not on the page.
        var firstOnSecond = second.TestId("options").QuerySelector("tbody tr");
        Assert.Equal("Model 100", firstOnSecond?.GetAttribute("data-option"));
        Assert.False(firstOnSecond?.QuerySelector("button[aria-label='Move Model 100 up']")?.HasAttribute("disabled"));
        Assert.Equal("2", firstOnSecond?.QuerySelector("input[name=page]")?.GetAttribute("value"));
        // A move follows the option across the page's edge: back to its button on the page that now holds it.
        Assert.Equal($"{page}#move-up-{option.Id}", location);
        Assert.Equal(["Model 098", "Model 100"], Rows(moved).TakeLast(2));
        Assert.Contains("Model 100 moved to position 100.", moved);
        Assert.Equal("Model 100", (await FieldAsync(id)).Options[99].Name);
    }
}

public sealed class SqliteSettingsCustomFieldsTests(RolloutWebFactory factory)
    : SettingsCustomFieldsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsCustomFieldsTests(PostgresWebFactory factory)
    : SettingsCustomFieldsTests(factory), IClassFixture<PostgresWebFactory>;
