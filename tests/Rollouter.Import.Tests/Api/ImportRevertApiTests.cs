using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>Taking a completed import back: <c>POST /api/imports/{id}/revert</c> and the import page's "Revert this import".</summary>
public abstract class ImportRevertApiTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<(HttpClient Client, int RolloutId, int LaptopsId)> ManagerAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        return (client, rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"));
    }

    /// <summary>
    /// Uploads, maps Name and Department (or the <paramref name="targets"/>, column by column; updating existing clients or
    /// not), approves and waits for Completed.
    /// </summary>
    private static async Task<int> ImportAsync(HttpClient client, int rolloutId, int laptopsId, string csv, bool updateExisting = false,
        params string[] targets)
    {
        targets = targets.Length == 0 ? ["Name", "Department"] : targets;
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "revert.csv", csv));
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting,
            columns = targets.Select((target, i) => new { letter = ((char)('A' + i)).ToString(), target }).ToArray(),
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        return import.Id();
    }

    private static Task<JsonNode> WaitForRevertAsync(HttpClient client, int importId) =>
        client.WaitForImportAsync(importId, i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromMinutes(1));

    private async Task<int> ClientCountAsync(params string[] names)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await db.Clients.CountAsync(c => names.Contains(c.Name));
    }

    [Fact]
    public async Task Revert_Answers202WithTheImport_ThenItIsReverted_ItsClientsGone_AndListsSayReverted()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        string[] names = [Unique("REV"), Unique("REV")];
        var importId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Department\n{names[0]},IT\n{names[1]},HR\n");

        var response = await client.PostAsync($"/api/imports/{importId}/revert", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/imports/{importId}", response.Headers.Location!.OriginalString);
        var accepted = await ApiTestClient.ReadAsync(response);
        Assert.Equal((importId, "Completed"), (accepted.Id(), accepted.Status()));
        Assert.NotNull(accepted["revert"]!["requestedAt"]);
        var reverted = await WaitForRevertAsync(client, importId);
        Assert.Equal("Reverted", reverted.Status());
        Assert.NotNull(reverted["revert"]!["revertedAt"]);
        Assert.Equal(0, await ClientCountAsync(names));
        using (var scope = factory.Services.CreateScope())
        {
            // The count the client list shows is kept on the inventory: the revert took its clients off it.
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            Assert.Equal(await db.Clients.CountAsync(c => c.InventoryId == laptopsId),
                await db.Inventories.Where(i => i.Id == laptopsId).Select(i => i.ClientCount).SingleAsync());
        }

        var page = await factory.SignInAsync("manager@demo.test");
        var list = await page.GetPageAsync("/rollouts/W11/imports");
        var row = Assert.Single(list.QuerySelectorAll("tbody tr"), r => r.Links().Contains($"/rollouts/W11/imports/{importId}"));
        Assert.Equal("Reverted", row.Children[1].One(".badge").NormalizedText());
        var details = await page.GetPageAsync($"/rollouts/W11/imports/{importId}");
        Assert.Equal("Reverted", details.TestId("import-status").GetAttribute("data-status"));
        Assert.False(details.HasTestId("revert"));
        var review = await (await factory.SignInAsync("kam@demo.test")).GetPageAsync($"/reviews/W11/imports/{importId}");
        Assert.Equal("Reverted", review.TestId("import-status").GetAttribute("data-status"));
    }

    [Fact]
    public async Task Revert_OfAClientChangedByALaterImport_Answers409WithTheConflicts_OnTheApiAndThePage()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var (name, linked) = (Unique("CHG"), Unique("LNK"));
        var importId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Department\n{name},IT\n{linked},IT\n");
        var laterId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Department\n{name},HR\n", updateExisting: true);
        // Then the manager links the other client to the first: a change by a person, not an import.
        int clientId, linkedId;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            (clientId, linkedId) = (await db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync(),
                await db.Clients.Where(c => c.Name == linked).Select(c => c.Id).SingleAsync());
            var replaces = await db.ClientLinkTypes.Where(t => t.OutwardName == "replaces").Select(t => t.Id).SingleAsync();
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/clients/{linkedId}/links",
                new { otherClientId = clientId, linkTypeId = replaces })).StatusCode);
        }

        var response = await client.PostAsync($"/api/imports/{importId}/revert", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ApiTestClient.ReadAsync(response);
        Assert.Equal(409, problem["status"]!.GetValue<int>());
        Assert.StartsWith($"Import {importId} cannot be reverted: 2 clients", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(problem["detail"]!.GetValue<string>(), problem["error"]!.GetValue<string>());
        var conflicts = problem["conflicts"]!.AsArray().Select(c => c!).ToList();
        var department = Assert.Single(conflicts, c => c["field"]!.GetValue<string>() == "Department");
        Assert.Equal((clientId, name, "IT", "HR"), (department["clientId"]!.GetValue<int>(), department["name"]!.GetValue<string>(),
            department["importValue"]!.GetValue<string>(), department["currentValue"]!.GetValue<string>()));
        // Each names who made the value now: the later import (revert it first), or the person who linked the client.
        Assert.Equal(laterId, department["changedBy"]!["importId"]!.GetValue<int>());
        Assert.Equal("Max Manager", department["changedBy"]!["user"]!.GetValue<string>());
        Assert.NotNull(department["changedBy"]!["at"]);
        var link = Assert.Single(conflicts, c => c["clientId"]!.GetValue<int>() == linkedId);
        Assert.Equal(("Link", null, $"replaces {name}"), (link["field"]!.GetValue<string>(), link["importValue"]?.GetValue<string>(),
            link["currentValue"]!.GetValue<string>()));
        Assert.Null(link["changedBy"]!["importId"]);
        Assert.Equal("Max Manager", link["changedBy"]!["user"]!.GetValue<string>());

        var path = $"/rollouts/W11/imports/{importId}";
        var form = await RolloutWebFactory.PostFormAsync(await factory.SignInAsync("manager@demo.test"), path + "/revert",
            new() { ["confirmed"] = "true" }, path);
        Assert.Equal(HttpStatusCode.Conflict, form.StatusCode);
        var html = await form.ReadPageAsync();
        var table = html.TestId("revert-conflicts");
        var changed = table.RowOf(name);
        Assert.Equal("Department", changed.Cell("Field"));
        Assert.Matches($@"^import #{laterId} \(Max Manager\), \d{{4}}-\d\d-\d\d \d\d:\d\d UTC$", changed.Cell("Changed by"));
        Assert.Equal($"/rollouts/W11/imports/{laterId}", changed.Link($"import #{laterId}").GetAttribute("href"));
        var linkRow = table.RowOf(linked);
        Assert.Matches(@"^Max Manager, \d{4}-\d\d-\d\d \d\d:\d\d UTC$", linkRow.Cell("Changed by"));
        Assert.Equal("Completed", (await client.GetJsonAsync($"/api/imports/{importId}")).Status());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task Revert_AfterTheStatusWasRenamed_AndANewStatusTookItsName_PutsBackTheStatusTheClientHad()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var name = Unique("STS");
        await ImportAsync(client, rolloutId, laptopsId, $"Name,Department,Status\n{name},IT,Scheduled\n", false, "Name", "Department", "Status");
        var importId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Status\n{name},Done\n", true, "Name", "Status");
        var (clientId, workflowId, scheduled) = await factory.WithDbAsync(async db =>
        {
            var workflow = await db.Inventories.Where(i => i.Id == laptopsId).Select(i => i.WorkflowId).SingleAsync();
            return (await db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync(), workflow,
                await db.WorkflowStatuses.Where(s => s.WorkflowId == workflow && s.Name == "Scheduled").Select(s => s.Id).SingleAsync());
        });
        // The administrator renames the status, then adds a new one under its old name.
        var admin = await factory.SignInAsync("admin@demo.test");
        var settings = $"/settings/workflows/{workflowId}";
        Assert.Equal(HttpStatusCode.OK, (await admin.SubmitAsync($"{settings}/statuses/{scheduled}",
            new() { ["StatusName"] = "Scheduled (old)" }, settings)).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.SubmitAsync($"{settings}/statuses", new() { ["StatusName"] = "Scheduled" }, settings)).Status);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        Assert.Equal("Reverted", (await WaitForRevertAsync(client, importId)).Status());

        // The status it had, by its name now; not the new status that took the name.
        var reverted = await client.GetJsonAsync($"/api/clients/{clientId}");
        Assert.Equal("Scheduled (old)", reverted["status"]!.GetValue<string>());
        var entry = reverted["history"]!.AsArray().Select(h => h!).Single(h => h["action"]!.GetValue<string>() == "Reverted");
        var change = Assert.Single(entry["changes"]!.AsArray());
        Assert.Equal(("Status", "Done", "Scheduled (old)"),
            (change!["field"]!.GetValue<string>(), change["old"]!.GetValue<string>(), change["new"]!.GetValue<string>()));
        Assert.Equal(scheduled, await factory.WithDbAsync(db => db.Clients.Where(c => c.Id == clientId).Select(c => c.StatusId).SingleAsync()));
    }

    [Fact]
    public async Task Revert_FromThePage_AsksOnAPageOfItsOwn_AndAPostWithoutTheAnswerChangesNothing()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var name = Unique("ASK");
        var importId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Department\n{name},IT\n");
        var path = $"/rollouts/W11/imports/{importId}";
        var page = await factory.SignInAsync("manager@demo.test");

        var details = await page.GetPageAsync(path);
        Assert.Equal($"{path}/revert", details.Href("revert"));
        Assert.Null(details.FindForm($"{path}/revert"));

        var unconfirmed = await RolloutWebFactory.PostFormAsync(page, path + "/revert", [], path);
        Assert.Equal(HttpStatusCode.Redirect, unconfirmed.StatusCode);
        Assert.Equal($"{path}/revert", unconfirmed.Headers.Location!.OriginalString);
        Assert.Null((await client.GetJsonAsync($"/api/imports/{importId}"))["revert"]?["requestedAt"]?.GetValue<string>());
        Assert.Equal(1, await ClientCountAsync(name));

        var question = await page.GetPageAsync($"{path}/revert");
        Assert.Equal($"Revert import #{importId} (revert.csv)?", question.One("h1").NormalizedText());
        Assert.Contains("The 1 client it created in Laptops is deleted", question.TestId("revert-impact").NormalizedText(), StringComparison.Ordinal);
        var form = question.Form($"{path}/revert");
        var fields = form.HiddenFields().Where(f => f.Key != "__RequestVerificationToken").ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal("true", fields["confirmed"]);

        var confirmed = await RolloutWebFactory.PostFormAsync(page, path + "/revert", fields, $"{path}/revert");
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(path + "#page-message", confirmed.Headers.Location!.OriginalString); // "Revert started" takes the focus (decision 0175)
        Assert.Equal("Reverted", (await WaitForRevertAsync(client, importId)).Status());
        Assert.Equal(0, await ClientCountAsync(name));
        // The revert ended before the redirect was followed: no "Revert started" (the page shows no progress), how it
        // ended instead, which takes the focus the message would have had (import-details.js).
        var reverted = await page.GetPageAsync(path);
        Assert.Null(reverted.QuerySelector("#page-message"));
        // Said of what the import did: it created a client and changed none.
        Assert.EndsWith("1 client removed (the one it created).", reverted.TestId("reverted").NormalizedText(), StringComparison.Ordinal);
        Assert.Contains("The 1 client it created was deleted.", reverted.Body!.NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain("values it changed", reverted.Body!.NormalizedText(), StringComparison.Ordinal);

        // Reverted: the question's address leads back to the import, which says why.
        var again = await page.GetAsync($"{path}/revert");
        Assert.Equal(path, again.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Revert_IsForbiddenToTechniciansAndKeyAccountManagers_AndAnotherRolloutsImportIsNotFound()
    {
        var (manager, rolloutId, laptopsId) = await ManagerAsync();
        var name = Unique("ROLE");
        var importId = await ImportAsync(manager, rolloutId, laptopsId, $"Name,Department\n{name},IT\n");
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var srv = await admin.RolloutIdAsync("SRV");
        var foreign = await ApiTestClient.ReadAsync(await admin.UploadAsync(srv, await admin.InventoryIdAsync(srv, "Servers"),
            "servers.csv", $"Name\n{Unique("SRV")}\n"));

        foreach (var email in new[] { "technician@demo.test", "kam@demo.test" })
        {
            var api = await ApiTestClient.LoginAsync(factory, email);
            Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
            var page = await factory.SignInAsync(email);
            var denied = await page.PostAsync($"/rollouts/W11/imports/{importId}/revert", new FormUrlEncodedContent([]));
            Assert.NotEqual(HttpStatusCode.Accepted, denied.StatusCode);
            Assert.False(denied.IsSuccessStatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await manager.PostAsync($"/api/imports/{foreign.Id()}/revert", null)).StatusCode);
        Assert.Equal("Completed", (await manager.GetJsonAsync($"/api/imports/{importId}")).Status());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task Revert_Twice_IsAConflict_AndAnImportNotCompletedCannotBeReverted()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var importId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Department\n{Unique("TWO")},IT\n");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        Assert.Equal("Reverted", (await WaitForRevertAsync(client, importId)).Status());
        var waiting = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "w.csv", $"Name\n{Unique("W")}\n"));

        var again = await client.PostAsync($"/api/imports/{importId}/revert", null);
        var notCompleted = await client.PostAsync($"/api/imports/{waiting.Id()}/revert", null);

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (again.StatusCode, notCompleted.StatusCode));
        Assert.Equal($"Import {importId} has already been reverted.", (await ApiTestClient.ReadAsync(again))["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
    }

    private static Task<HttpResponseMessage> RevertAsync(HttpClient client, int importId, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/imports/{importId}/revert");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task ARevertRetriedWithItsIdempotencyKey_IsAnsweredWithTheImport_AndAsksForNoSecondRevert()
    {
        // QA (scripts that retry, decision 0146): a script whose revert answer was lost retried it and got 409 "Import N is
        // already being reverted." (or "… has already been reverted."), which it could not tell from someone else's revert.
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var importId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Department\n{Unique("RKY")},IT\n");
        var otherId = await ImportAsync(client, rolloutId, laptopsId, $"Name,Department\n{Unique("RKY")},IT\n");
        var key = Guid.NewGuid().ToString();

        var first = await RevertAsync(client, importId, key);
        var retried = await RevertAsync(client, importId, key);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, retried.StatusCode));
        var asked = (await ApiTestClient.ReadAsync(first))["revert"]!["requestedAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(asked, (await ApiTestClient.ReadAsync(retried))["revert"]!["requestedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("Reverted", (await WaitForRevertAsync(client, importId)).Status());
        var afterwards = await RevertAsync(client, importId, key);
        Assert.Equal(HttpStatusCode.Accepted, afterwards.StatusCode);
        Assert.Equal($"/api/imports/{importId}", afterwards.Headers.Location?.OriginalString);
        var answered = await ApiTestClient.ReadAsync(afterwards);
        Assert.Equal("Reverted", answered.Status());
        Assert.Equal(asked, answered["revert"]!["requestedAt"]!.GetValue<DateTimeOffset>());

        // Without the key, as before: 409. A key that cannot be kept: 400. The key on another import: 409, nothing asked.
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        var bad = await RevertAsync(client, otherId, "a key");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("Idempotency-Key", (await ApiTestClient.ReadAsync(bad))["field"]!.GetValue<string>());
        var reused = await RevertAsync(client, otherId, key);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        var problem = await ApiTestClient.ReadAsync(reused);
        Assert.Equal("Idempotency-Key", problem["field"]!.GetValue<string>());
        Assert.StartsWith($"The Idempotency-Key was used to revert import {importId} (revert.csv, asked for ",
            problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var other = await client.GetJsonAsync($"/api/imports/{otherId}");
        Assert.Equal("Completed", other.Status());
        Assert.Null(other["revert"]);

        // A new key reverts the other import.
        Assert.Equal(HttpStatusCode.Accepted, (await RevertAsync(client, otherId, Guid.NewGuid().ToString())).StatusCode);
        Assert.Equal("Reverted", (await WaitForRevertAsync(client, otherId)).Status());
    }
}

public sealed class SqliteImportRevertApiTests(RolloutWebFactory factory)
    : ImportRevertApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportRevertApiTests(PostgresWebFactory factory)
    : ImportRevertApiTests(factory), IClassFixture<PostgresWebFactory>;
