using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// QA: a script whose upload answer was lost (its client timed out after the server had made the import) could neither
/// find nor discard that import, and its retry made a second one. The rollout's imports are listed in the API now
/// (newest first, by keyset, by status or file name, each with its file's SHA-256), and an upload may carry an
/// Idempotency-Key: its retry is answered with the import the first made.
/// </summary>
public abstract class ImportHistoryApiTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The manager, a rollout of its own (nothing else imports into it) and its inventory "Desks".</summary>
    private async Task<(HttpClient Client, int RolloutId, int InventoryId)> OwnRolloutAsync()
    {
        var (identifier, inventoryId) = await OwnRollouts.AddAsync(factory, clientLimit: null);
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        return (client, await client.RolloutIdAsync(identifier), inventoryId);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, int rolloutId, int inventoryId, string fileName,
        string csv, params string[] keys)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(inventoryId.ToString(CultureInfo.InvariantCulture)), "inventoryId" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", fileName },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/rollouts/{rolloutId}/imports") { Content = form };
        foreach (var key in keys)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    private static int[] Ids(JsonNode page) => [.. page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<int>())];

    [Fact]
    public async Task TheRolloutsImports_AreListedNewestFirst_ByKeyset_EachWithItsFileAndCounts()
    {
        var (client, rolloutId, inventoryId) = await OwnRolloutAsync();
        var files = new[] { ("a.csv", $"Name\n{Unique("HIS")}\n"), ("b.csv", $"Name\n{Unique("HIS")}\n{Unique("HIS")}\n"), ("c.csv", "Serial\nS1\n") };
        var ids = new List<int>();
        foreach (var (name, csv) in files)
        {
            var created = await UploadAsync(client, rolloutId, inventoryId, name, csv);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add((await ApiTestClient.ReadAsync(created)).Id());
        }

        var first = await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports?pageSize=2");
        var second = await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports?pageSize=2&after={first["next"]!.GetValue<string>()}");

        Assert.Equal([ids[2], ids[1]], Ids(first));
        Assert.Equal(3, first["total"]!.GetValue<int>());
        Assert.Equal([ids[0]], Ids(second));
        Assert.Null(second["next"]);
        var b = first["items"]![1]!;
        Assert.Equal("b.csv", b["fileName"]!.GetValue<string>());
        Assert.Equal(Sha256(files[1].Item2), b["fileSha256"]!.GetValue<string>());
        Assert.Equal(Encoding.UTF8.GetByteCount(files[1].Item2), b["fileSize"]!.GetValue<long>());
        Assert.Equal("WaitingForApproval", b["status"]!.GetValue<string>());
        Assert.Equal((inventoryId, "Desks"), (b["inventoryId"]!.GetValue<int>(), b["inventory"]!.GetValue<string>()));
        Assert.Equal("manager@demo.test", b["createdBy"]!["email"]!.GetValue<string>());
        Assert.NotNull(b["createdAt"]);
        Assert.Equal(2, b["rowCount"]!.GetValue<int>());
        Assert.Equal(0, b["counts"]!["created"]!.GetValue<int>());
        Assert.Null(b["approvedBy"]);

        var incomplete = await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports?status=incomplete");
        var byName = await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports?fileName=" + Uri.EscapeDataString(@"C:\Users\bob\b.csv"));
        Assert.Equal([ids[2]], Ids(incomplete));
        Assert.Equal([ids[1]], Ids(byName));
        Assert.Equal(1, byName["total"]!.GetValue<int>());
    }

    /// <summary>Uploads <paramref name="csv"/> (Name, Description) by the manager and maps it, updating existing clients or not.</summary>
    private static async Task<int> UploadAndMapAsync(HttpClient client, int rolloutId, int inventoryId, string csv, bool updateExisting)
    {
        var created = await UploadAsync(client, rolloutId, inventoryId, "who.csv", csv);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await ApiTestClient.ReadAsync(created)).Id();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{id}/mapping", new
        {
            updateExisting,
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Description" } },
        })).StatusCode);
        return id;
    }

    private static (int Id, string Name, string? Email) UserOf(JsonNode? user)
    {
        Assert.NotNull(user);
        return (user["id"]!.GetValue<int>(), user["name"]!.GetValue<string>(), user["email"]?.GetValue<string>());
    }

    private Task<int> UserIdAsync(string email) => factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    [Fact]
    public async Task AnImport_SaysWhoCreatedApprovedAndRevertedIt_AsTheListDoes()
    {
        // QA: GET /api/imports/{id} gave createdAt, approvedAt and revert.revertedAt, but not by whom, though the page
        // says "Reverted … by Max Manager" and the list names the creator and approver.
        var (manager, rolloutId, inventoryId) = await OwnRolloutAsync();
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var (kept, added) = (Unique("WHO"), Unique("WHO"));
        var first = await UploadAndMapAsync(manager, rolloutId, inventoryId, $"Name,Description\n{kept},one\n", updateExisting: false);
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{first}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await manager.WaitForResultAsync(first)).Status());
        var importId = await UploadAndMapAsync(manager, rolloutId, inventoryId, $"Name,Description\n{kept},two\n{added},new\n",
            updateExisting: true);
        var waiting = await manager.GetJsonAsync($"/api/imports/{importId}");
        // The administrator approves the manager's upload; the manager reverts it.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await manager.WaitForResultAsync(importId)).Status());
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        var reverted = await manager.WaitForImportAsync(importId, i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromMinutes(1));

        var (managerId, adminId) = (await UserIdAsync("manager@demo.test"), await UserIdAsync("admin@demo.test"));
        Assert.Equal((managerId, "Max Manager", "manager@demo.test"), UserOf(waiting["createdBy"]));
        Assert.Null(waiting["approvedBy"]);
        Assert.Equal("Reverted", reverted.Status());
        Assert.Equal((managerId, "Max Manager", "manager@demo.test"), UserOf(reverted["createdBy"]));
        Assert.Equal((adminId, "Ada Admin", "admin@demo.test"), UserOf(reverted["approvedBy"]));
        Assert.Equal((managerId, "Max Manager", "manager@demo.test"), UserOf(reverted["revert"]!["revertedBy"]));
        // The list names them the same way, the reverter too; an import not reverted has none.
        var items = (await manager.GetJsonAsync($"/api/rollouts/{rolloutId}/imports"))["items"]!.AsArray();
        var listed = items.Single(i => i!["id"]!.GetValue<int>() == importId)!;
        Assert.Equal((managerId, "Max Manager", "manager@demo.test"), UserOf(listed["revertedBy"]));
        Assert.Equal(reverted["revert"]!["revertedAt"]!.GetValue<DateTimeOffset>(), listed["revertedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal((adminId, "Ada Admin", "admin@demo.test"), UserOf(listed["approvedBy"]));
        var other = items.Single(i => i!["id"]!.GetValue<int>() == first)!;
        Assert.Null(other["revertedBy"]);
        Assert.Null(other["revertedAt"]);
    }

    [Fact]
    public async Task AFinishedRevert_GivesItsFigures_ClientsRemovedAndRestored()
    {
        // QA: once the revert had ended, revert.done and revert.total read 0 and 0 (it had removed 2 and restored 2).
        var (identifier, inventoryId) = await OwnRollouts.AddAsync(factory, clientLimit: null);
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync(identifier);
        var (kept1, kept2) = (Unique("FIG"), Unique("FIG"));
        var first = await UploadAndMapAsync(manager, rolloutId, inventoryId, $"Name,Description\n{kept1},one\n{kept2},one\n",
            updateExisting: false);
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{first}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await manager.WaitForResultAsync(first)).Status());
        var importId = await UploadAndMapAsync(manager, rolloutId, inventoryId,
            $"Name,Description\n{kept1},two\n{kept2},two\n{Unique("FIG")},new\n{Unique("FIG")},new\n", updateExisting: true);
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await manager.WaitForResultAsync(importId)).Status());

        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        var reverted = await manager.WaitForImportAsync(importId, i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromMinutes(1));

        Assert.Equal("Reverted", reverted.Status());
        var revert = reverted["revert"]!;
        Assert.Equal<(int?, int?, int?, int?)>((4, 4, 2, 2), (revert["done"]?.GetValue<int>(), revert["total"]?.GetValue<int>(),
            revert["removed"]?.GetValue<int>(), revert["restored"]?.GetValue<int>()));
        // The import's page says the same in words (it said only "The 2 clients it created were deleted").
        var page = await (await factory.SignInAsync("manager@demo.test")).GetPageAsync($"/rollouts/{identifier}/imports/{importId}");
        var at = revert["revertedAt"]!.GetValue<DateTimeOffset>().UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Assert.Equal($"Reverted by Max Manager on {at} UTC: 2 clients removed (the ones it created), 2 restored to what they had before. "
            + "Show the 2 clients it changed", page.TestId("reverted").NormalizedText());
        // An import never reverted has no revert at all.
        Assert.Null((await manager.GetJsonAsync($"/api/imports/{first}"))["revert"]);
    }

    [Fact]
    public async Task TheList_RefusesWhatItCannotRead_AndChecksRoleAndRollout()
    {
        var (client, rolloutId, _) = await OwnRolloutAsync();
        var w11 = await client.RolloutIdAsync("W11");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var keyAccountManager = await ApiTestClient.LoginAsync(factory, "kam@demo.test");

        var status = await ProblemAsync(await client.GetAsync($"/api/rollouts/{rolloutId}/imports?status=done"), HttpStatusCode.BadRequest);
        var after = await ProblemAsync(await client.GetAsync($"/api/rollouts/{rolloutId}/imports?after=abc"), HttpStatusCode.BadRequest);
        var size = await ProblemAsync(await client.GetAsync($"/api/rollouts/{rolloutId}/imports?pageSize=abc"), HttpStatusCode.BadRequest);

        Assert.Equal("status", status["field"]!.GetValue<string>());
        Assert.StartsWith("There is no status \"done\": Incomplete, WaitingForApproval", status["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("after", after["field"]!.GetValue<string>());
        Assert.Equal("pageSize", size["field"]!.GetValue<string>());
        await ProblemAsync(await technician.GetAsync($"/api/rollouts/{w11}/imports"), HttpStatusCode.Forbidden);
        await ProblemAsync(await technician.GetAsync($"/api/rollouts/{rolloutId}/imports"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await keyAccountManager.GetAsync($"/api/rollouts/{w11}/imports")).StatusCode);
    }

    [Fact]
    public async Task AnUploadRetriedWithItsIdempotencyKey_IsAnsweredWithTheFirstImport_AndStoresNothingMore()
    {
        var (client, rolloutId, inventoryId) = await OwnRolloutAsync();
        var csv = $"Name\n{Unique("KEY")}\n";
        var key = Guid.NewGuid().ToString();

        var first = await UploadAsync(client, rolloutId, inventoryId, "keyed.csv", csv, key);
        var retry = await UploadAsync(client, rolloutId, inventoryId, "keyed.csv", csv, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var made = await ApiTestClient.ReadAsync(first);
        var again = await ApiTestClient.ReadAsync(retry);
        Assert.Equal(made.ToJsonString(), again.ToJsonString());
        Assert.Equal($"/api/imports/{made.Id()}", retry.Headers.Location?.OriginalString);
        var listed = await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports");
        Assert.Equal([made.Id()], Ids(listed));

        // Another file under the key is refused; another key, or the same key of another user, is another upload.
        var other = await ProblemAsync(await UploadAsync(client, rolloutId, inventoryId, "keyed.csv", csv + "X-1\n", key), HttpStatusCode.Conflict);
        Assert.Equal("Idempotency-Key", other["field"]!.GetValue<string>());
        Assert.StartsWith($"The Idempotency-Key was used for import {made.Id()} (keyed.csv, uploaded ", other["detail"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Contains("this upload is of another file (its SHA-256 differs). Nothing was stored", other["detail"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(client, rolloutId, inventoryId, "keyed.csv", csv, Guid.NewGuid().ToString())).StatusCode);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(admin, rolloutId, inventoryId, "keyed.csv", csv, key)).StatusCode);
        Assert.Equal(3, (await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task ARetrySentWhileTheFirstUploadIsStillRunning_GetsItsImport()
    {
        var (client, rolloutId, inventoryId) = await OwnRolloutAsync();
        var csv = "Name\n" + string.Join("\n", Enumerable.Range(0, 20_000).Select(i => $"RUN-{i:00000}")) + "\n";
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => UploadAsync(client, rolloutId, inventoryId, "big.csv", csv, key)));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created], answers.Select(a => a.StatusCode).Order());
        var ids = await Task.WhenAll(answers.Select(async a => (await ApiTestClient.ReadAsync(a)).Id()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, (await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task AKeyOlderThanADay_StartsANewUpload()
    {
        var (client, rolloutId, inventoryId) = await OwnRolloutAsync();
        var csv = $"Name\n{Unique("OLD")}\n";
        var key = Guid.NewGuid().ToString();
        var first = (await ApiTestClient.ReadAsync(await UploadAsync(client, rolloutId, inventoryId, "old.csv", csv, key))).Id();
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var createdAt = await db.Imports.Where(i => i.Id == first).Select(i => i.CreatedAt).SingleAsync();
            await db.Imports.Where(i => i.Id == first).ExecuteUpdateAsync(s => s.SetProperty(i => i.CreatedAt, createdAt.AddHours(-25)));
        }

        var later = await UploadAsync(client, rolloutId, inventoryId, "old.csv", csv, key);

        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
        Assert.NotEqual(first, (await ApiTestClient.ReadAsync(later)).Id());
    }

    private static async Task<HttpResponseMessage> ApproveAsync(HttpClient client, int importId, params string[] keys)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/imports/{importId}/approve");
        foreach (var key in keys)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await client.SendAsync(request);
    }

    private static int RunCount(JsonNode import) => import["runs"]!.AsArray().Count;

    [Fact]
    public async Task AnApprovalRetriedWithItsIdempotencyKey_AfterItsRunFailed_StartsNoSecondRun()
    {
        // API pass: a script retried POST …/approve after a timeout; the first run had already failed, and the retry
        // started a second run. Its Idempotency-Key answers the retry with the import now, as the upload's does.
        var (identifier, inventoryId) = await OwnRollouts.AddAsync(factory, clientLimit: 1);
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync(identifier);
        var csv = $"Name\n{Unique("APK")}\n{Unique("APK")}\n";
        var importId = (await ApiTestClient.ReadAsync(await UploadAsync(client, rolloutId, inventoryId, "approve.csv", csv))).Id();
        var key = Guid.NewGuid().ToString();

        var first = await ApproveAsync(client, importId, key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var failed = await client.WaitForResultAsync(importId);
        Assert.Equal("Failed", failed.Status());
        Assert.Equal(1, RunCount(failed));

        var retry = await ApproveAsync(client, importId, key);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal($"/api/imports/{importId}", retry.Headers.Location?.OriginalString);
        var answered = await ApiTestClient.ReadAsync(retry);
        Assert.Equal("Failed", answered.Status());
        Assert.Equal(failed["approvedAt"]!.GetValue<DateTimeOffset>(), answered["approvedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, RunCount(await client.GetJsonAsync($"/api/imports/{importId}")));

        // The key on another import is refused, nothing changed; a new key approves again, as without one.
        var otherId = (await ApiTestClient.ReadAsync(await UploadAsync(client, rolloutId, inventoryId, "other.csv", csv))).Id();
        var refused = await ProblemAsync(await ApproveAsync(client, otherId, key), HttpStatusCode.Conflict);
        Assert.Equal("Idempotency-Key", refused["field"]!.GetValue<string>());
        Assert.StartsWith($"The Idempotency-Key was used to approve import {importId} (approve.csv, approved ",
            refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("WaitingForApproval", (await client.GetJsonAsync($"/api/imports/{otherId}")).Status());
        Assert.Equal(HttpStatusCode.Accepted, (await ApproveAsync(client, importId, Guid.NewGuid().ToString())).StatusCode);
        var second = await client.WaitForResultAsync(importId);
        Assert.Equal(2, RunCount(second));

        // The first key still answers without a run, though its run is an earlier one now; a bad key is a 400.
        Assert.Equal(HttpStatusCode.Accepted, (await ApproveAsync(client, importId, key)).StatusCode);
        Assert.Equal(2, RunCount(await client.GetJsonAsync($"/api/imports/{importId}")));
        var bad = await ProblemAsync(await ApproveAsync(client, importId, "a key"), HttpStatusCode.BadRequest);
        Assert.Equal("Idempotency-Key", bad["field"]!.GetValue<string>());
        Assert.Contains("one per approval", bad["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(256, "k", 1)]
    [InlineData(1, "a key", 1)]
    [InlineData(1, "schlüssel", 1)]
    [InlineData(8, "k", 2)]
    public async Task AKeyThatCannotBeKept_IsRefusedBeforeTheUpload(int repeat, string text, int headers)
    {
        var (client, rolloutId, inventoryId) = await OwnRolloutAsync();
        var key = string.Concat(Enumerable.Repeat(text, repeat));

        var problem = await ProblemAsync(await UploadAsync(client, rolloutId, inventoryId, "bad.csv", "Name\nX\n",
            [.. Enumerable.Repeat(key, headers)]), HttpStatusCode.BadRequest);

        Assert.Equal("Idempotency-Key", problem["field"]!.GetValue<string>());
        Assert.Equal(0, (await client.GetJsonAsync($"/api/rollouts/{rolloutId}/imports"))["total"]!.GetValue<int>());
    }
}

public sealed class SqliteImportHistoryApiTests(RolloutWebFactory factory)
    : ImportHistoryApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportHistoryApiTests(PostgresWebFactory factory)
    : ImportHistoryApiTests(factory), IClassFixture<PostgresWebFactory>;
