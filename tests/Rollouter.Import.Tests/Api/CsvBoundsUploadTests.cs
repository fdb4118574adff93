using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// Security review (decision 0183): a CSV cell, record or row of columns far past what a spreadsheet holds is refused
/// through the real upload (the API and the page), naming its row and column, and no import is kept. Before, a 60 MB
/// cell or a quote never closed was read whole into memory (775 MB for 60 MB) and the file accepted.
/// </summary>
public sealed class CsvBoundsUploadTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private static string Rows(int count) =>
        string.Concat(Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"BND-{i},IT\n")));

    [Fact]
    public async Task Api_ACellFarPastTheLongestValue_FarDownTheFile_IsRefusedWith413_NamingRowAndColumn_AndKeepsNoImport()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rollout = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rollout, "Laptops");
        var before = await factory.WithDbAsync(db => db.Imports.CountAsync());
        var csv = "Name,Department\n" + Rows(2000) + "BND-LONG," + new string('d', 4 * 1024 * 1024) + "\n";

        var response = await client.UploadAsync(rollout, laptops, "long.csv", csv);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Row 2,002 holds more than 128 KB of text in column B; a cell holds at most 32,767 characters. " +
            "Shorten the value and upload the file again. Nothing was imported.",
            (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
        Assert.Equal(before, await factory.WithDbAsync(db => db.Imports.CountAsync()));
    }

    [Fact]
    public async Task Page_AQuoteNeverClosed_IsRefusedOnTheForm_NamingTheRowWhereItOpens()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var laptops = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync());
        var csv = "Name,Department\n" + Rows(10) + "BND-OPEN,\"" + string.Concat(Enumerable.Repeat("no end, ever\n", 100_000));

        var response = await ImportPagesTests.UploadAsync(client, laptops, "open.csv", Encoding.UTF8.GetBytes(csv));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Row 12 opens a quoted value in column B that runs on for more than 128 KB (a cell holds at most 32,767 " +
            "characters): probably its closing quote is missing; check the quotes in row 12. Nothing was imported.",
            (await response.ReadPageAsync()).TestId("upload-error").NormalizedText());
    }

    [Fact]
    public async Task Api_ARowOfMoreColumnsThanExcelHas_IsRefused_NamingTheRow()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rollout = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rollout, "Laptops");
        var csv = "Name,Department\n" + Rows(3) + "BND-WIDE" + string.Concat(Enumerable.Repeat(",v", 100_000)) + "\n";

        var response = await client.UploadAsync(rollout, laptops, "wide.csv", csv);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("The file has more than 16,384 columns in row 5; at most 500 are supported.",
            (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
    }
}
