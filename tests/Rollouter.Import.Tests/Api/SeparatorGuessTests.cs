using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A multi-selection column is split by the separator its values hold (decision 0113). Before, the upload offered the
/// separator the inventory's last import used ("|"), or ";", whatever the new file held: "Office;Teams" was one value,
/// which failed as no option of Software, or, with "Create option if not exists" ticked, was created as one new option
/// "Office;Teams", the Check finding nothing wrong.
/// </summary>
public abstract class SeparatorGuessTests(RolloutWebFactory factory)
{
    /// <summary>
    /// A new inventory of W11 with the demo's Software (options) and Tags (free values) fields, its last mapping
    /// <paramref name="remembered"/> (JSON) if given.
    /// </summary>
    private async Task<(int RolloutId, int InventoryId)> NewInventoryAsync(string? remembered = null)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var laptops = await db.Inventories.SingleAsync(i => i.Name == "Laptops");
        var fields = await db.CustomFields.Where(f => f.Name == "Software" || f.Name == "Tags").OrderBy(f => f.Name).ToListAsync();
        var inventory = new Inventory
        {
            Name = $"Separators {Guid.NewGuid().ToString("N")[..8]}", RolloutId = laptops.RolloutId, WorkflowId = laptops.WorkflowId,
            CreatedAt = DateTimeOffset.UtcNow, LastImportMapping = remembered,
        };
        db.Inventories.Add(inventory);
        await db.SaveChangesAsync();
        db.InventoryCustomFields.AddRange(fields.Select((f, i) => new InventoryCustomField
        {
            InventoryId = inventory.Id, CustomFieldId = f.Id, Position = i,
        }));
        await db.SaveChangesAsync();
        return (laptops.RolloutId, inventory.Id);
    }

    private static string Remembered(string separator) => new ImportMapping
    {
        Columns =
        [
            new ColumnMapping { Letter = "A", Header = "Name", Target = DefaultFields.Name },
            new ColumnMapping { Letter = "B", Header = "Software", Target = "Software", Separator = separator },
        ],
    }.ToJson();

    private async Task<string?> SeparatorOfAsync(string csv, string target, string? remembered = null)
    {
        var (rolloutId, inventoryId) = await NewInventoryAsync(remembered);
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, inventoryId, "separators.csv", csv));
        var column = import["mapping"]?["columns"]?.AsArray().Single(c => c?["target"]?.GetValue<string>() == target);
        return column?["separator"]?.GetValue<string>();
    }

    /// <summary>The separator the last import used is offered again only where the new file's values hold it.</summary>
    [Fact]
    public async Task ARememberedSeparatorTheValuesDoNotHold_GivesWayToTheOneTheyHold()
    {
        var separator = await SeparatorOfAsync("Name,Software\nSEP-1,Office;Teams\nSEP-2,VPN\n", "Software", Remembered("|"));

        Assert.Equal(";", separator);
    }

    [Fact]
    public async Task ARememberedSeparatorTheValuesHold_IsKept()
    {
        var separator = await SeparatorOfAsync("Name,Software\nSEP-1,\"Office|Teams\"\nSEP-2,\"VPN;x|SAP GUI\"\n", "Software", Remembered("|"));

        Assert.Equal("|", separator);
    }

    /// <summary>Without a remembered mapping the default ";" gives way too, also to a line break (Excel's Alt+Enter).</summary>
    [Theory]
    [InlineData("Name,Software\nSEP-1,Office|Teams\nSEP-2,Office\n", "|")]
    [InlineData("Name,Tags\nSEP-1,\"red\nblue\"\nSEP-2,green\n", "\n")]
    [InlineData("Name,Tags\nSEP-1,\"red, blue\"\nSEP-2,\"a|b\"\nSEP-3,\"c|d\"\n", "|")]
    public async Task TheDefaultSeparator_GivesWayToTheOneTheValuesHold(string csv, string expected)
    {
        var target = csv.Contains("Tags", StringComparison.Ordinal) ? "Tags" : "Software";

        Assert.Equal(expected, await SeparatorOfAsync(csv, target));
    }

    /// <summary>
    /// Values that hold no other separator, or are whole options themselves, keep the default; so does a separator the
    /// header names.
    /// </summary>
    [Theory]
    [InlineData("Name,Software\nSEP-1,Office\nSEP-2,NewApp\n", "Software")]
    [InlineData("Name,Tags (separated by ~)\nSEP-1,\"a,b\"\n", "Tags")]
    public async Task ValuesThatSayNothing_KeepTheSeparator(string csv, string target)
    {
        var separator = await SeparatorOfAsync(csv, target);

        Assert.Equal(csv.Contains('~', StringComparison.Ordinal) ? "~" : ";", separator);
    }

    /// <summary>
    /// End to end: with the remembered "|" and "Create option if not exists" ticked, the file's "Office;Teams" selects
    /// the two options; before, the Check passed and the run created the option "Office;Teams".
    /// </summary>
    [Fact]
    public async Task WithCreateOptionTicked_NoOptionHoldingTheFilesSeparatorIsCreated()
    {
        var (rolloutId, inventoryId) = await NewInventoryAsync(Remembered("|"));
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, inventoryId, "separators.csv",
            "Name,Software\nSEP-CREATE-1,Office;Teams\n"));
        var mapping = import["mapping"]?.DeepClone().AsObject();
        Assert.NotNull(mapping);
        mapping["columns"]?.AsArray().Single(c => c?["target"]?.GetValue<string>() == "Software")?.AsObject()["createOptions"] = true;
        using (var saved = await client.PutAsync($"/api/imports/{import.Id()}/mapping",
                   new StringContent(mapping.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        }

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var options = await db.CustomFieldOptions.Where(o => o.CustomField.Name == "Software").Select(o => o.Name).ToListAsync();
        Assert.DoesNotContain(options, o => o.Contains(';', StringComparison.Ordinal));
        var created = await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>(
            $"/api/inventories/{inventoryId}/clients?search=SEP-CREATE-1");
        var software = created?["items"]?[0]?["values"]?["Software"]?.AsArray().Select(v => v?.GetValue<string>());
        Assert.Equal(["Office", "Teams"], software);
    }
}

public sealed class SqliteSeparatorGuessTests(RolloutWebFactory factory)
    : SeparatorGuessTests(factory), IClassFixture<RolloutWebFactory>;
