using System.Net;
using System.Text;
using ClosedXML.Excel;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Reading;

namespace Rollouter.Import.Tests.Api;

/// <summary>What the upload step says about a file: sheets and their rows, headers the page can show, refusals an operator can trace.</summary>
public sealed class UploadReadingTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    [Fact]
    public async Task Upload_OfAWorkbookWithSeveralSheets_ListsTheSheetsWithTheirRowCounts_InTheApiAndOnThePage()
    {
        var (client, rolloutId, laptops) = await ManagerAsync();
        var name = $"SHEETS-{Guid.NewGuid().ToString("N")[..8]}";
        byte[] content;
        using (var workbook = new XLWorkbook())
        {
            workbook.AddWorksheet("Read me").Cell(1, 1).Value = "Fill in the sheet Clients.";
            var clients = workbook.AddWorksheet("Clients");
            clients.Cell(1, 1).Value = "Name";
            clients.Cell(1, 2).Value = "Department";
            for (var r = 2; r <= 1201; r++)
            {
                clients.Cell(r, 1).Value = $"{name}-{r}";
                clients.Cell(r, 2).Value = "IT";
            }

            using var stream = new MemoryStream();
            workbook.SaveAs(stream);
            content = stream.ToArray();
        }

        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "sheets.xlsx", content));

        var sheets = import["sheets"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["rows"]!.GetValue<int>())).ToList();
        Assert.Equal([("Read me", 1), ("Clients", 1201)], sheets);
        var browser = await factory.SignInAsync("manager@demo.test");
        var page = await browser.GetStringAsync($"/rollouts/W11/imports/{import.Id()}");
        Assert.Contains("Read me (1 row), Clients (1,201 rows)", page);
    }

    [Fact]
    public async Task Upload_WithAHeaderOfAHundredThousandCharacters_ShowsItShortened()
    {
        var (client, rolloutId, laptops) = await ManagerAsync();
        var csv = $"Name,{new string('x', 100_000)}\nLONG-{Guid.NewGuid().ToString("N")[..8]},a\n";

        var created = await client.UploadAsync(rolloutId, laptops, "long.csv", csv);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(await client.GetAsync(created.Headers.Location));
        var header = import["columns"]![1]!["header"]!.GetValue<string>();
        Assert.Equal(256, header.Length);
        Assert.EndsWith("x…", header);
        Assert.True(import.Json().Length < 10_000, $"The import's JSON is {import.Json().Length} characters.");
    }

    [Fact]
    public async Task Upload_OfADamagedWorkbook_IsRefusedSayingWhatToDo_AndTheServerLogsWhy()
    {
        var (client, rolloutId, laptops) = await ManagerAsync();
        using var files = new TestFiles();
        var path = files.RawXlsx("damaged.xlsx", """<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></c></row>""");

        var refused = await client.UploadAsync(rolloutId, laptops, "damaged.xlsx", await File.ReadAllBytesAsync(path));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var message = await refused.Content.ReadAsStringAsync();
        Assert.Contains("damaged", message);
        Assert.Contains("save it again there", message);
        // The file's name is not logged at Warning (it may name a person, decision 0153): its extension is.
        var log = await LogAsync("An uploaded xlsx file was refused as damaged");
        var line = Assert.Single(log.Split('\n'), l => l.Contains("An uploaded xlsx file was refused as damaged", StringComparison.Ordinal));
        Assert.DoesNotContain("damaged.xlsx", log, StringComparison.Ordinal);
        Assert.Contains("\"RequestId\":", line);
        Assert.Contains("System.Xml.XmlException", log);
    }

    [Fact]
    public async Task Upload_OfAnXlsWithADamagedRecordLength_IsRefusedNamingTheLastWholeRow_InsteadOfImportingTheRowsAboveIt()
    {
        // QA: one damaged byte (the length of the record holding XLS-19) gave 201 with 20 of 50 rows and no warning.
        var (client, rolloutId, laptops) = await ManagerAsync();
        var prefix = $"XLS{Guid.NewGuid().ToString("N")[..6]}";
        object?[][] rows = [["Name", "Department"], .. Enumerable.Range(0, 50).Select(i => new object?[] { $"{prefix}-{i}", "IT" })];
        var content = BiffWorkbook.WithLabelLengthDamaged(BiffWorkbook.Create("Clients", rows), $"{prefix}-19");

        var refused = await client.UploadAsync(rolloutId, laptops, "good.xls", content);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await ApiTestClient.ReadAsync(refused);
        Assert.StartsWith("The file is damaged after row 20 of sheet \"Clients\"", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upload_OfAnXlsxWhoseSharedStringsDoNotMatchTheirChecksum_IsRefusedNamingThePart_AndCreatesNoImport()
    {
        // One byte changed in a stored part: .NET's zip reader gave the changed text, and the upload was 201 with it.
        var (client, rolloutId, laptops) = await ManagerAsync();
        var prefix = $"CRC{Guid.NewGuid().ToString("N")[..6]}";
        var sound = new TestData.ClientFile("Name", "Department").Rows(2000, i => [$"{prefix}-{i:D4}", "IT"]).ToXlsx();
        var content = DamagedZip.StoredPartChanged(sound, "xl/sharedStrings.xml", $"{prefix}-0017", $"{prefix}-0O17");

        var refused = await client.UploadAsync(rolloutId, laptops, $"{prefix}.xlsx", content);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await ApiTestClient.ReadAsync(refused);
        Assert.Equal(
            "The file is damaged: its part \"xl/sharedStrings.xml\" does not match the checksum the file records for it, so the values read from it may not be the ones that were saved. " +
            "If Excel opens it, save it again there (File › Save As, Excel Workbook .xlsx) and upload that copy.",
            problem["detail"]!.GetValue<string>());
        var browser = await factory.SignInAsync("manager@demo.test");
        var imports = await browser.GetPageAsync("/rollouts/W11/imports");
        Assert.DoesNotContain(prefix, imports.Body?.TextContent ?? "", StringComparison.Ordinal);
    }

    /// <summary>
    /// The app's log files once they hold <paramref name="expected"/>: the file sink writes from the request's thread,
    /// but on a loaded machine the line may reach the file after the response (a flaky read in a full run).
    /// </summary>
    private async Task<string> LogAsync(string expected)
    {
        var log = "";
        for (var attempt = 0; attempt < 50 && !log.Contains(expected, StringComparison.Ordinal); attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(200);
            }

            log = string.Concat(Directory.GetFiles(Path.Combine(factory.DataFolder, "logs")).Select(ReadShared));
        }

        return log;
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private async Task<(HttpClient Client, int RolloutId, int LaptopsId)> ManagerAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        return (client, rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"));
    }
}
