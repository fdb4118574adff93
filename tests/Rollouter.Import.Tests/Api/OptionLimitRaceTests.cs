using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A field has at most 1,000 options (decision 0098), but each writer counted the options it had read: two imports
/// creating options in one field at the same moment (in two rollouts, so neither waits for the other's rollout lock),
/// or an import and a rollout manager adding an option, passed 1,000 together. Whatever adds options now counts them
/// under the field's row lock (decision 0100). Each race is made deterministic by running the other writer to its end
/// at the last moment before this one locks the field (or, without the lock, before it commits its options), with
/// this one's transaction open; on PostgreSQL, where two writers run at once.
/// </summary>
public sealed class OptionLimitRaceTests(PostgresRaceWebFactory factory) : IClassFixture<PostgresRaceWebFactory>
{
    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The import's writer: the lock of the field's row, or without it the inventory's count, its last statement.</summary>
    private static bool ImportWriterEnd(string sql) =>
        sql.Contains("FOR NO KEY UPDATE", StringComparison.Ordinal) || sql.Contains("SET \"ClientCount\"", StringComparison.Ordinal);

    /// <summary>The settings' Add option: the lock of the field's row, or without it the option's insert.</summary>
    private static bool AddOptionSave(string sql) =>
        sql.Contains("FOR NO KEY UPDATE", StringComparison.Ordinal) || sql.Contains("INSERT INTO \"CustomFieldOptions\"", StringComparison.Ordinal);

    /// <summary>A Selection field of <paramref name="options"/> options, and an inventory with it in W11 and in SRV.</summary>
    private async Task<(HttpClient Admin, int FieldId, string Field, int W11, int W11Inventory, int Srv, int SrvInventory)> FieldAsync(int options)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var field = Unique("Nearly full");
        var fieldId = (await ApiTestClient.ReadAsync(await admin.PostAsJsonAsync("/api/custom-fields", new
        {
            name = field, type = "Selection", options = Enumerable.Range(0, options).Select(i => $"Opt-{i:0000}").ToArray(),
        }))).Id();
        var workflowId = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.WorkflowId).SingleAsync());
        async Task<(int Rollout, int Inventory)> InventoryAsync(string rollout)
        {
            var rolloutId = await admin.RolloutIdAsync(rollout);
            var created = await admin.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories",
                new { name = Unique("Options"), workflowId, customFieldIds = new[] { fieldId } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            return (rolloutId, (await ApiTestClient.ReadAsync(created)).Id());
        }

        var (w11, w11Inventory) = await InventoryAsync("W11");
        var (srv, srvInventory) = await InventoryAsync("SRV");
        return (admin, fieldId, field, w11, w11Inventory, srv, srvInventory);
    }

    /// <summary>An import of one client whose value of the field is <paramref name="value"/>, a new option, approved and not yet run.</summary>
    private async Task<int> ApprovedImportAsync(HttpClient admin, int rolloutId, int inventoryId, string field, string value)
    {
        var import = await ApiTestClient.ReadAsync(await admin.UploadAsync(rolloutId, inventoryId, "options.csv",
            $"Name,Pick\n{Unique("OPT")},{value}\n"));
        var mapped = await admin.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting = false,
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = field, createOptions = true } },
        });
        Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);
        using var scope = factory.Services.CreateScope();
        var adminId = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Users
            .Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync();
        await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, import.Id(), adminId);
        return import.Id();
    }

    /// <summary>Runs the approved import as its job does, in a scope (a database context) of its own.</summary>
    private async Task<ClientImport> RunAsync(int importId)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ImportLifecycle>().RunAsync(importId, null, CancellationToken.None);
    }

    private Task<int> OptionCountAsync(int fieldId) =>
        factory.WithDbAsync(db => db.CustomFieldOptions.CountAsync(o => o.CustomFieldId == fieldId));

    private static string LimitMessage(string field) =>
        $"The import would create 1 new option of field \"{field}\", which can have at most 1,000 options: it has 1,000 now, " +
        "as options were added to it while this import ran. Nothing was written. Use its options, or remove options no client " +
        "uses first, then approve the import again.";

    [Fact]
    public async Task TwoImportsCreatingTheLastOptionAtOnce_TheSecondToWriteFails_NamingTheFieldAndTheLimit()
    {
        var (admin, fieldId, field, w11, w11Inventory, srv, srvInventory) = await FieldAsync(999);
        var first = await ApprovedImportAsync(admin, w11, w11Inventory, field, "New in W11");
        var second = await ApprovedImportAsync(admin, srv, srvInventory, field, "New in SRV");
        ClientImport? other = null;
        factory.Race.Once(ImportWriterEnd, async () => other = await RunAsync(second));

        var run = await RunAsync(first);

        Assert.True(factory.Race.Ran, "the second import never ran");
        Assert.Equal(ImportStatus.Completed, other?.Status);
        Assert.Equal((ImportStatus.Failed, LimitMessage(field)), (run.Status, run.FailureMessage));
        Assert.Equal(1_000, await OptionCountAsync(fieldId));
        Assert.False(await factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.InventoryId == w11Inventory)));
    }

    [Fact]
    public async Task AnOptionAddedWhileAnImportWrites_FailsTheImport_AndTheFieldKeepsAThousand()
    {
        var (admin, fieldId, field, w11, w11Inventory, _, _) = await FieldAsync(999);
        var import = await ApprovedImportAsync(admin, w11, w11Inventory, field, "New by the import");
        var browser = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/custom-fields/{fieldId}";
        string? added = null;
        factory.Race.Once(ImportWriterEnd, async () =>
            added = (await browser.SubmitAsync($"{page}/options", new() { ["OptionName"] = "Added by hand" }, page)).Page);

        var run = await RunAsync(import);

        Assert.True(factory.Race.Ran, "the option was never added");
        Assert.Contains("The option Added by hand was added.", added, StringComparison.Ordinal);
        Assert.Equal((ImportStatus.Failed, LimitMessage(field)), (run.Status, run.FailureMessage));
        Assert.Equal(1_000, await OptionCountAsync(fieldId));
    }

    [Fact]
    public async Task AnImportWrittenWhileAnOptionIsAdded_RefusesTheOption_AsAtTheLimit()
    {
        var (admin, fieldId, field, w11, w11Inventory, _, _) = await FieldAsync(999);
        var import = await ApprovedImportAsync(admin, w11, w11Inventory, field, "New by the import");
        var browser = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/custom-fields/{fieldId}";
        ClientImport? run = null;
        factory.Race.Once(AddOptionSave, async () => run = await RunAsync(import));

        var (_, added, _) = await browser.SubmitAsync($"{page}/options", new() { ["OptionName"] = "Added by hand" }, page);

        Assert.True(factory.Race.Ran, "the import never ran");
        Assert.Equal(ImportStatus.Completed, run?.Status);
        Assert.Equal([$"The field \"{field}\" has 1,000 options, the most a field can have: remove one before adding another."],
            HtmlPage.Parse(added).QuerySelectorAll("[role=alert] li").Select(li => li.NormalizedText()));
        Assert.Equal(1_000, await OptionCountAsync(fieldId));
        Assert.False(await factory.WithDbAsync(db => db.CustomFieldOptions.AnyAsync(o => o.CustomFieldId == fieldId && o.Name == "Added by hand")));
    }
}
