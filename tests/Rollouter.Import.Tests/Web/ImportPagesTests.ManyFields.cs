using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// An inventory of many custom fields and a file of many columns (QA on wide files and big settings, 2026-12-06): each
/// column's "Import into" listed every field, so 209 fields and 500 columns wrote 119,312 options, a 12 MB page that
/// took 11 s to render. The fields are listed once, and a column picks one of them in a box, also without JavaScript.
/// </summary>
public abstract partial class ImportPagesTests
{
    private const int ManyFields = 209;

    /// <summary>A new inventory of W11 with <see cref="ManyFields"/> text fields ("WF-{tag}-000" …); its id and the fields' prefix.</summary>
    private async Task<(int InventoryId, string Prefix)> InventoryWithManyFieldsAsync()
    {
        var prefix = $"WF-{Guid.NewGuid().ToString("N")[..6]}";
        List<int> ids;
        int workflowId;
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var fields = Enumerable.Range(0, ManyFields).Select(i => new CustomField
            {
                Name = $"{prefix}-{i.ToString("000", CultureInfo.InvariantCulture)}", Type = CustomFieldType.Input,
            }).ToList();
            db.CustomFields.AddRange(fields);
            await db.SaveChangesAsync();
            ids = [.. fields.Select(f => f.Id)];
            workflowId = await db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.WorkflowId).SingleAsync();
        }

        var admin = await ApiTestClient.LoginAsync(Factory, "admin@demo.test");
        var rolloutId = await admin.RolloutIdAsync("W11");
        var inventory = await admin.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories",
            new { name = Unique("Many fields"), workflowId, customFieldIds = ids });
        Assert.Equal(HttpStatusCode.Created, inventory.StatusCode);
        return ((await ApiTestClient.ReadAsync(inventory))["id"]!.GetValue<int>(), prefix);
    }

    [Fact]
    public async Task ManyFieldsAndColumns_ListTheFieldsOnce_AndAColumnTakesAFieldTypedInItsBox_WithoutScript()
    {
        var (inventoryId, prefix) = await InventoryWithManyFieldsAsync();
        var client = await Factory.SignInAsync("manager@demo.test");
        var uploaded = await UploadAsync(client, inventoryId, "wide.csv", Encoding.UTF8.GetBytes(WideCsv(498)));
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var path = uploaded.Headers.Location!.OriginalString;

        var html = await client.GetStringAsync(path);
        var page = HtmlPage.Parse(html);

        var rows = page.TestId("mapping").QuerySelectorAll("tbody tr[data-letter]");
        Assert.Equal(500, rows.Length);
        // Each column lists the default fields, its own and "Another custom field…", not the 209 fields: the page grows
        // with columns + fields.
        Assert.All(rows, row => Assert.True(row.One("select[name$='.Target']").QuerySelectorAll("option").Length <= 12));
        Assert.Equal(ManyFields, page.TestId("mapping-fields").QuerySelectorAll("option").Length);
        Assert.True(page.QuerySelectorAll("option").Length < 500 * 20 + ManyFields, $"{page.QuerySelectorAll("option").Length} options");
        Assert.True(Encoding.UTF8.GetByteCount(html) < 3_000_000, $"{Encoding.UTF8.GetByteCount(html)} bytes");
        // The filter is offered to the script (hidden without it: every column is listed).
        Assert.True(page.TestId("mapping-filter").HasAttribute("hidden"));

        // Without script: "Another custom field…" and the field typed in column C's box (in other letters' case).
        var values = page.Form(path + "/mapping").Submission();
        var at = values.FindIndex(v => v.Key == "Columns[2].Target");
        values[at] = KeyValuePair.Create("Columns[2].Target", "*field");
        values[values.FindIndex(v => v.Key == "Columns[2].Field")] = KeyValuePair.Create("Columns[2].Field", $" {prefix.ToLowerInvariant()}-007 ");
        using (var content = new FormUrlEncodedContent(values))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync(path + "/mapping", content)).StatusCode);
        }

        var mapping = ImportMapping.FromJson((await StoredImportAsync(path)).Mapping);
        Assert.Equal($"{prefix}-007", mapping.Columns.Single(c => c.Letter == "C").Target);
        var saved = await client.GetPageAsync(path);
        Assert.Equal($"{prefix}-007", SelectedTarget(saved, "C"));
        Assert.Equal("", SelectedTarget(saved, "D"));
    }
}
