using System.Net;
using System.Net.Http.Json;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// An administrator's Erase of a user (decision 0144): the person's email is nowhere the app shows or exports, their
/// sessions and tokens end, the history names them by the erased label; refusals; a second erase says so.
/// </summary>
public abstract class UserErasureTests(RolloutWebFactory factory)
{
    private const string StrongPassword = "Str0ng!Password";

    /// <summary>A technician of W11 with a password, an email with a LIKE wildcard ("_"), and a client assigned to them.</summary>
    private async Task<(int UserId, string Email, int ClientId, int InventoryId, int ImportId, int OtherId)> ErinAsync(HttpClient admin, string tag)
    {
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var email = $"erin_{tag}@example.test";
        await admin.SubmitAsync("/settings/users/new", new()
        {
            ["DisplayName"] = $"Erin {tag}", ["Email"] = email, ["UserCode"] = $"ER-{tag}", ["Role"] = "Technician",
            ["Invite"] = "false", ["Password"] = StrongPassword, ["ConfirmPassword"] = StrongPassword,
            ["RolloutIds"] = w11.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var laptops = await manager.InventoryIdAsync(w11, "Laptops");
        var import = (await ApiTestClient.ReadAsync(await manager.UploadAsync(w11, laptops, "erin.csv", "Name,Assignee\nLT-ERIN,x\n"))).Id();
        return await factory.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            var client = await db.Clients.Where(c => c.InventoryId == laptops).OrderBy(c => c.Id).FirstAsync();
            var other = await db.Clients.Where(c => c.InventoryId == laptops).OrderBy(c => c.Id).Skip(1).FirstAsync();
            client.AssigneeId = user.Id;
            var at = DateTimeOffset.UtcNow;
            db.ClientHistory.AddRange(
                new ClientHistoryEntry
                {
                    ClientId = client.Id, At = at, Action = ClientHistoryAction.Changed, ImportId = import,
                    Changes = [new FieldChange(ClientHistoryFields.Assignee, "technician@demo.test", email)],
                    Corrections = [new CorrectionNote("C", ClientHistoryFields.Assignee, "erin", email, user.Id, at)],
                },
                new ClientHistoryEntry
                {
                    ClientId = client.Id, At = at.AddSeconds(1), Action = ClientHistoryAction.Changed,
                    Changes = [new FieldChange(ClientHistoryFields.ClientUser, email, null, OldValues: [email], OldId: user.Id)],
                },
                // On another client, a text that holds the email is a text: kept (a revert puts texts back from these labels).
                new ClientHistoryEntry
                {
                    ClientId = other.Id, At = at, Action = ClientHistoryAction.Changed,
                    Changes = [new FieldChange(ClientHistoryFields.Description, email, "someone else")],
                },
                // Another person whose email the LIKE's "_" would match unescaped.
                new ClientHistoryEntry
                {
                    ClientId = client.Id, At = at.AddSeconds(2), Action = ClientHistoryAction.Changed,
                    Changes = [new FieldChange(ClientHistoryFields.Assignee, null, $"erinx{tag}@example.test")],
                });
            db.ImportRowErrors.Add(new ImportRowError
            {
                ImportId = import, Row = 7, Column = "C", Header = "Assignee", Value = " " + email.ToUpperInvariant(),
                Message = $"No user with email \"{email.ToUpperInvariant()}\" in this rollout.",
            });
            db.ImportCellCorrections.Add(new ImportCellCorrection
            {
                ImportId = import, Row = 8, Column = "C", Value = email, Original = "erin", ById = user.Id, At = at,
            });
            await db.SaveChangesAsync();
            return (user.Id, email, client.Id, client.InventoryId, import, other.Id);
        });
    }

    private static async Task<string> ExportTextAsync(HttpClient client, int inventoryId)
    {
        var response = await client.GetAsync($"/rollouts/W11/inventories/{inventoryId}/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var book = new XLWorkbook(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        return string.Join("\n", book.Worksheets.SelectMany(s => s.CellsUsed()).Select(c => c.GetString()));
    }

    [Fact]
    public async Task Erase_LeavesTheEmailNowhereShownOrExported_EndsSessionsAndTokens_AndASecondEraseSaysSo()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var admin = await factory.SignInAsync("admin@demo.test");
        var (id, email, clientId, inventoryId, importId, otherId) = await ErinAsync(admin, tag);
        var session = await factory.SignInAsync(email, StrongPassword);
        var token = await ApiTestClient.LoginAsync(factory, email, StrongPassword);
        var adminApi = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var manager = await factory.SignInAsync("manager@demo.test");
        var clientPage = $"/rollouts/W11/clients/{clientId}";
        var userPage = $"/settings/users/{id}";
        // Before: the person is shown (so each "nowhere" below could fail).
        Assert.Contains(email, await admin.PageAsync(clientPage), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(email, await ExportTextAsync(admin, inventoryId), StringComparison.OrdinalIgnoreCase);

        // Refusals: no confirmation, a wrong one, a rollout manager (who manages Erin in W11), all changing nothing.
        var (_, unconfirmed, _) = await admin.SubmitAsync($"{userPage}/erase", new() { ["ConfirmEmail"] = "" }, userPage);
        var (_, mistyped, _) = await admin.SubmitAsync($"{userPage}/erase", new() { ["ConfirmEmail"] = "erin@example.test" }, userPage);
        var byManager = await RolloutWebFactory.PostFormAsync(manager, $"{userPage}/erase", new() { ["ConfirmEmail"] = email }, userPage);
        Assert.Contains($"Type Erin {tag}'s email address, {email}, to confirm: an erasure cannot be undone.", unconfirmed);
        Assert.Contains($"\"erin@example.test\" is not Erin {tag}'s email address: type {email} to confirm the erasure.", mistyped);
        Assert.Equal(HttpStatusCode.Forbidden, byManager.StatusCode);
        Assert.Contains("Only administrators erase users.", SettingsTestSupport.Text(await byManager.Content.ReadAsStringAsync()));
        Assert.DoesNotContain($"{userPage}/erase", await manager.GetStringAsync(userPage));
        Assert.Equal(email, await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.Email).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/rollouts")).StatusCode);

        var (status, erased, _) = await admin.SubmitAsync($"{userPage}/erase", new() { ["ConfirmEmail"] = " " + email.ToUpperInvariant() }, userPage);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"The user was erased and is now Erased user {id} (erased-{id}@invalid)", erased);
        Assert.Contains("2 client history entries now name them", erased);
        Assert.Contains("1 failed cell and 1 correction that held their email or name were cleared", erased);
        // Sessions and tokens end; the password is gone.
        var afterwards = await session.GetAsync("/rollouts");
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/rollouts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateBrowser().PostAsJsonAsync("/api/auth/login",
            new { email, password = StrongPassword })).StatusCode);
        // Nowhere shown or exported: users list, user page, client page and history, export, the API's users and client.
        var shown = new[]
        {
            await admin.PageAsync($"/settings/users?q=Erased user {id}"), await admin.PageAsync(userPage),
            await admin.PageAsync(clientPage), await ExportTextAsync(admin, inventoryId),
            (await adminApi.GetJsonAsync("/api/users")).ToJsonString(), (await adminApi.GetJsonAsync($"/api/users/{id}")).ToJsonString(),
            (await adminApi.GetJsonAsync($"/api/clients/{clientId}")).ToJsonString(),
        };
        Assert.All(shown, text => Assert.DoesNotContain($"erin_{tag}", text, StringComparison.OrdinalIgnoreCase));
        Assert.All(shown, text => Assert.DoesNotContain($"Erin {tag}", text, StringComparison.OrdinalIgnoreCase));
        Assert.Contains($"erased-{id}@invalid", shown[2]);
        Assert.Contains($"erased-{id}@invalid", shown[3]);
        Assert.Contains($"Erased user {id}", shown[0]);

        var (user, history, errors, corrections, members) = await factory.WithDbAsync(async db => (
            await db.Users.AsNoTracking().SingleAsync(u => u.Id == id),
            // By id, the order they were written in: another test of the class writes on the same client, at times that
            // may fall between these (its entries are a second or two apart, as these are).
            await db.ClientHistory.AsNoTracking().Where(h => h.ClientId == clientId).OrderBy(h => h.Id).ToListAsync(),
            await db.ImportRowErrors.AsNoTracking().Where(e => e.Row == 7 && e.Header == "Assignee" && e.ImportId == importId).ToListAsync(),
            await db.ImportCellCorrections.AsNoTracking().Where(c => c.ById == id).ToListAsync(),
            await db.RolloutMembers.CountAsync(m => m.UserId == id)));
        Assert.Equal(($"Erased user {id}", $"erased-{id}@invalid", $"ERASED-{id}", false, (string?)null, 0),
            (user.DisplayName, user.Email, user.UserCode, user.IsActive, user.PasswordHash, members));
        Assert.Equal(id, await factory.WithDbAsync(db => db.Clients.Where(c => c.Id == clientId).Select(c => c.AssigneeId).SingleAsync()));
        var mine = history.TakeLast(3).ToList();
        Assert.Equal($"erased-{id}@invalid", mine[0].Changes[0].New);
        Assert.Equal($"erased-{id}@invalid", Assert.Single(mine[0].Corrections ?? []).Value);
        Assert.Equal($"erased-{id}@invalid", mine[1].Changes[0].Old);
        Assert.Equal([$"erased-{id}@invalid"], mine[1].Changes[0].OldValues ?? []);
        Assert.Equal(email, await factory.WithDbAsync(async db => (await db.ClientHistory.AsNoTracking()
            .Where(h => h.ClientId == otherId).OrderBy(h => h.Id).ToListAsync()).Last().Changes[0].Old));
        Assert.Equal($"erinx{tag}@example.test", mine[2].Changes[0].New);
        var error = Assert.Single(errors);
        Assert.Equal((null, "No user with email \"…\" in this rollout."), (error.Value, error.Message));
        Assert.Empty(corrections);

        // Erased again (the API): nothing to do, and it says so.
        var again = await adminApi.PostAsJsonAsync($"/api/users/{id}/erase", new { confirmEmail = $"erased-{id}@invalid" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal($"Erased user {id} was already erased: nothing was changed.", (await ApiTestClient.ReadAsync(again))["notice"]!.GetValue<string>());
        Assert.Contains("This user was erased", await admin.PageAsync(userPage));
    }

    /// <summary>
    /// QA (decision 0149): a user whose email was changed (decision 0085) was still named by the earlier address in the
    /// history entries written before the change (an import set them as assignee: a New without an id), and an earlier
    /// run's failure message quoting them stayed. The history's import changes that keep the user's id beside the old
    /// address tell the earlier address: its entries are rewritten too, and the failure messages' quotes become "…".
    /// </summary>
    [Fact]
    public async Task Erase_AlsoRewritesTheHistoryNamingAnEarlierEmail_AndClearsFailureMessagesQuotingThem()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var admin = await factory.SignInAsync("admin@demo.test");
        var (id, email, clientId, _, importId, otherId) = await ErinAsync(admin, tag);
        var earlier = $"erin.before_{tag}@example.test";
        var name = $"Erin {tag}";
        var (assigned, unassigned, keptOther) = await factory.WithDbAsync(async db =>
        {
            var technician = await db.Users.Where(u => u.Email == "technician@demo.test").Select(u => u.Id).SingleAsync();
            var at = DateTimeOffset.UtcNow.AddDays(-30);
            // Written while Erin had the earlier address: an import set her (no id kept for a New), a later import set
            // another assignee and kept her id beside the address she had then.
            var set = new ClientHistoryEntry
            {
                ClientId = otherId, At = at, Action = ClientHistoryAction.Changed, ImportId = importId,
                Changes = [new FieldChange(ClientHistoryFields.Assignee, null, earlier)],
            };
            var unset = new ClientHistoryEntry
            {
                ClientId = otherId, At = at.AddDays(1), Action = ClientHistoryAction.Changed, ImportId = importId,
                Changes = [new FieldChange(ClientHistoryFields.Assignee, earlier, "technician@demo.test", OldId: id)],
            };
            // Another person's entry with the technician's id: not Erin, whatever it shows.
            var other = new ClientHistoryEntry
            {
                ClientId = otherId, At = at.AddDays(2), Action = ClientHistoryAction.Changed, ImportId = importId,
                Changes = [new FieldChange(ClientHistoryFields.ClientUser, "technician@demo.test", null, OldId: technician)],
            };
            db.ClientHistory.AddRange(set, unset, other);
            db.ImportRuns.Add(new ImportRun
            {
                ImportId = importId, Number = 1, Outcome = ImportStatus.Failed,
                FailureMessage = $"The import failed on \"{earlier}\" and on \"{name.ToUpperInvariant()}\"; nothing was written.",
            });
            await db.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s.SetProperty(i => i.FailureMessage,
                $"The import failed on \"{email}\"; nothing was written."));
            await db.SaveChangesAsync();
            return (set.Id, unset.Id, other.Id);
        });

        var (status, erased, _) = await admin.SubmitAsync($"/settings/users/{id}/erase", new() { ["ConfirmEmail"] = email },
            $"/settings/users/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("4 client history entries now name them", erased);
        Assert.Contains("The history entries include those naming 1 earlier email address of theirs.", erased);
        Assert.Contains("Their quoted email or name became \"…\" in 2 run failure messages.", WebUtility.HtmlDecode(erased));
        var (history, runMessage, importMessage) = await factory.WithDbAsync(async db => (
            await db.ClientHistory.AsNoTracking().Where(h => h.Id == assigned || h.Id == unassigned || h.Id == keptOther)
                .OrderBy(h => h.Id).ToListAsync(),
            await db.ImportRuns.Where(r => r.ImportId == importId).Select(r => r.FailureMessage).SingleAsync(),
            await db.Imports.Where(i => i.Id == importId).Select(i => i.FailureMessage).SingleAsync()));
        Assert.Equal($"erased-{id}@invalid", history[0].Changes[0].New);
        Assert.Equal($"erased-{id}@invalid", history[1].Changes[0].Old);
        Assert.Equal("technician@demo.test", history[2].Changes[0].Old);
        Assert.Equal("The import failed on \"…\" and on \"…\"; nothing was written.", runMessage);
        Assert.Equal("The import failed on \"…\"; nothing was written.", importMessage);
        Assert.DoesNotContain(earlier, (await admin.PageAsync($"/rollouts/W11/clients/{otherId}")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Erase_IsRefused_ForOneself_ForARolloutManager_AndWithoutTheConfirmation_ByTheApiToo()
    {
        var adminApi = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var managerApi = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var (adminId, technicianId) = await factory.WithDbAsync(async db => (
            await db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync(),
            await db.Users.Where(u => u.Email == "technician@demo.test").Select(u => u.Id).SingleAsync()));

        var self = await adminApi.PostAsJsonAsync($"/api/users/{adminId}/erase", new { confirmEmail = "admin@demo.test" });
        var manager = await managerApi.PostAsJsonAsync($"/api/users/{technicianId}/erase", new { confirmEmail = "technician@demo.test" });
        var unconfirmed = await adminApi.PostAsJsonAsync($"/api/users/{technicianId}/erase", new { });
        var missing = await adminApi.PostAsJsonAsync("/api/users/999999/erase", new { confirmEmail = "x@y.z" });

        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        Assert.Equal("You cannot erase yourself: another administrator can.", (await ApiTestClient.ReadAsync(self))["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, manager.StatusCode);
        Assert.Equal("Only administrators erase users.", (await ApiTestClient.ReadAsync(manager))["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Contains("technician@demo.test, to confirm", (await ApiTestClient.ReadAsync(unconfirmed))["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(2, await factory.WithDbAsync(db => db.Users.CountAsync(u =>
            (u.Email == "admin@demo.test" || u.Email == "technician@demo.test") && u.IsActive)));
        // The page offers no Erase for oneself.
        var admin = await factory.SignInAsync("admin@demo.test");
        Assert.DoesNotContain($"/settings/users/{adminId}/erase", await admin.GetStringAsync($"/settings/users/{adminId}"));
        Assert.Contains($"/settings/users/{technicianId}/erase", await admin.GetStringAsync($"/settings/users/{technicianId}"));
    }
}

public sealed class SqliteUserErasureTests(RolloutWebFactory factory)
    : UserErasureTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresUserErasureTests(PostgresWebFactory factory)
    : UserErasureTests(factory), IClassFixture<PostgresWebFactory>;
