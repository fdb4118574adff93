using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// QA (round trip): a rollout manager exports an inventory, edits a few cells in Excel (or saves it as CSV) and imports
/// it back with "Update existing clients". Only the cells edited may change a client: a multi-selection in another order
/// and a value that differs only by the spaces around it are no change, in the Check and in the run (decision 0164).
/// Each test has a rollout and inventory of its own ("Desks"), whose clients are stored as the writer stores them,
/// and goes through the real path: export, file, upload, mapping, Check, approval, the written clients.
/// </summary>
public abstract class RoundTripTests(RolloutWebFactory factory)
{
    private static readonly string[] FieldNames = ["Location", "Model", "Software", "Tags", "Notes", "Serial number"];

    /// <summary>Excel's built-in number format 49, "@" (Text).</summary>
    private const int TextFormat = 49;

    [Fact]
    public async Task SelectionsReorderedAndSpacesAroundValues_AreNoChange_OnlyTheEditedCellChangesItsClient()
    {
        var desks = await DesksAsync(
            new Desk("D-1", "Desk 1", null, ["Room 1"], ["Latitude 5440"], ["Office", "Teams"], ["alpha", "beta"], ["Line 1\nLine 2"]),
            new Desk("D-2", "Desk 2", "Check cable", ["Room 2"], null, ["VPN", "Office"], null, null),
            // Stored with spaces around its values: a Location imported while the field was a Text Area, which keeps them.
            new Desk("D-3", "Desk 3 ", null, [" Room 3 "], null, null, ["gamma "], ["Note 3\n"]),
            new Desk("D-4", "Desk 4", null, ["Room 4"], null, null, null, null));
        var exported = await desks.Api.GetByteArrayAsync($"/api/inventories/{desks.InventoryId}/export");

        using var workbook = new XLWorkbook(new MemoryStream(exported));
        var sheet = workbook.Worksheet(1);
        Edit(sheet, "D-1", "Software", "Teams;Office");
        Edit(sheet, "D-1", "Tags", "beta ; alpha");
        Edit(sheet, "D-2", "Location", "Room 2 ");
        Edit(sheet, "D-2", "Description", " Desk 2");
        Edit(sheet, "D-2", "Client flag", "Check cable ");
        Edit(sheet, "D-2", "Software", " Office; VPN ");
        Edit(sheet, "D-3", "Location", "Room 3");
        Edit(sheet, "D-3", "Description", "Desk 3");
        Edit(sheet, "D-3", "Notes", "Note 3");
        Edit(sheet, "D-4", "Location", "Room 44");
        using var edited = new MemoryStream();
        workbook.SaveAs(edited);

        var (check, done) = await ImportBackAsync(desks, "export.xlsx", edited.ToArray());

        Assert.Equal((4, 1, 3), (check["toUpdate"]!.GetValue<int>(), check["toChange"]!.GetValue<int>(), check["unchanged"]!.GetValue<int>()));
        Assert.Equal(["D-4"], check["changedClients"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(1, done["counts"]!["updated"]!.GetValue<int>());
        var clients = await ClientsAsync(desks.InventoryId);
        // Nothing was written for the others: their values as stored, in their order, with their spaces.
        Assert.Equal(["Office", "Teams"], clients["D-1"].Values[desks.Fields["Software"]]);
        Assert.Equal(["alpha", "beta"], clients["D-1"].Values[desks.Fields["Tags"]]);
        Assert.Equal(["VPN", "Office"], clients["D-2"].Values[desks.Fields["Software"]]);
        Assert.Equal((" Room 3 ", "Desk 3 "), (clients["D-3"].Values[desks.Fields["Location"]][0], clients["D-3"].Description));
        Assert.Equal(["Room 44"], clients["D-4"].Values[desks.Fields["Location"]]);
        Assert.Equal(["D-4"], await ChangedByImportAsync(done.Id()));
    }

    /// <summary>
    /// The export opened and saved as CSV, as Excel does it in German (UTF-8 with a byte order mark, ";", CR LF, a field
    /// quoted only where it holds ";", a quote or a line break) and as LibreOffice Calc does with "Quote all text cells"
    /// (no byte order mark, ",", LF); a line break inside a cell as Windows Notepad saves it again, CR LF. One cell is
    /// edited; leading zeros, long numbers, values that start like a formula, accents and line breaks come back as they
    /// were, and only the edited client changes.
    /// </summary>
    [Theory]
    [InlineData("excel")]
    [InlineData("libreoffice")]
    public async Task TheExportSavedAsCsv_ImportsBackUnchanged_ButForTheEditedCell(string shape)
    {
        var desks = await DesksAsync(
            new Desk("D-1", "-5 Grad", "+49 89 1234", ["00123"], null, ["Teams", "Office"], ["=SUM(A1)", "@home"], ["Line 1\nLine 2"]),
            new Desk("D-2", "Café \"Zürich\"", null, ["123456789012345678"], ["ThinkPad T14"], null, ["a,b"], ["Ünïcödé ñ; 1,5"]),
            new Desk("D-3", "Desk 3", null, ["Room 3"], null, ["VPN"], null, null));
        var exported = await desks.Api.GetByteArrayAsync($"/api/inventories/{desks.InventoryId}/export");
        using var workbook = new XLWorkbook(new MemoryStream(exported));
        var sheet = workbook.Worksheet(1);
        Edit(sheet, "D-3", "Location", "Room 33");

        var (separator, lineEnd, quoteAll, bom) = shape == "excel" ? (';', "\r\n", false, true) : (',', "\n", true, false);
        var csv = new StringBuilder();
        var columns = sheet.LastColumnUsed()!.ColumnNumber();
        foreach (var row in sheet.RowsUsed())
        {
            csv.AppendJoin(separator, Enumerable.Range(1, columns).Select(c =>
            {
                var text = row.Cell(c).GetString().Replace("\n", "\r\n", StringComparison.Ordinal);
                return quoteAll && text.Length > 0 || text.IndexOfAny([separator, '"', '\r', '\n']) >= 0
                    ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                    : text;
            })).Append(lineEnd);
        }

        var (check, done) = await ImportBackAsync(desks, "export.csv", [.. (bom ? Encoding.UTF8.GetPreamble() : []), .. Encoding.UTF8.GetBytes(csv.ToString())]);

        Assert.Equal((3, 1), (check["toUpdate"]!.GetValue<int>(), check["toChange"]!.GetValue<int>()));
        Assert.Equal(["D-3"], check["changedClients"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(1, done["counts"]!["updated"]!.GetValue<int>());
        Assert.Equal(["D-3"], await ChangedByImportAsync(done.Id()));
        var clients = await ClientsAsync(desks.InventoryId);
        Assert.Equal(["Room 33"], clients["D-3"].Values[desks.Fields["Location"]]);
        Assert.Equal(["00123"], clients["D-1"].Values[desks.Fields["Location"]]);
        Assert.Equal(["123456789012345678"], clients["D-2"].Values[desks.Fields["Location"]]);
    }

    /// <summary>
    /// A client whose value the field's pattern, set since, refuses ("Serial number" must be "SN" and six digits; the
    /// settings page counts such clients but changes none): its untouched export imported back fails no row, changes
    /// nothing there, and updates the cell edited in another row. The same value typed anew on another client, or a
    /// changed value, is still checked against the pattern (decision 0165).
    /// </summary>
    [Fact]
    public async Task AValueThePatternSetSinceRefuses_ImportsBackAsNoChange_ButIsCheckedWhereItChanges()
    {
        var desks = await DesksAsync(
            new Desk("D-1", "Desk 1", null, ["Room 1"], null, null, null, null, ["SN-1234"]),
            new Desk("D-2", "Desk 2", null, ["Room 2"], null, null, null, null, ["SN000002"]),
            new Desk("D-3", "Desk 3", null, ["Room 3"], null, null, null, null, ["SN000003"]));
        var exported = await desks.Api.GetByteArrayAsync($"/api/inventories/{desks.InventoryId}/export");
        using var workbook = new XLWorkbook(new MemoryStream(exported));
        var sheet = workbook.Worksheet(1);
        Edit(sheet, "D-2", "Location", "Room 22");

        using var wrong = new XLWorkbook(new MemoryStream(exported));
        Edit(wrong.Worksheet(1), "D-3", "Serial number", "SN-1234");
        using var wrongFile = new MemoryStream();
        wrong.SaveAs(wrongFile);
        var refused = await ApiTestClient.ReadAsync(await desks.Api.UploadAsync(desks.RolloutId, desks.InventoryId, "wrong.xlsx", wrongFile.ToArray()));
        var mapping = JsonNode.Parse(refused["mapping"]!.ToJsonString())!;
        mapping["updateExisting"] = true;
        await desks.Api.PutAsJsonAsync($"/api/imports/{refused.Id()}/mapping", mapping);
        var wrongCheck = await ApiTestClient.ReadAsync(await desks.Api.PostAsync($"/api/imports/{refused.Id()}/check", null));
        var error = Assert.Single(wrongCheck["errors"]!.AsArray())!;
        Assert.StartsWith("\"SN-1234\" does not match the pattern of field \"Serial number\"", error["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var edited = new MemoryStream();
        workbook.SaveAs(edited);
        var (check, done) = await ImportBackAsync(desks, "export.xlsx", edited.ToArray());

        Assert.Equal((3, 1), (check["toUpdate"]!.GetValue<int>(), check["toChange"]!.GetValue<int>()));
        Assert.Equal(["D-2"], check["changedClients"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(1, done["counts"]!["updated"]!.GetValue<int>());
        var clients = await ClientsAsync(desks.InventoryId);
        Assert.Equal(["SN-1234"], clients["D-1"].Values[desks.Fields["Serial number"]]);
        Assert.Equal(["Room 22"], clients["D-2"].Values[desks.Fields["Location"]]);
    }

    /// <summary>
    /// The export's cells are formatted as Text (decision 0176): the cells that hold a value, the empty cells of a client's
    /// row, and the rows below the data where a person adds clients, so that Excel keeps what is typed there ("00124",
    /// "1-2", a 20-digit serial number) instead of converting it. A value longer than 255 characters keeps the General
    /// format (some Excel versions show a Text cell of more than 255 characters as "####"). Values typed as text into an
    /// existing row and into a row added below import back as typed: one client updated, one created.
    /// </summary>
    [Fact]
    public async Task TheExportsColumnsAreText_ForItsRowsAndRowsAddedBelow_AndValuesTypedThereImportBackAsTyped()
    {
        var longNote = string.Concat(Enumerable.Repeat("A note of forty characters, for length. ", 8));
        var desks = await DesksAsync(
            new Desk("D-1", "Desk 1", null, ["Room 1"], null, ["Office"], null, [longNote]),
            new Desk("D-2", "Desk 2", null, ["Room 2"], null, null, null, null));
        var exported = await desks.Api.GetByteArrayAsync($"/api/inventories/{desks.InventoryId}/export");

        using var workbook = new XLWorkbook(new MemoryStream(exported));
        var sheet = workbook.Worksheet(1);
        var columns = sheet.Row(1).CellsUsed().Count();
        Assert.Equal(6 + FieldNames.Length, columns);
        var notes = sheet.Row(1).CellsUsed().Single(c => c.GetString() == "Notes").Address.ColumnNumber;
        var d1 = ClientExportTests.RowOf(sheet, "D-1");
        for (var c = 1; c <= columns; c++)
        {
            foreach (var row in (int[])[2, 3, 4, 1_000, 100_000])
            {
                var cell = sheet.Cell(row, c);
                var expected = row == d1 && c == notes ? 0 : TextFormat;
                Assert.True(cell.Style.NumberFormat.NumberFormatId == expected,
                    $"cell {cell.Address} ({sheet.Cell(1, c).GetString()}, \"{cell.GetString()}\") has number format {cell.Style.NumberFormat.NumberFormatId}, not {expected}");
            }
        }

        // Typed as text, as Excel keeps what is typed into a Text cell (ClosedXML's SetValue of a string; its Value setter
        // converts "00124" and "1-2" whatever the cell's format).
        var d2 = ClientExportTests.RowOf(sheet, "D-2");
        var added = sheet.LastRowUsed()!.RowNumber() + 1;
        foreach (var (row, header, value) in new[] { (d2, "Location", "00124"), (d2, "Description", "1-2"), (added, "Name", "0042"),
                     (added, "Location", "12345678901234567890"), (added, "Tags", "3-4"), (added, "Description", "1/2") })
        {
            sheet.Cell(row, sheet.Row(1).CellsUsed().Single(c => c.GetString() == header).Address.ColumnNumber).SetValue(value);
        }

        using var edited = new MemoryStream();
        workbook.SaveAs(edited);
        var (check, done) = await ImportBackAsync(desks, "export.xlsx", edited.ToArray());

        Assert.Equal((2, 1, 1), (check["toUpdate"]!.GetValue<int>(), check["toChange"]!.GetValue<int>(), check["toCreate"]!.GetValue<int>()));
        Assert.Equal((1, 1), (done["counts"]!["updated"]!.GetValue<int>(), done["counts"]!["created"]!.GetValue<int>()));
        var clients = await ClientsAsync(desks.InventoryId);
        Assert.Equal(("00124", "1-2"), (Assert.Single(clients["D-2"].Values[desks.Fields["Location"]]), clients["D-2"].Description));
        Assert.Equal(("12345678901234567890", "3-4", "1/2"), (Assert.Single(clients["0042"].Values[desks.Fields["Location"]]),
            Assert.Single(clients["0042"].Values[desks.Fields["Tags"]]), clients["0042"].Description));
        Assert.Equal(longNote, clients["D-1"].Values[desks.Fields["Notes"]][0]);
    }

    /// <summary>
    /// The export saved by Excel as "CSV (Comma delimited)": Windows-1252, with a "?" for each letter it cannot hold
    /// ("Wrocław" → "Wroc?aw", "Łódź" → "?ód?"). The letters cannot be read back, but the upload says so (decision 0177),
    /// naming the first such cell, also where it is far below the sample rows, and the import's page says it again
    /// (the warning is stored with the file's settings). With Update existing clients, "Wroc?aw-07" would be a new client
    /// beside "Wrocław-07": its row fails instead, in the Check and the run, naming the client meant (decision 0184); the
    /// error report's cells have the Text format (decision 0185); the same name in a CSV UTF-8 is meant, and created.
    /// </summary>
    [Fact]
    public async Task TheExportSavedAsAnsiCsv_WarnsWhereExcelWroteAQuestionMarkForALetter()
    {
        var desks = await DesksAsync(
            new Desk("D-1", "Desk 1", null, ["Köln"], null, null, null, null),
            new Desk("D-2", "Desk 2", null, ["Zürich"], null, null, null, null),
            new Desk("D-3", "Desk 3", null, ["Room 3"], null, null, null, null),
            new Desk("D-4", "Desk 4", null, ["Room 4"], null, null, null, null),
            new Desk("D-5", "Desk 5", null, ["Room 5"], null, null, null, null),
            new Desk("D-6", "Which one?", null, ["Room 6"], null, null, null, null),
            new Desk("Wrocław-07", "Desk 7", null, ["Łódź"], null, null, null, null));
        var exported = await desks.Api.GetByteArrayAsync($"/api/inventories/{desks.InventoryId}/export");
        using var workbook = new XLWorkbook(new MemoryStream(exported));
        var sheet = workbook.Worksheet(1);
        var csv = new StringBuilder();
        var columns = sheet.LastColumnUsed()!.ColumnNumber();
        foreach (var row in sheet.RowsUsed())
        {
            csv.AppendJoin(',', Enumerable.Range(1, columns).Select(c => row.Cell(c).GetString())).Append("\r\n");
        }

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var ansi = Encoding.GetEncoding(1252, new EncoderReplacementFallback("?"), DecoderFallback.ExceptionFallback);
        var upload = await desks.Api.UploadAsync(desks.RolloutId, desks.InventoryId, "export.csv", ansi.GetBytes(csv.ToString()));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var import = await ApiTestClient.ReadAsync(upload);

        const string Warning = "The file was read as Windows-1252, and 2 cells hold a \"?\" where a letter belongs (the first in row 8, column A: \"Wroc?aw-07\").";
        Assert.Contains(import["warnings"]!.AsArray(), w => w!.GetValue<string>().StartsWith(Warning, StringComparison.Ordinal));
        var shown = await desks.Api.GetJsonAsync($"/api/imports/{import.Id()}");
        Assert.Contains(shown["warnings"]!.AsArray(), w => w!.GetValue<string>().StartsWith(Warning, StringComparison.Ordinal));

        var mapping = JsonNode.Parse(import["mapping"]!.ToJsonString())!;
        mapping["updateExisting"] = true;
        Assert.Equal(HttpStatusCode.OK, (await desks.Api.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", mapping)).StatusCode);
        var check = await ApiTestClient.ReadAsync(await desks.Api.PostAsync($"/api/imports/{import.Id()}/check", null));
        // "Wroc?aw-07" is not created beside "Wrocław-07": its row fails, naming the client meant (decision 0184).
        Assert.Equal((6, 0, 1), (check["toUpdate"]!.GetValue<int>(), check["toCreate"]!.GetValue<int>(), check["failedRows"]!.GetValue<int>()));
        const string Meant = "Name \"Wroc?aw-07\" would create a client, but it is probably \"Wrocław-07\", whose letters the file lost: it was read as Windows-1252";
        var error = check["errors"]!.AsArray().Single()!;
        Assert.Equal((8, "A"), (error["row"]!.GetValue<int>(), error["column"]!.GetValue<string>()));
        Assert.StartsWith(Meant, error["message"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Accepted, (await desks.Api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var done = await desks.Api.WaitForResultAsync(import.Id());
        Assert.Equal("Failed", done.Status());
        var clients = await ClientsAsync(desks.InventoryId);
        Assert.Equal(7, clients.Count);
        Assert.DoesNotContain("Wroc?aw-07", clients.Keys);

        // The error report's cells have the Text format (decision 0185): a value corrected there is kept as typed.
        using (var report = new XLWorkbook(new MemoryStream(await desks.Api.GetByteArrayAsync($"/api/imports/{import.Id()}/error-report"))))
        {
            var reportSheet = report.Worksheet(1);
            Assert.Equal("Wroc?aw-07", reportSheet.Cell(2, 2).GetString());
            for (var c = 1; c <= columns + 1; c++)
            {
                var cell = reportSheet.Cell(2, c);
                Assert.True(cell.Style.NumberFormat.NumberFormatId == TextFormat,
                    $"report cell {cell.Address} (\"{cell.GetString()}\") has number format {cell.Style.NumberFormat.NumberFormatId}, not Text");
            }

            Assert.Equal(TextFormat, reportSheet.Column(2).Style.NumberFormat.NumberFormatId);
        }

        // A "?" that is meant imports from a file that can hold every letter (CSV UTF-8): then it is not a lost letter.
        var utf8 = await ApiTestClient.ReadAsync(await desks.Api.UploadAsync(desks.RolloutId, desks.InventoryId, "meant.csv",
            Encoding.UTF8.GetBytes("Name,Description\r\nWroc?aw-07,Meant\r\n")));
        var meantCheck = await ApiTestClient.ReadAsync(await desks.Api.PostAsync($"/api/imports/{utf8.Id()}/check", null));
        Assert.Equal((1, 0), (meantCheck["toCreate"]!.GetValue<int>(), meantCheck["failedRows"]!.GetValue<int>()));
    }

    /// <summary>
    /// The export saved as CSV on a Mac, whose files write "é" as "e" and a combining accent (NFD): the names, values and
    /// texts are the clients' composed ones as a person sees them (decision 0041), so the Check finds every client by
    /// its name, none would change but the edited one, and nothing is created.
    /// </summary>
    [Fact]
    public async Task TheExportSavedAsCsvInDecomposedUnicode_FindsEveryClient_AndChangesOnlyTheEditedCell()
    {
        var desks = await DesksAsync(
            new Desk("Café-01", "Bürotisch", "Prüfen", ["Köln"], null, null, ["Zoë", "Jiří"], ["Ärger\nÜbergabe"]),
            new Desk("Łódź-02", "Desk 2", null, ["Room 2"], null, null, null, null));
        var exported = await desks.Api.GetByteArrayAsync($"/api/inventories/{desks.InventoryId}/export");
        using var workbook = new XLWorkbook(new MemoryStream(exported));
        var sheet = workbook.Worksheet(1);
        Edit(sheet, "Łódź-02", "Location", "Room 22");
        var csv = new StringBuilder();
        var columns = sheet.LastColumnUsed()!.ColumnNumber();
        foreach (var row in sheet.RowsUsed())
        {
            csv.AppendJoin(',', Enumerable.Range(1, columns).Select(c =>
            {
                var text = row.Cell(c).GetString().Normalize(NormalizationForm.FormD);
                return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
            })).Append('\n');
        }

        Assert.Contains("Cafe\u0301-01", csv.ToString(), StringComparison.Ordinal);
        var (check, done) = await ImportBackAsync(desks, "export.csv", Encoding.UTF8.GetBytes(csv.ToString()));

        Assert.Equal((2, 0, 1), (check["toUpdate"]!.GetValue<int>(), check["toCreate"]!.GetValue<int>(), check["toChange"]!.GetValue<int>()));
        Assert.Equal(["Łódź-02"], check["changedClients"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(1, done["counts"]!["updated"]!.GetValue<int>());
        Assert.Equal(["Łódź-02"], await ChangedByImportAsync(done.Id()));
        var clients = await ClientsAsync(desks.InventoryId);
        Assert.Equal(2, clients.Count);
        Assert.Equal(["Zoë", "Jiří"], clients["Café-01"].Values[desks.Fields["Tags"]]);
    }

    private sealed record Desk(string Name, string? Description, string? Flag, string[]? Location, string[]? Model,
        string[]? Software, string[]? Tags, string[]? Notes, string[]? Serial = null);

    private sealed record Desks(HttpClient Api, int RolloutId, int InventoryId, Dictionary<string, int> Fields);

    /// <summary>A rollout of the test's own with the inventory "Desks" (the demo's Location, Model, Software, Tags, Notes) and its clients.</summary>
    private async Task<Desks> DesksAsync(params Desk[] desks)
    {
        var (identifier, inventoryId) = await OwnRollouts.AddAsync(factory, clientLimit: null);
        Dictionary<string, int> fields;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            fields = await db.CustomFields.Where(f => FieldNames.Contains(f.Name)).ToDictionaryAsync(f => f.Name, f => f.Id);
            var inventory = await db.Inventories.Include(i => i.Workflow).ThenInclude(w => w.Statuses).SingleAsync(i => i.Id == inventoryId);
            for (var i = 0; i < FieldNames.Length; i++)
            {
                db.InventoryCustomFields.Add(new InventoryCustomField { InventoryId = inventoryId, CustomFieldId = fields[FieldNames[i]], Position = i });
            }

            var status = inventory.Workflow.Statuses.OrderBy(s => s.Position).First().Id;
            foreach (var desk in desks)
            {
                var values = new Dictionary<int, string[]>();
                foreach (var (name, value) in new[] { ("Location", desk.Location), ("Model", desk.Model), ("Software", desk.Software), ("Tags", desk.Tags), ("Notes", desk.Notes), ("Serial number", desk.Serial) })
                {
                    if (value is not null)
                    {
                        values[fields[name]] = value;
                    }
                }

                db.Clients.Add(new Client
                {
                    RolloutId = inventory.RolloutId, InventoryId = inventoryId, StatusId = status, Name = desk.Name,
                    Description = desk.Description, Flag = desk.Flag, Values = values,
                    CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
                });
            }

            inventory.ClientCount = desks.Length;
            await db.SaveChangesAsync();
        }

        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        return new Desks(api, await api.RolloutIdAsync(identifier), inventoryId, fields);
    }

    /// <summary>Uploads the file, keeps the automatic mapping with Update existing clients, checks, approves and waits.</summary>
    private static async Task<(JsonNode Check, JsonNode Done)> ImportBackAsync(Desks desks, string fileName, byte[] file)
    {
        var api = desks.Api;
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(desks.RolloutId, desks.InventoryId, fileName, file));
        var id = import.Id();
        var mapping = JsonNode.Parse(import["mapping"]!.ToJsonString())!;
        mapping["updateExisting"] = true;
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{id}/mapping", mapping)).StatusCode);
        var check = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/imports/{id}/check", null));
        Assert.True(check["failedRows"]!.GetValue<int>() == 0, check.Json());
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        var done = await api.WaitForResultAsync(id);
        Assert.True(done.Status() == "Completed", done.Json());
        return (check, done);
    }

    private async Task<Dictionary<string, Client>> ClientsAsync(int inventoryId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await db.Clients.AsNoTracking().Where(c => c.InventoryId == inventoryId).ToDictionaryAsync(c => c.Name);
    }

    /// <summary>The names of the clients the import recorded a change of, in name order.</summary>
    private async Task<string[]> ChangedByImportAsync(int importId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var ids = await db.ClientHistory.Where(h => h.ImportId == importId && h.Action == ClientHistoryAction.Changed)
            .Select(h => h.ClientId).ToListAsync();
        return [.. (await db.Clients.Where(c => ids.Contains(c.Id)).Select(c => c.Name).ToListAsync()).Order(StringComparer.Ordinal)];
    }

    private static void Edit(IXLWorksheet sheet, string name, string header, string value)
    {
        var row = ClientExportTests.RowOf(sheet, name);
        var column = sheet.Row(1).CellsUsed().Single(c => c.GetString() == header).Address.ColumnNumber;
        sheet.Cell(row, column).Value = value;
    }
}

public sealed class SqliteRoundTripTests(RolloutWebFactory factory)
    : RoundTripTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresRoundTripTests(PostgresWebFactory factory)
    : RoundTripTests(factory), IClassFixture<PostgresWebFactory>;
