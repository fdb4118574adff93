using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Reading;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A flat OpenDocument spreadsheet (.fods) imports as the same sheet saved as an .ods does (decision 0097, amended):
/// uploaded, mapped automatically, approved and written, to the same clients.
/// </summary>
public sealed class FlatOdsImportTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>, IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    private static string Sheet(string prefix)
    {
        static string Cell(string text) => $"""<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>""";
        var rows = string.Concat(Enumerable.Range(1, 3).Select(i =>
            $"""<table:table-row>{Cell($"{prefix}-{i}")}{Cell(i == 2 ? "Prepared" : "New")}{Cell(i == 3 ? "HR" : "IT")}{Cell($"SN90010{i}")}</table:table-row>"""));
        return $"""
            <table:table table:name="Hidden notes" table:style-name="hiddenTable"><table:table-row>{Cell("not clients")}</table:table-row></table:table>
            <table:table table:name="Clients"><table:table-row>{Cell("Name")}{Cell("Status")}{Cell("Department")}{Cell("Serial number")}</table:table-row>{rows}<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>
            """;
    }

    private const string HiddenTable =
        """<style:style style:name="hiddenTable" style:family="table"><style:table-properties table:display="false"/></style:style>""";

    private async Task<List<string>> ImportAsync(HttpClient client, int rolloutId, int inventoryId, string fileName, string path, string prefix)
    {
        var created = await client.UploadAsync(rolloutId, inventoryId, fileName, await File.ReadAllBytesAsync(path));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        Assert.Equal("WaitingForApproval", import.Status());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var clients = await db.Clients.Where(c => c.InventoryId == inventoryId && c.Name.StartsWith(prefix + "-"))
            .OrderBy(c => c.Name).Select(c => new { c.Name, Status = c.StatusId, c.Values }).ToListAsync();
        return [.. clients.Select(c => $"{c.Name[prefix.Length..]} {c.Status} {string.Join(";", c.Values.OrderBy(v => v.Key).Select(v => $"{v.Key}={string.Join(",", v.Value)}"))}")];
    }

    [Fact]
    public async Task TheSameSheetAsOdsAndFods_ImportsTheSameClients()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var ods = files.Ods("clients.ods", Sheet($"ODS{tag}"), HiddenTable);
        var fods = files.Fods("clients.fods", Sheet($"FODS{tag}"), HiddenTable);

        var fromOds = await ImportAsync(client, rolloutId, laptops, "clients.ods", ods, $"ODS{tag}");
        var fromFods = await ImportAsync(client, rolloutId, laptops, "clients.fods", fods, $"FODS{tag}");

        Assert.Equal(3, fromFods.Count);
        Assert.Equal(fromOds, fromFods);
    }
}
