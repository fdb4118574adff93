using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// QA: a manager's export imported back with 10 edited rows out of 200,000 got the Check's "the file matches 200,000
/// existing clients" and toUpdate 200000, while the run then said "10 clients updated, 199,985 rows unchanged". The
/// Check now compares the matched clients' values as the run does, and says how many would change and how many are
/// already as in the file, in the same figures the run then gives (decision 0091).
/// </summary>
public abstract partial class CheckChangesTests(RolloutWebFactory factory)
{
    [Fact]
    public async Task AnUpdateWithAMisspeltName_TheCheckNamesTheClientItWouldCreate_AndARequiredFieldsErrorSaysNoClientHasTheName()
    {
        // QA (parity finding 7): "QA-D2O" for "QA-D2" with Update existing ticked created a client the Check did not name.
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptopsId = await api.InventoryIdAsync(rolloutId, "Laptops");
        var typo = $"LT-00O1-{Guid.NewGuid().ToString("N")[..6]}";
        var missing = $"LT-00O2-{Guid.NewGuid().ToString("N")[..6]}";
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptopsId, "typo.csv",
            $"Name,Department\nLT-0001,HR\n{typo},IT\n{missing},\n"));
        var id = import.Id();
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{id}/mapping", new
        {
            updateExisting = true,
            columns = new[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" } },
        })).StatusCode);

        var check = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/imports/{id}/check", null));

        Assert.Equal((1, 1), (check["toCreate"]!.GetValue<int>(), check["toUpdate"]!.GetValue<int>()));
        Assert.Equal([typo], check["createdClients"]!.AsArray().Select(n => n!.GetValue<string>()));
        var error = Assert.Single(check["errors"]!.AsArray())!;
        Assert.Equal($"Field \"Department\" is required: no client of Laptops is named \"{missing}\", so this row would create one.",
            error["message"]!.GetValue<string>());
        var path = $"/rollouts/W11/imports/{id}";
        var page = await (await RolloutWebFactory.PostFormAndFollowAsync(await factory.SignInAsync("manager@demo.test"),
            path + "/check", new(), formPage: path)).ReadPageAsync();
        Assert.Contains($"it creates 1 new client ({typo}): no client of Laptops has that name.",
            page.TestId("summary-updated-clients").NormalizedText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExportImportedBackWithThreeEdits_TheCheckSaysThreeWouldChange_AndTheRunAgrees()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptopsId = await api.InventoryIdAsync(rolloutId, "Laptops");
        var exported = await (await api.GetAsync($"/api/inventories/{laptopsId}/export")).Content.ReadAsByteArrayAsync();

        // Three cells edited as a person would in Excel, in three rows; one more cell typed again as it was.
        using var workbook = new XLWorkbook(new MemoryStream(exported));
        var sheet = workbook.Worksheet(1);
        var clients = sheet.Column(1).CellsUsed().Count() - 1;
        Edit(sheet, "LT-0005", "Status", before => before == "Done" ? "New" : "Done");
        Edit(sheet, "LT-0007", "Description", _ => "Moved to the second floor by the round trip");
        Edit(sheet, "LT-0009", "Location", _ => "Room 999");
        Edit(sheet, "LT-0011", "Location", before => before);
        using var edited = new MemoryStream();
        workbook.SaveAs(edited);

        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptopsId, "export.xlsx", edited.ToArray()));
        var id = import.Id();
        var mapping = JsonNode.Parse(import["mapping"]!.ToJsonString())!;
        mapping["updateExisting"] = true;
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{id}/mapping", mapping)).StatusCode);

        var check = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/imports/{id}/check", null));
        Assert.Equal(0, check["failedRows"]!.GetValue<int>());
        Assert.Equal((clients, 3, clients - 3), (check["toUpdate"]!.GetValue<int>(), check["toChange"]!.GetValue<int>(),
            check["unchanged"]!.GetValue<int>()));
        Assert.Equal(["LT-0005", "LT-0007", "LT-0009"], check["changedClients"]!.AsArray().Select(n => n!.GetValue<string>()));

        var path = $"/rollouts/W11/imports/{id}";
        var page = await (await RolloutWebFactory.PostFormAndFollowAsync(await factory.SignInAsync("manager@demo.test"),
            path + "/check", new(), formPage: path)).ReadPageAsync();
        Assert.StartsWith(
            $"Yes: the file matches {clients} existing clients: 3 would change (LT-0005, LT-0007, LT-0009), {clients - 3} are already as in the file; it creates 0 new clients.",
            page.TestId("summary-updated-clients").NormalizedText(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        var done = await api.WaitForResultAsync(id);
        Assert.True(done.Status() == "Completed", done.Json());

        // The run's figures are the Check's: clients updated, and the rows it calls unchanged.
        Assert.Equal(check["toChange"]!.GetValue<int>(), done["counts"]!["updated"]!.GetValue<int>());
        var result = (await (await factory.SignInAsync("manager@demo.test")).GetPageAsync(path)).TestId("status-explanation").NormalizedText();
        var unchanged = UnchangedRows().Match(result);
        Assert.True(unchanged.Success, result);
        Assert.Equal(check["unchanged"]!.GetValue<int>(), int.Parse(unchanged.Groups[1].Value.Replace(",", "", StringComparison.Ordinal),
            System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AnExportImportedBackUnchanged_TheCheckSaysNoneWouldChange()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptopsId = await api.InventoryIdAsync(rolloutId, "Laptops");
        var exported = await (await api.GetAsync($"/api/inventories/{laptopsId}/export")).Content.ReadAsByteArrayAsync();
        var clients = ClientExportTests.Sheet(exported).Column(1).CellsUsed().Count() - 1;

        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptopsId, "export.xlsx", exported));
        var mapping = JsonNode.Parse(import["mapping"]!.ToJsonString())!;
        mapping["updateExisting"] = true;
        await api.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", mapping);
        var check = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/imports/{import.Id()}/check", null));

        Assert.Equal((clients, 0, clients), (check["toUpdate"]!.GetValue<int>(), check["toChange"]!.GetValue<int>(),
            check["unchanged"]!.GetValue<int>()));
        Assert.Empty(check["changedClients"]!.AsArray());
    }

    private static void Edit(IXLWorksheet sheet, string name, string header, Func<string, string> value)
    {
        var row = ClientExportTests.RowOf(sheet, name);
        var column = sheet.Row(1).CellsUsed().Single(c => c.GetString() == header).Address.ColumnNumber;
        sheet.Cell(row, column).Value = value(sheet.Cell(row, column).GetString());
    }

    [GeneratedRegex(@"([0-9,]+) rows? unchanged")]
    private static partial Regex UnchangedRows();
}

public sealed class SqliteCheckChangesTests(RolloutWebFactory factory)
    : CheckChangesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresCheckChangesTests(PostgresWebFactory factory)
    : CheckChangesTests(factory), IClassFixture<PostgresWebFactory>;
