using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Corpus;

/// <summary>
/// Every odd workbook of the corpus goes the way a rollout manager's file goes: uploaded through the API (the upload's
/// entry point: stored, read, counted, mapped), then approved and imported by the background job. Each becomes an
/// import, offers every column that holds a value, warns as it should, and ends Completed with all its clients.
/// </summary>
public sealed class OddWorkbookCorpusTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    public static TheoryData<string> Cases => [.. OddWorkbooks.All("x").Select(w => w.Case)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OddWorkbook_IsUploadedAndImportedWithEveryClient(string name)
    {
        var prefix = $"ODD{Guid.NewGuid().ToString("N")[..8]}";
        var workbook = OddWorkbooks.All(prefix).Single(w => w.Case == name);
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        var created = await client.UploadAsync(rolloutId, laptops, workbook.FileName, workbook.Content);

        var import = await ApiTestClient.ReadAsync(created);
        Assert.True(created.StatusCode == HttpStatusCode.Created, import.Json());
        var warnings = import["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        foreach (var expected in workbook.ExpectedWarnings)
        {
            Assert.Contains(warnings, w => w.StartsWith(expected, StringComparison.Ordinal));
        }

        var headers = import["columns"]!.AsArray().Select(c => c!["header"]!.GetValue<string>()).ToList();
        Assert.Equal(["Name", "Department"], headers.Take(2));
        var id = import.Id();
        if (workbook.HiddenRowsOnly)
        {
            Assert.Equal(0, import["rowCount"]!.GetValue<int>());
            var fixedImport = await client.PutAsJsonAsync($"/api/imports/{id}/parse-options", new { includeHiddenRows = true });
            Assert.Equal(HttpStatusCode.OK, fixedImport.StatusCode);
            import = await ApiTestClient.ReadAsync(fixedImport);
        }

        Assert.Equal(workbook.Clients, import["rowCount"]!.GetValue<int>());
        if (workbook.Extra is var (header, field, _, _))
        {
            var letter = import["columns"]!.AsArray().Single(c => c!["header"]!.GetValue<string>() == header)!["letter"]!.GetValue<string>();
            var columns = import["mapping"]!["columns"]!.AsArray()
                .Select(c => new { letter = c!["letter"]!.GetValue<string>(), target = c["letter"]!.GetValue<string>() == letter ? field : c["target"]?.GetValue<string>() })
                .ToArray();
            Assert.Contains(columns, c => c.target == field);
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{id}/mapping", new { columns })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(id);

        Assert.True(result.Status() == "Completed", result.Json());
        Assert.Equal(workbook.Clients, result["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(workbook.Clients, await ClientsAsync(prefix));
        if (workbook.Extra is var (_, extraField, extraClient, extraValue))
        {
            Assert.Equal(extraValue, await ValueAsync(extraClient, extraField));
        }

        if (workbook.Expected is var (expectedField, expectedClient, expectedValue))
        {
            Assert.Equal(expectedValue, await ValueAsync(expectedClient, expectedField));
        }
    }

    private async Task<int> ClientsAsync(string prefix)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await db.Clients.CountAsync(c => c.Name.StartsWith(prefix));
    }

    private async Task<string?> ValueAsync(string clientName, string fieldName)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var field = await db.CustomFields.SingleAsync(f => f.Name == fieldName);
        var client = await db.Clients.SingleAsync(c => c.Name == clientName);
        return client.Values.TryGetValue(field.Id, out var values) ? string.Join(", ", values) : null;
    }
}
