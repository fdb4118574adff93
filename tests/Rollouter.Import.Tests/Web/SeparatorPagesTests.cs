using System.Globalization;
using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// What separates a multi-selection's values (a line break from Excel's Alt+Enter lists cannot be typed into a text box)
/// and a CSV file's columns (a file of another tool read as one column), as the wizard's page offers them.
/// </summary>
public abstract class SeparatorPagesTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<(HttpClient Client, string Path)> UploadCsvAsync(string inventory, string csv, string fileName)
    {
        var client = await factory.SignInAsync("manager@demo.test");
        int inventoryId;
        using (var scope = factory.Services.CreateScope())
        {
            inventoryId = (await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Inventories.SingleAsync(i => i.Name == inventory)).Id;
        }

        var response = await ImportPagesTests.UploadAsync(client, inventoryId, fileName, Encoding.UTF8.GetBytes(csv));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (client, response.Headers.Location!.OriginalString);
    }

    private async Task<ImportMapping> StoredMappingAsync(string path)
    {
        var id = int.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return ImportMapping.FromJson((await db.Imports.SingleAsync(i => i.Id == id)).Mapping);
    }

    private static Dictionary<string, string> Mapping(params (string Target, string? Choice, string? Typed)[] columns)
    {
        var fields = new Dictionary<string, string>();
        for (var n = 0; n < columns.Length; n++)
        {
            fields[$"Columns[{n}].Letter"] = ((char)('A' + n)).ToString();
            fields[$"Columns[{n}].Target"] = columns[n].Target;
            if (columns[n].Choice is { } choice)
            {
                fields[$"Columns[{n}].SeparatorChoice"] = choice;
            }

            fields[$"Columns[{n}].Separator"] = columns[n].Typed ?? "";
        }

        return fields;
    }

    /// <summary>
    /// QA: "Office⏎Teams" (Alt+Enter in Excel) could not be imported from the page: the separator was a text box. The
    /// page offers "Line break", the choice survives the form both ways, the cell imports as two values; before that,
    /// Check's message says to choose it.
    /// </summary>
    [Fact]
    public async Task LineBreak_IsOfferedAsSeparator_RoundTripsThroughTheForm_AndTheCheckHintsAtIt()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Department,Software\n{Unique("SEP")},IT,\"Office\nTeams\"\n", "lines.csv");
        var page = await client.GetPageAsync(path);
        var choice = page.TestId("mapping").One("tr[data-letter='C']").One("select[name='Columns[2].SeparatorChoice']");
        Assert.Equal([";", ",", "|", "newline", "other"], choice.OptionValues());
        Assert.Equal("Line break", choice.One("option[value='newline']").NormalizedText());
        // The column's values are lines: Line break is offered at once (decision 0113). Chosen ";", the Check hints at it.
        Assert.Equal("newline", choice.SelectedOption()?.Value);
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping",
            Mapping(("Name", ";", null), ("Department", ";", null), ("Software", ";", null)), path);

        var failing = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();
        Assert.Contains("It contains line breaks: if they separate its values, choose Line break as the separator of column C (\"Software\").",
            failing.TestId("check-errors").NormalizedText(), StringComparison.Ordinal);

        var saved = await RolloutWebFactory.PostFormAsync(client, path + "/mapping",
            Mapping(("Name", ";", null), ("Department", ";", null), ("Software", "newline", null)), path);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("\n", (await StoredMappingAsync(path)).Columns[2].Separator);
        page = await client.GetPageAsync(path);
        Assert.Equal("newline", page.FieldValue("Columns[2].SeparatorChoice"));
        Assert.Equal("", page.FieldValue("Columns[2].Separator"));
        var passing = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();
        Assert.Contains("The 1 row would be imported.", passing.TestId("check-result").NormalizedText(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Verification pass: a failing multi-selection cell's editor held only the failing value ("Teamz" of
    /// "Office;Teamz"), so saving the fix dropped "Office"; and with Line break as separator it was a one-line text box.
    /// </summary>
    [Fact]
    public async Task AFailingMultiSelectionCell_IsCorrectedFromTheWholeCell_OneValueALineForLineBreaks()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Department,Software\n{Unique("SEP")},IT,Office;Teamz\n{Unique("SEP")},IT,\"Office\nTeamz\"\n", "multi.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping",
            Mapping(("Name", ";", null), ("Department", ";", null), ("Software", ";", null)), path);

        var semicolon = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();
        var typed = semicolon.One("[data-testid='cell-editor'][data-row='2'][data-column='C']").One("input[name='Value']");

        await RolloutWebFactory.PostFormAsync(client, path + "/mapping",
            Mapping(("Name", ";", null), ("Department", ";", null), ("Software", "newline", null)), path);
        var lines = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();
        var area = lines.One("[data-testid='cell-editor'][data-row='3'][data-column='C']").One("textarea[name='Value']");

        Assert.Equal("Office;Teamz", typed.GetAttribute("value"));
        Assert.Equal("Office\nTeamz", area.TextContent.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OtherSeparator_IsTypedIn_AndShownAsOther_WhileAFormWithoutTheListKeepsItsTypedSeparator()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Department,Software\n{Unique("SEP")},IT,Office~Teams\n", "other.csv");

        await RolloutWebFactory.PostFormAsync(client, path + "/mapping",
            Mapping(("Name", ";", null), ("Department", ";", null), ("Software", "other", "~")), path);

        Assert.Equal("~", (await StoredMappingAsync(path)).Columns[2].Separator);
        var page = await client.GetPageAsync(path);
        Assert.Equal(("other", "~"), (page.FieldValue("Columns[2].SeparatorChoice"), page.FieldValue("Columns[2].Separator")));

        // A script posting the separator alone, as before the list: what it typed.
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping",
            Mapping(("Name", null, null), ("Department", null, null), ("Software", null, "|")), path);
        Assert.Equal("|", (await StoredMappingAsync(path)).Columns[2].Separator);
    }

    /// <summary>
    /// QA: a CSV separated by ":" was read as one column, and the page said only "No column is mapped to Name". The page
    /// says which delimiter the rows look separated by, and File settings offer ":".
    /// </summary>
    [Fact]
    public async Task CsvReadAsOneColumn_ThePageNamesTheDelimiter_AndFileSettingsOfferIt()
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name:Department\n{Unique("COL")}:IT\n{Unique("COL")}:HR\n", "colon.csv");
        var page = await client.GetPageAsync(path);
        Assert.Contains("its rows look separated by \":\": choose Colon (:) as the delimiter under File settings.",
            page.TestId("file-warnings").NormalizedText(), StringComparison.Ordinal);
        var delimiter = page.TestId("file-settings").One("select[name='Delimiter']");
        Assert.Contains(":", delimiter.OptionValues());
        Assert.Contains("other", delimiter.OptionValues());

        var applied = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = ":", ["Encoding"] = "utf-8" }, path);

        Assert.Equal(HttpStatusCode.Redirect, applied.StatusCode);
        page = await client.GetPageAsync(path);
        Assert.Equal(["A", "B"], page.TestId("mapping").QuerySelectorAll("tbody tr").Select(r => r.GetAttribute("data-letter")));
        Assert.Equal(":", page.TestId("file-settings").One("select[name='Delimiter']").SelectedOption()?.Value);
        Assert.Null(page.FindTestId("file-warnings"));

        // Any other one character, typed in beside "Other".
        await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = "other", ["DelimiterOther"] = "~", ["Encoding"] = "utf-8" }, path);
        page = await client.GetPageAsync(path);
        Assert.Equal(("other", "~"), (page.FieldValue("Delimiter"), page.FieldValue("DelimiterOther")));
    }
}

public sealed class SqliteSeparatorPagesTests(RolloutWebFactory factory)
    : SeparatorPagesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSeparatorPagesTests(PostgresWebFactory factory)
    : SeparatorPagesTests(factory), IClassFixture<PostgresWebFactory>;
