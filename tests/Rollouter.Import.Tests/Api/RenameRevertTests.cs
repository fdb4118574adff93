using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A status or option renamed only in its label changes nothing a revert puts back (decision 0061: by id), so its
/// clients' history entries do not refuse the revert of an earlier import (decision 0071). A factory of its own: the
/// demo's "Scheduled" and "EliteBook 840" are renamed.
/// </summary>
public abstract class RenameRevertTests(RolloutWebFactory factory)
{
    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private static async Task<int> ImportAsync(HttpClient client, int rolloutId, int laptopsId, string csv)
    {
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "rename.csv", csv));
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting = true,
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Status" }, new { letter = "C", target = "Model" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        return import.Id();
    }

    [Fact]
    public async Task Revert_AfterTheStatusAndOptionItSetWereRenamed_IsAllowed_AndPutsBackWhatTheClientHad()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptopsId = await client.InventoryIdAsync(rolloutId, "Laptops");
        // Where LT-0010 is before the import: Prepared, a Latitude 5440.
        await ImportAsync(client, rolloutId, laptopsId, "Name,Status,Model\nLT-0010,Prepared,Latitude 5440\n");
        var importId = await ImportAsync(client, rolloutId, laptopsId, "Name,Status,Model\nLT-0010,Scheduled,EliteBook 840\n");
        var (clientId, before, workflowId, scheduled, model, elitebook) = await DbAsync(async db =>
        {
            var lt = await db.Clients.Where(c => c.Name == "LT-0010").Select(c => new { c.Id }).SingleAsync();
            var workflow = await db.Inventories.Where(i => i.Id == laptopsId).Select(i => i.WorkflowId).SingleAsync();
            var statuses = await db.WorkflowStatuses.Where(s => s.WorkflowId == workflow).ToDictionaryAsync(s => s.Name, s => s.Id);
            var field = await db.CustomFields.Where(f => f.Name == "Model").Select(f => f.Id).SingleAsync();
            var option = await db.CustomFieldOptions.Where(o => o.CustomFieldId == field && o.Name == "EliteBook 840").Select(o => o.Id).SingleAsync();
            return (lt.Id, statuses["Prepared"], workflow, statuses["Scheduled"], field, option);
        });

        // The administrator renames the status and the option the import set: each writes an entry on LT-0010.
        var admin = await factory.SignInAsync("admin@demo.test");
        var workflowPage = $"/settings/workflows/{workflowId}";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{workflowPage}/statuses/{scheduled}",
            new() { ["StatusName"] = "Planned" }, workflowPage)).StatusCode);
        var fieldPage = $"/settings/custom-fields/{model}";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{fieldPage}/options/{elitebook}",
            new() { ["optionName"] = "EliteBook 845", ["confirmed"] = "true" }, fieldPage)).StatusCode);
        var renamed = await client.GetJsonAsync($"/api/clients/{clientId}");
        Assert.Equal(("Planned", "EliteBook 845"), (renamed["status"]!.GetValue<string>(), renamed["values"]!["Model"]!.GetValue<string>()));

        var revert = await client.PostAsync($"/api/imports/{importId}/revert", null);

        Assert.Equal(HttpStatusCode.Accepted, revert.StatusCode);
        var reverted = await client.WaitForImportAsync(importId, i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromMinutes(1));
        Assert.Equal("Reverted", reverted.Status());
        Assert.Null(reverted["revert"]!["failureMessage"]?.GetValue<string>());
        var after = await client.GetJsonAsync($"/api/clients/{clientId}");
        Assert.Equal(("Prepared", "Latitude 5440"), (after["status"]!.GetValue<string>(), after["values"]!["Model"]!.GetValue<string>()));
        Assert.Equal(before, await DbAsync(db => db.Clients.Where(c => c.Id == clientId).Select(c => c.StatusId).SingleAsync()));
    }

    [Fact]
    public async Task Revert_AfterAStatusItSetWasRemoved_IsStillRefused_NamingTheChange()
    {
        // Only a rename is no change since: a removal moved the client to another status, which the revert would undo.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptopsId = await client.InventoryIdAsync(rolloutId, "Laptops");
        var importId = await ImportAsync(client, rolloutId, laptopsId, "Name,Status,Model\nLT-0021,Done,Latitude 7440\n");
        var (workflowId, done, fresh) = await DbAsync(async db =>
        {
            var workflow = await db.Inventories.Where(i => i.Id == laptopsId).Select(i => i.WorkflowId).SingleAsync();
            var statuses = await db.WorkflowStatuses.Where(s => s.WorkflowId == workflow).ToDictionaryAsync(s => s.Name, s => s.Id);
            return (workflow, statuses["Done"], statuses["New"]);
        });
        var admin = await factory.SignInAsync("admin@demo.test");
        var workflowPage = $"/settings/workflows/{workflowId}";
        var remove = $"{workflowPage}/statuses/{done}/remove";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, remove,
            new() { ["targetStatusId"] = fresh.ToString(System.Globalization.CultureInfo.InvariantCulture) }, remove)).StatusCode);

        var revert = await client.PostAsync($"/api/imports/{importId}/revert", null);

        Assert.Equal(HttpStatusCode.Conflict, revert.StatusCode);
        var conflict = Assert.Single((await ApiTestClient.ReadAsync(revert))["conflicts"]!.AsArray());
        Assert.Equal(("LT-0021", "Status", "Done", "New"), (conflict!["name"]!.GetValue<string>(), conflict["field"]!.GetValue<string>(),
            conflict["importValue"]!.GetValue<string>(), conflict["currentValue"]!.GetValue<string>()));
    }
}

public sealed class SqliteRenameRevertTests(RolloutWebFactory factory)
    : RenameRevertTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresRenameRevertTests(PostgresWebFactory factory)
    : RenameRevertTests(factory), IClassFixture<PostgresWebFactory>;
