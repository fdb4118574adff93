using System.IO.Compression;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Reports;

internal static class ReportTestData
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public static XLWorkbook Open(byte[] content) => new(new MemoryStream(content));

    /// <summary>The text of one part of an .xlsx package, e.g. "xl/worksheets/sheet1.xml".</summary>
    public static string Part(byte[] content, string name)
    {
        using var zip = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    public static IEnumerable<string> Parts(byte[] content, string prefix)
    {
        using var zip = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
        return [.. zip.Entries.Select(e => e.FullName).Where(n => n.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>The row's cells as text ("" for an empty cell).</summary>
    public static string[] Row(IXLWorksheet sheet, int row, int columns) =>
        [.. Enumerable.Range(1, columns).Select(c => sheet.Cell(row, c).GetString())];

    public static byte[] Save(XLWorkbook workbook)
    {
        using var output = new MemoryStream();
        workbook.SaveAs(output);
        return output.ToArray();
    }

    public static async Task<InventoryDefinition> InventoryAsync(RolloutWebFactory factory, int inventoryId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await InventoryDefinition.LoadAsync(db, inventoryId);
    }

    public static async Task<int> InventoryIdAsync(RolloutWebFactory factory, string name)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await db.Inventories.Where(i => i.Name == name).Select(i => i.Id).SingleAsync();
    }
}
