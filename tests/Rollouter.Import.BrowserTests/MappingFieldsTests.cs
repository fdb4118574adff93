using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Rollouter.Import.BrowserTests.Recovery;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// The mapping page of an inventory with more than 20 custom fields and a wide file (decision 0079), driven with its
/// script: a column's "Another custom field…" and its box searching the page's one list of fields, and the filter that
/// finds columns by header or shows those imported or not.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class MappingFieldsTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private const int Fields = 25;

    private const int Columns = 30;

    private static string N(int n) => n.ToString("00", CultureInfo.InvariantCulture);

    /// <summary>
    /// A rollout of its own with the manager in it, 25 custom fields (24 inputs named "Wide {tag} 01…24" and one selection,
    /// "Warranty end {tag}") and an inventory "Wide" with all of them; the rollout's identifier.
    /// </summary>
    private async Task<(string Rollout, string Warranty)> WideInventoryAsync(string tag)
    {
        var identifier = "MAP" + tag;
        var warranty = $"Warranty end {tag}";
        using var admin = await AppApi.SignInAsync(Fixture.App, "admin@demo.test");
        var rollout = await admin.PostAsync("api/rollouts", new { name = "Wide " + identifier, identifier, clientLimit = (int?)null });
        var rolloutId = rollout["id"]!.GetValue<int>();
        var manager = (await admin.GetAsync("api/users")).AsArray().Single(u => u!["email"]!.GetValue<string>() == "manager@demo.test")!;
        await admin.PostAsync($"api/rollouts/{rolloutId}/members", new { userId = manager["id"]!.GetValue<int>() });
        var workflow = (await admin.GetAsync("api/workflows")).AsArray().Single(w => w!["name"]!.GetValue<string>() == "Device rollout")!;
        var fieldIds = new List<int>();
        for (var i = 1; i < Fields; i++)
        {
            var field = await admin.PostAsync("api/custom-fields", new { name = $"Wide {tag} {N(i)}", type = "Input", required = false });
            fieldIds.Add(field["id"]!.GetValue<int>());
        }

        var selection = await admin.PostAsync("api/custom-fields",
            new { name = warranty, type = "Selection", required = false, options = new[] { "2027", "2028" } });
        fieldIds.Insert(12, selection["id"]!.GetValue<int>());
        await admin.PostAsync($"api/rollouts/{rolloutId}/inventories",
            new { name = "Wide", workflowId = workflow["id"]!.GetValue<int>(), customFieldIds = fieldIds });
        return (identifier, warranty);
    }

    /// <summary>30 columns: Name, Status, "Guarantee" (no field's name: not mapped by the upload) and "Spare 01…27".</summary>
    private static byte[] WideFile(string tag)
    {
        var headers = new[] { "Name", "Status", "Guarantee" }.Concat(Enumerable.Range(1, Columns - 3).Select(i => $"Spare {N(i)}")).ToArray();
        var file = new ClientFile(headers)
            .Rows(2, i => [$"WIDE-{tag}-{i.ToString(CultureInfo.InvariantCulture)}", "New", "2027", .. Enumerable.Range(1, Columns - 3).Select(c => $"s{N(c)}")]);
        return Encoding.UTF8.GetBytes(file.ToCsv());
    }

    private ILocator ColumnRow(string letter) => Page.Locator($"[data-testid=mapping] tbody tr[data-letter={letter}]");

    private ILocator FieldBox(string letter) => Page.GetByLabel($"Custom field of column {letter}, for Another custom field");

    private ILocator ShownCount => Page.GetByTestId("mapping-filter").Locator("[data-mapping-shown]");

    private ILocator FindColumn => Page.GetByLabel("Find a column by header");

    private ILocator ShowColumns => Page.GetByLabel("Show the columns");

    [Fact]
    public async Task Manager_PicksAnotherCustomFieldThroughItsBox_AndSavesIt_TheMappingHasTheField()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var (rollout, warranty) = await WideInventoryAsync(tag);
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync(rollout, "Wide", "wide.csv", WideFile(tag));
        var importId = int.Parse(Regex.Match(Page.Url, @"/imports/(\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);

        // More than 20 fields: a column's list holds the default fields and "Another custom field…", not the 25 fields,
        // and the page holds one list of them.
        var options = await Target("C").Locator("option").AllTextContentsAsync();
        Assert.Contains("Another custom field…", options);
        Assert.DoesNotContain(warranty, options);
        Assert.Equal(Fields, await Page.Locator("datalist#mapping-fields option").CountAsync());
        await Expect(FieldBox("C")).ToBeHiddenAsync();
        await Expect(ColumnRow("C").Locator(".mapping-select")).ToBeHiddenAsync();
        await Step("wide-mapping");

        await Target("C").SelectOptionAsync(new SelectOptionValue { Label = "Another custom field…" });
        await Expect(FieldBox("C")).ToBeVisibleAsync();
        await FieldBox("C").PressSequentiallyAsync("arranty");
        // What the box's list offers for what was typed: the one field whose name holds it.
        var offered = await Page.EvaluateAsync<string[]>(
            """
            typed => Array.from(document.querySelectorAll('datalist#mapping-fields option'))
                .map(o => o.value).filter(v => v.toLowerCase().includes(typed.toLowerCase()))
            """, "arranty");
        Assert.Equal([warranty], offered);
        await FieldBox("C").FillAsync(offered[0]);
        // A selection field: the row offers "Create option if not exists", as the select's own fields do.
        await Expect(ColumnRow("C").Locator(".mapping-select")).ToBeVisibleAsync();
        await Step("field-picked");

        await SaveMappingAsync();
        await Step("saved");

        using var api = await AppApi.SignInAsync(Fixture.App, "manager@demo.test");
        var import = await api.ImportAsync(importId);
        var saved = import["mapping"]!["columns"]!.AsArray().Single(c => c!["letter"]!.GetValue<string>() == "C")!;
        Assert.Equal(warranty, saved["target"]!.GetValue<string>());
        Assert.Equal("WaitingForApproval", import["status"]!.GetValue<string>());
        // The page shows the column's field as its own choice now, with its box hidden.
        await Expect(Target("C").Locator("option:checked")).ToHaveTextAsync(warranty);
        await Expect(FieldBox("C")).ToBeHiddenAsync();
    }

    /// <summary>
    /// "Columns not imported" is where a user maps the columns left one after the other: choosing "Another custom
    /// field…" there keeps the row, with its box, until a field is typed, as an empty box imports nothing.
    /// </summary>
    [Fact]
    public async Task AmongTheColumnsNotImported_AnotherCustomField_KeepsTheRowAndItsBox_UntilAFieldIsTyped()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var (rollout, warranty) = await WideInventoryAsync(tag);
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync(rollout, "Wide", "wide-left.csv", WideFile(tag));
        var importId = int.Parse(Regex.Match(Page.Url, @"/imports/(\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);

        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "Columns not imported" });
        await Expect(ShownCount).ToHaveTextAsync($"{Columns - 2} of {Columns} columns shown");
        await Target("C").SelectOptionAsync(new SelectOptionValue { Label = "Another custom field…" });

        // Nothing typed yet: the column imports nothing, so it stays among those not imported, its box ready.
        await Expect(ColumnRow("C")).ToBeVisibleAsync();
        await Expect(FieldBox("C")).ToBeVisibleAsync();
        await Expect(ShownCount).ToHaveTextAsync($"{Columns - 2} of {Columns} columns shown");
        await Step("another-field-chosen");
        await FieldBox("C").PressSequentiallyAsync(warranty);
        // The row stays while the user types; the next choice of the filter counts it as imported.
        await Expect(ColumnRow("C")).ToBeVisibleAsync();
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "Columns imported" });
        await Expect(ShownCount).ToHaveTextAsync($"3 of {Columns} columns shown");
        await Expect(ColumnRow("C")).ToBeVisibleAsync();

        // "Another custom field…" with an empty box is "Do not import" for the server: not among the columns imported.
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "All columns" });
        await Target("D").SelectOptionAsync(new SelectOptionValue { Label = "Another custom field…" });
        await Expect(FieldBox("D")).ToBeVisibleAsync();
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "Columns imported" });
        await Expect(ShownCount).ToHaveTextAsync($"3 of {Columns} columns shown");
        await Expect(ColumnRow("D")).ToBeHiddenAsync();
        await Step("empty-box-not-imported");

        await SaveMappingAsync();
        using var api = await AppApi.SignInAsync(Fixture.App, "manager@demo.test");
        var columns = (await api.ImportAsync(importId))["mapping"]!["columns"]!.AsArray();
        Assert.Equal(warranty, columns.Single(c => c!["letter"]!.GetValue<string>() == "C")!["target"]!.GetValue<string>());
        Assert.DoesNotContain(columns, c => c!["letter"]!.GetValue<string>() == "D" && !string.IsNullOrEmpty(c["target"]?.GetValue<string>()));
    }

    [Fact]
    public async Task TheColumnFilter_FindsColumnsByHeader_AndShowsThoseImportedOrNot_WithoutLosingAHiddenChoice()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var (rollout, warranty) = await WideInventoryAsync(tag);
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync(rollout, "Wide", "wide-filter.csv", WideFile(tag));
        var importId = int.Parse(Regex.Match(Page.Url, @"/imports/(\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);
        var rows = Page.Locator("[data-testid=mapping] tbody tr[data-letter]");
        var visible = rows.Locator("visible=true");

        await Expect(Page.GetByTestId("mapping-filter")).ToBeVisibleAsync();
        await Expect(ShownCount).ToHaveTextAsync($"{Columns} of {Columns} columns shown");
        await Expect(rows).ToHaveCountAsync(Columns);

        // By header: "spare 0" is Spare 01 to 09.
        await FindColumn.PressSequentiallyAsync("spare 0");
        await Expect(ShownCount).ToHaveTextAsync($"9 of {Columns} columns shown");
        await Expect(visible).ToHaveCountAsync(9);
        await Expect(ColumnRow("D")).ToBeVisibleAsync();
        await Expect(ColumnRow("L")).ToBeVisibleAsync();
        await Expect(ColumnRow("M")).ToBeHiddenAsync();
        await Expect(ColumnRow("A")).ToBeHiddenAsync();
        await Step("found-by-header");

        // By what is imported: Name and Status were mapped by the upload.
        await FindColumn.FillAsync("");
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "Columns imported" });
        await Expect(ShownCount).ToHaveTextAsync($"2 of {Columns} columns shown");
        await Expect(ColumnRow("A")).ToBeVisibleAsync();
        await Expect(ColumnRow("B")).ToBeVisibleAsync();
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "Columns not imported" });
        await Expect(ShownCount).ToHaveTextAsync($"{Columns - 2} of {Columns} columns shown");
        await Expect(ColumnRow("C")).ToBeVisibleAsync();
        await Step("not-imported");

        // Column C gets a field; shown again with all columns, it counts as imported, and "not imported" hides it.
        await Target("C").SelectOptionAsync(new SelectOptionValue { Label = "Another custom field…" });
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "All columns" });
        await FieldBox("C").FillAsync(warranty);
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "Columns imported" });
        await Expect(ShownCount).ToHaveTextAsync($"3 of {Columns} columns shown");
        await Expect(ColumnRow("C")).ToBeVisibleAsync();
        await ShowColumns.SelectOptionAsync(new SelectOptionValue { Label = "Columns not imported" });
        await Expect(ColumnRow("C")).ToBeHiddenAsync();
        // Both at once: "spare 2" among the columns not imported is Spare 20 to 27.
        await FindColumn.PressSequentiallyAsync("spare 2");
        await Expect(ShownCount).ToHaveTextAsync($"8 of {Columns} columns shown");
        await Step("both-filters");

        // Saved while column C is hidden: its choice is posted all the same.
        await SaveMappingAsync();
        using var api = await AppApi.SignInAsync(Fixture.App, "manager@demo.test");
        var saved = (await api.ImportAsync(importId))["mapping"]!["columns"]!.AsArray()
            .Single(c => c!["letter"]!.GetValue<string>() == "C")!;
        Assert.Equal(warranty, saved["target"]!.GetValue<string>());
    }
}
