using System.Net;
using ClosedXML.Excel;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>An inventory's import template: headers that map back by themselves, dropdowns, and a filled-in import.</summary>
public abstract class ImportTemplateTests(RolloutWebFactory factory)
{
    private async Task<(byte[] Content, InventoryDefinition Laptops)> DownloadAsync(string email = "technician@demo.test")
    {
        var laptops = await InventoryAsync(factory, await InventoryIdAsync(factory, "Laptops"));
        var client = await factory.SignInAsync(email);
        var response = await client.GetAsync($"/rollouts/W11/inventories/{laptops.InventoryId}/template");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Rollouter.Import.Exporting.XlsxStreamWriter.ContentType, response.Content.Headers.ContentType!.MediaType);
        return (await response.Content.ReadAsByteArrayAsync(), laptops);
    }

    /// <summary>The values a list validation of the sheet offers for the cell in row 2 of <paramref name="column"/>.</summary>
    private static string[] DropdownValues(XLWorkbook workbook, IXLWorksheet sheet, int column)
    {
        var validation = sheet.DataValidations.Single(v => v.Ranges.Any(r => r.Contains(sheet.Cell(2, column))));
        Assert.Equal(XLAllowedValues.List, validation.AllowedValues);
        var reference = validation.Value.TrimStart('=');
        var parts = reference.Split('!');
        var lists = workbook.Worksheet(parts[0].Trim('\''));
        Assert.Equal(XLWorksheetVisibility.Hidden, lists.Visibility);
        return [.. lists.Range(parts[1].Replace("$", "", StringComparison.Ordinal)).Cells().Select(c => c.GetString())];
    }

    [Fact]
    public async Task Template_HeaderRow_HoldsTheDefaultAndCustomFields_AndMapsAutomaticallyToEveryField()
    {
        var (content, laptops) = await DownloadAsync();

        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        string[] expected = ["Name", "Status", "Assignee", "Client User", "Description", "Client flag",
            .. laptops.CustomFields.Select(f => f.Name)];
        Assert.Equal(expected, Row(sheet, 1, expected.Length));
        Assert.True(sheet.Cell(1, expected.Length + 1).IsEmpty());
        var columns = expected.Select((h, i) => new Importing.Reading.SheetColumn(i, Importing.Reading.ColumnLetters.FromIndex(i), h)).ToList();
        var mapping = AutomaticMapping.Suggest(columns, laptops);
        string[] targets = [.. DefaultFields.All.Where(f => f != DefaultFields.Name).Prepend(DefaultFields.Name)
            .OrderBy(f => Array.IndexOf(expected, DefaultFields.DisplayName(f))), .. laptops.CustomFields.Select(f => f.Name)];
        Assert.Equal(targets, mapping.Columns.Select(c => c.Target!));
        Assert.Contains("Required", sheet.Cell(1, 1).Comment.Text, StringComparison.Ordinal);
        var serial = Array.IndexOf(expected, "Serial number") + 1;
        Assert.Contains("^SN[0-9]{6}$", sheet.Cell(1, serial).Comment.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_HasDropdowns_ListingTheWorkflowStatuses_AndEachSelectionFieldsOptions()
    {
        var (content, laptops) = await DownloadAsync();

        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        Assert.Equal(laptops.Statuses.Select(s => s.Name), DropdownValues(workbook, sheet, 2));
        var selections = laptops.CustomFields.Select((f, i) => (Field: f, Column: i + 7)).Where(x => x.Field.HasOptions).ToList();
        Assert.Contains(selections, s => s.Field.Type == CustomFieldType.MultiSelection);
        foreach (var (field, column) in selections)
        {
            Assert.Equal(field.Options.Select(o => o.Name), DropdownValues(workbook, sheet, column));
        }

        var freeText = laptops.CustomFields.Select((f, i) => (Field: f, Column: i + 7)).First(x => x.Field.Type == CustomFieldType.Input).Column;
        Assert.DoesNotContain(sheet.DataValidations, v => v.Ranges.Any(r => r.Contains(sheet.Cell(2, freeText))));
    }

    /// <summary>
    /// Every column of the template is formatted as Text (decision 0176), for the whole column: what a person types into
    /// it ("00124", "1-2", a 20-digit serial number) stays as typed in Excel instead of becoming 124, a date or 1.2E+19,
    /// on the first row as on the ten-thousandth and past it. Typed as text into the cells and uploaded, the values are
    /// imported as typed.
    /// </summary>
    [Fact]
    public async Task Template_EveryColumnIsText_ForEveryRow_AndValuesTypedThereImportAsTyped()
    {
        var (content, laptops) = await DownloadAsync("manager@demo.test");
        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        var headers = Row(sheet, 1, 6 + laptops.CustomFields.Count);
        for (var c = 1; c <= headers.Length; c++)
        {
            foreach (var row in (int[])[2, 3, ImportTemplate.ValidatedRows + 1, ImportTemplate.ValidatedRows + 500])
            {
                // 49 is Excel's built-in "@", Text.
                Assert.True(sheet.Cell(row, c).Style.NumberFormat.NumberFormatId == 49,
                    $"cell {sheet.Cell(row, c).Address} ({headers[c - 1]}) has number format {sheet.Cell(row, c).Style.NumberFormat.NumberFormatId}, not Text");
            }
        }

        var name = Unique("0");
        var typed = new Dictionary<string, string>
        {
            ["Name"] = name, ["Description"] = "1-2", ["Location"] = "00124", ["Tags"] = "12345678901234567890",
            ["Department"] = "IT",
        };
        for (var i = 0; i < headers.Length; i++)
        {
            if (typed.TryGetValue(headers[i], out var value))
            {
                sheet.Cell(2, i + 1).SetValue(value);
            }
        }

        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var created = await api.UploadAsync(laptops.RolloutId, laptops.InventoryId, "template.xlsx", Save(workbook));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await api.WaitForResultAsync(import.Id());
        Assert.True("Completed" == result.Status(), result.Json());
        var client = (await api.GetJsonAsync($"/api/inventories/{laptops.InventoryId}/clients?search={name}"))["items"]![0]!;
        Assert.Equal((name, "1-2"), (client["name"]!.GetValue<string>(), client["description"]!.GetValue<string>()));
        Assert.Equal("00124", client["values"]!["Location"]!.GetValue<string>());
        Assert.Equal(["12345678901234567890"], client["values"]!["Tags"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task Template_FilledInAndUploaded_IsMappedCompletely_AndImports()
    {
        var (content, laptops) = await DownloadAsync("manager@demo.test");
        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        var name = Unique("TPL");
        var values = new Dictionary<string, string>
        {
            ["Name"] = name, ["Status"] = "Prepared", ["Assignee"] = "technician@demo.test",
            ["Client User"] = "clientuser@demo.test", ["Description"] = "From the template", ["Client flag"] = "Check cables",
            ["Location"] = "Building A", ["Model"] = "ThinkPad T14", ["Software"] = "Office;Teams", ["Tags"] = "x;y",
            ["Serial number"] = "SN123456", ["Department"] = "IT", ["Notes"] = "Nothing",
        };
        var headers = Row(sheet, 1, 6 + laptops.CustomFields.Count);
        for (var i = 0; i < headers.Length; i++)
        {
            sheet.Cell(2, i + 1).SetValue(values[headers[i]]);
        }

        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var created = await api.UploadAsync(laptops.RolloutId, laptops.InventoryId, "template.xlsx", Save(workbook));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        Assert.All(import["mapping"]!["columns"]!.AsArray(), c => Assert.NotNull(c!["target"]));
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await api.WaitForResultAsync(import.Id());
        Assert.True("Completed" == result.Status(), result.Json());
        var clients = await api.GetJsonAsync($"/api/inventories/{laptops.InventoryId}/clients?search={name}");
        var client = clients["items"]![0]!;
        Assert.Equal("technician@demo.test", client["assignee"]!.GetValue<string>());
        Assert.Equal("Check cables", client["flag"]!.GetValue<string>());
        Assert.Equal(["Office", "Teams"], client["values"]!["Software"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task ClientsPage_LinksTheTemplate_ForEveryMember_AndForeignInventoryIsNotFound()
    {
        var laptops = await InventoryIdAsync(factory, "Laptops");
        var servers = await InventoryIdAsync(factory, "Servers");
        var technician = await factory.SignInAsync("clientuser@demo.test");

        var page = await technician.GetPageAsync($"/rollouts/W11/inventories/{laptops}");

        Assert.Equal($"/rollouts/W11/inventories/{laptops}/template", page.Href("download-template"));
        Assert.Equal(HttpStatusCode.OK, (await technician.GetAsync($"/rollouts/W11/inventories/{laptops}/template")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await technician.GetAsync($"/rollouts/W11/inventories/{servers}/template")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await technician.GetAsync($"/rollouts/SRV/inventories/{servers}/template")).StatusCode);
    }
}

public sealed class SqliteImportTemplateTests(RolloutWebFactory factory)
    : ImportTemplateTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportTemplateTests(PostgresWebFactory factory)
    : ImportTemplateTests(factory), IClassFixture<PostgresWebFactory>;
