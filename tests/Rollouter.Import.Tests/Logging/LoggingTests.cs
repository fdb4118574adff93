using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;
using Rollouter.Import.Web.Features.Imports;
using Serilog.Events;

namespace Rollouter.Import.Tests.Logging;

/// <summary>
/// What an operator reads in the logs: every line of an import's job names the import, and the changes that destroy
/// or rename data, link clients, or change a role, are audit events (category "Audit": who, what, which).
/// </summary>
public sealed class LoggingTests(LogCapturingWebFactory factory) : IClassFixture<LogCapturingWebFactory>
{
    private IReadOnlyList<LogEvent> Audit(string eventName) =>
        [.. factory.Logs.Events.Where(e => CapturedLogEvents.Category(e) == "Audit" && EventName(e) == eventName)];

    private static string? EventName(LogEvent e) =>
        e.Properties.TryGetValue("EventId", out var id) && id is StructureValue s
            ? s.Properties.FirstOrDefault(p => p.Name == "Name")?.Value is ScalarValue { Value: string name } ? name : null
            : null;

    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private Task<int> UserIdAsync(string email) => DbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    /// <summary>
    /// QA (decision 0153): the upload's and the discard's lines named the uploaded file ("Import 12 created from Jane Doe's
    /// laptops.xlsx"), and a file's name may name a person, kept 14 days in the logs. Lines at Information and above now
    /// name the import and the file's extension only.
    /// </summary>
    [Fact]
    public async Task AnUploadedFilesName_IsInNoLine_TheImportAndItsExtensionAre()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var person = $"Jane Doe {Guid.NewGuid().ToString("N")[..8]}";
        var id = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, $"{person} laptops.csv",
            $"Name,Department\nFN-{Guid.NewGuid().ToString("N")[..8]},IT\n"))).Id();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/imports/{id}")).StatusCode);

        var lines = factory.Logs.Events
            .Select(e => $"{e.RenderMessage()} {string.Join(' ', e.Properties.Select(p => p.Value.ToString()))} {e.Exception}")
            .ToList();
        Assert.DoesNotContain(lines, l => l.Contains(person, StringComparison.OrdinalIgnoreCase));
        var ofThisImport = factory.Logs.Events.Where(e => Equals(CapturedLogEvents.Value(e, "ImportId"), id)).ToList();
        Assert.Contains(ofThisImport, e => e.RenderMessage().StartsWith($"Import {id} created from an uploaded \"csv\" file", StringComparison.Ordinal)
            || e.RenderMessage().StartsWith($"Import {id} created from an uploaded csv file", StringComparison.Ordinal));
        Assert.Contains(ofThisImport, e => e.MessageTemplate.Text.Contains("discarded", StringComparison.Ordinal)
            && Equals(CapturedLogEvents.Value(e, "Extension"), "csv"));
    }

    [Fact]
    public async Task EveryLineOfAnImportsJob_NamesTheImport_EvenTheDatabaseCommands()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var name = $"LOG-{Guid.NewGuid().ToString("N")[..8]}";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "log.csv", $"Name,Department\n{name},IT\n"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, import.Id(), await UserIdAsync("manager@demo.test"));
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ImportJob>().RunAsync(import.Id(), CancellationToken.None);
        }

        Assert.Equal("Completed", (await client.GetJsonAsync($"/api/imports/{import.Id()}")).Status());
        var ofThisImport = factory.Logs.Events.Where(e => Equals(CapturedLogEvents.Value(e, "ImportId"), import.Id())).ToList();
        // EF Core's command lines say nothing of imports themselves: only the job's scope can have named the import.
        Assert.Contains(ofThisImport, e => CapturedLogEvents.Category(e) == "Microsoft.EntityFrameworkCore.Database.Command");
        Assert.Contains(ofThisImport, e => e.RenderMessage().Contains("job ended with Completed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheLogFile_NamesTheImportOnEachLineOfItsJob_AndTheUserOnEachLineOfTheirRequests()
    {
        // docs/operations.md: grep '"ImportId":42' logs/rollouter-*.log. The messages name the import themselves
        // ("Import 42 job ended …"), and a plain output template's {Properties} leaves out what the message names.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var managerId = await UserIdAsync("manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var name = $"GREP-{Guid.NewGuid().ToString("N")[..8]}";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "grep.csv", $"Name,Department\n{name},IT\n"));
        var id = import.Id();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, id, managerId);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ImportJob>().RunAsync(id, CancellationToken.None);
        }

        var lines = LogFileLines();
        var ofThisImport = lines.Where(l => l.Contains($"\"ImportId\":{id}", StringComparison.Ordinal)).ToList();
        Assert.Contains(ofThisImport, l => l.Contains($"Import {id} job ended with Completed", StringComparison.Ordinal));
        Assert.Contains(ofThisImport, l => l.Contains($"Import {id} created from", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"/api/rollouts/{rolloutId}/imports", StringComparison.Ordinal)
            && l.Contains("responded 201", StringComparison.Ordinal) && l.Contains($"\"UserId\":{managerId}", StringComparison.Ordinal));
    }

    /// <summary>The lines of the app's log files (appsettings.json's file sink, in the data folder's logs/).</summary>
    private List<string> LogFileLines()
    {
        var lines = new List<string>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(factory.DataFolder, "logs"), "rollouter-*.log"))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    [Fact]
    public void TextSentByAClient_CannotForgeALogLine()
    {
        // Any property of any event, as a file name or a header reaches them (a throttled sign-in no longer names the
        // email typed: decision 0139).
        var forged = "2026-12-05 11:00:00.000 +00:00 [ERR] Forged admin password reset";
        var text = $"evil-{Guid.NewGuid().ToString("N")[..8]}\n{forged}\u2028{forged}\u202E";
        var logger = factory.Services.GetRequiredService<ILogger<LoggingTests>>();

        logger.LogWarning("Text from a client: {Text}", text);

        var line = Assert.Single(factory.Logs.Events, e => e.MessageTemplate.Text.StartsWith("Text from a client", StringComparison.Ordinal)
            && e.RenderMessage().Contains(text[..12], StringComparison.Ordinal)).RenderMessage();
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u2028', line);
        Assert.DoesNotContain('\u202E', line);
        Assert.Contains("\\n2026-12-05", line);
        Assert.Contains("\\u2028", line);
    }

    [Fact]
    public async Task ChangingAUsersRole_IsAnAuditEvent_WithWhoWhomAndBothRoles()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var technician = await UserIdAsync("technician@demo.test");

        var changed = await admin.PutAsJsonAsync($"/api/users/{technician}", new { role = "ServiceDesk" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var audit = Assert.Single(Audit("RoleChanged"), e => Equals(CapturedLogEvents.Value(e, "UserId"), technician));
        Assert.Equal(await UserIdAsync("admin@demo.test"), CapturedLogEvents.Value(audit, "ActorId"));
        Assert.Equal("Technician", CapturedLogEvents.Value(audit, "OldRole"));
        Assert.Equal("ServiceDesk", CapturedLogEvents.Value(audit, "NewRole"));

        // Saving the same role again changes no role: no event.
        await admin.PutAsJsonAsync($"/api/users/{technician}", new { role = "ServiceDesk", displayName = "Tina T." });
        Assert.Single(Audit("RoleChanged"), e => Equals(CapturedLogEvents.Value(e, "UserId"), technician));
    }

    [Fact]
    public async Task DeactivatingAndReactivatingAUser_AreAuditEvents_ARefusalOrNoChangeIsNone()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var user = await UserIdAsync("servicedesk@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{user}/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{user}/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{user}/reactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"/api/users/{adminId}/deactivate", null)).StatusCode);

        var deactivated = Assert.Single(Audit("UserDeactivated"), e => Equals(CapturedLogEvents.Value(e, "UserId"), user));
        Assert.Equal(adminId, CapturedLogEvents.Value(deactivated, "ActorId"));
        Assert.Single(Audit("UserReactivated"), e => Equals(CapturedLogEvents.Value(e, "UserId"), user));
        Assert.DoesNotContain(Audit("UserDeactivated"), e => Equals(CapturedLogEvents.Value(e, "UserId"), adminId));
    }

    /// <summary>Ending someone's sign-ins, or one's own everywhere else, names who did it to whom and how many (decision 0182).</summary>
    [Fact]
    public async Task EndingAUsersSignIns_AndSigningOutEverywhere_AreAuditEvents_ARefusalIsNone()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        const string Password = "Str0ng!Password";
        var email = $"ended.{Guid.NewGuid().ToString("N")[..8]}@example.test";
        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = "Ed Ended", email, userCode = $"EE-{Guid.NewGuid():N}"[..11], role = "Technician", password = Password,
            rolloutIds = Array.Empty<int>(),
        });
        var user = (await ApiTestClient.ReadAsync(created))["id"]!.GetValue<int>();
        var theirs = await ApiTestClient.LoginAsync(factory, email, Password);
        await ApiTestClient.LoginAsync(factory, email, Password);

        Assert.Equal(HttpStatusCode.OK, (await theirs.PostAsync("/api/auth/logout-everywhere", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{user}/sign-out", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"/api/users/{adminId}/sign-out", null)).StatusCode);

        var events = Audit("SignInsEnded").Where(e => Equals(CapturedLogEvents.Value(e, "UserId"), user)).ToList();
        Assert.Equal(2, events.Count);
        foreach (var (e, actor) in events.Zip([user, adminId]))
        {
            Assert.Equal(actor, CapturedLogEvents.Value(e, "ActorId"));
            Assert.Equal(0, CapturedLogEvents.Value(e, "Sessions"));
            Assert.Equal(1, CapturedLogEvents.Value(e, "Tokens"));
        }

        Assert.DoesNotContain(Audit("SignInsEnded"), e => Equals(CapturedLogEvents.Value(e, "UserId"), adminId));
    }

    [Fact]
    public async Task ErasingAUser_IsAnAuditEvent_NamingTheIdsOnly_NeverTheNameOrEmailTheyHad()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var email = $"gone.{Guid.NewGuid().ToString("N")[..8]}@example.test";
        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = "Gordon Gone", email, userCode = $"GG-{Guid.NewGuid():N}"[..11], role = "Technician", rolloutIds = Array.Empty<int>(),
        });
        var user = (await ApiTestClient.ReadAsync(created))["id"]!.GetValue<int>();

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/users/{user}/erase", new { confirmEmail = "no@example.test" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/users/{user}/erase", new { confirmEmail = email })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/users/{user}/erase", new { confirmEmail = email })).StatusCode);

        var erased = Assert.Single(Audit("UserErased"), e => Equals(CapturedLogEvents.Value(e, "UserId"), user));
        Assert.Equal(adminId, CapturedLogEvents.Value(erased, "ActorId"));
        Assert.DoesNotContain("Gordon", erased.RenderMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(email, erased.RenderMessage(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LinkingTwoClients_IsAnAuditEvent_AsUnlinkingIs_ARefusedLinkIsNone()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var plain = await DbAsync(db => db.ClientLinkTypes.Where(t => !t.IsAdvanced).Select(t => new { t.Id, t.OutwardName }).FirstAsync());
        var pair = await DbAsync(db => db.Clients
            .Where(c => c.RolloutId == rolloutId && !db.ClientLinks.Any(l => l.SourceClientId == c.Id || l.TargetClientId == c.Id))
            .OrderBy(c => c.Id).Select(c => c.Id).Take(2).ToListAsync());
        var (source, target) = (pair[0], pair[1]);

        var linked = await api.PostAsJsonAsync($"/api/clients/{source}/links", new { otherClientId = target, linkTypeId = plain.Id, direction = "outward" });
        var again = await api.PostAsJsonAsync($"/api/clients/{source}/links", new { otherClientId = target, linkTypeId = plain.Id, direction = "outward" });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.BadRequest), (linked.StatusCode, again.StatusCode));
        var linkId = await DbAsync(db => db.ClientLinks.Where(l => l.SourceClientId == source && l.TargetClientId == target).Select(l => l.Id).SingleAsync());
        var created = Assert.Single(Audit("ClientLinkCreated"), e => Equals(CapturedLogEvents.Value(e, "LinkId"), linkId));
        Assert.Equal(await UserIdAsync("manager@demo.test"), CapturedLogEvents.Value(created, "ActorId"));
        Assert.Equal((rolloutId, source, target), (CapturedLogEvents.Value(created, "RolloutId"),
            CapturedLogEvents.Value(created, "SourceClientId"), CapturedLogEvents.Value(created, "TargetClientId")));
        Assert.Equal(plain.OutwardName, CapturedLogEvents.Value(created, "LinkType"));
        Assert.Single(Audit("ClientLinkCreated"), e => Equals(CapturedLogEvents.Value(e, "SourceClientId"), source));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/clients/{source}/links/{linkId}")).StatusCode);
        var deleted = Assert.Single(Audit("ClientLinkDeleted"), e => Equals(CapturedLogEvents.Value(e, "LinkId"), linkId));
        Assert.Equal((source, target), (CapturedLogEvents.Value(deleted, "SourceClientId"), CapturedLogEvents.Value(deleted, "TargetClientId")));
    }

    [Fact]
    public async Task DeletingAnInventory_IsAnAuditEvent_WithItsClientAndImportCounts()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var workflow = await DbAsync(db => db.Workflows.Select(w => w.Id).FirstAsync());
        var created = await ApiTestClient.ReadAsync(await api.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories",
            new { name = $"Doomed {Guid.NewGuid():N}"[..20], workflowId = workflow, customFieldIds = Array.Empty<int>() }));
        var inventoryId = created.Id();
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, inventoryId, "doomed.csv", "Name\nDOOMED-1\nDOOMED-2\n"));
        var manager = await factory.SignInAsync("manager@demo.test");

        var deleted = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{inventoryId}/delete", []);

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        var audit = Assert.Single(Audit("InventoryDeleted"), e => Equals(CapturedLogEvents.Value(e, "InventoryId"), inventoryId));
        Assert.Equal(await UserIdAsync("manager@demo.test"), CapturedLogEvents.Value(audit, "ActorId"));
        Assert.Equal(rolloutId, CapturedLogEvents.Value(audit, "RolloutId"));
        Assert.Equal(1, CapturedLogEvents.Value(audit, "ImportCount"));
        Assert.Contains(import.Id().ToString(System.Globalization.CultureInfo.InvariantCulture), audit.RenderMessage());
    }

    [Fact]
    public async Task RenamingAnOption_IsAnAuditEvent_WithTheOldAndNewName()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var fieldName = $"Colour {Guid.NewGuid():N}"[..20];
        var field = await ApiTestClient.ReadAsync(await admin.PostAsJsonAsync("/api/custom-fields",
            new { name = fieldName, type = "Selection", options = new[] { "Red", "Blue" } }));
        var optionId = await DbAsync(db => db.CustomFieldOptions.Where(o => o.CustomFieldId == field.Id() && o.Name == "Red").Select(o => o.Id).SingleAsync());
        var manager = await factory.SignInAsync("admin@demo.test");

        var renamed = await RolloutWebFactory.PostFormAsync(manager, $"/settings/custom-fields/{field.Id()}/options/{optionId}",
            new() { ["optionName"] = "Crimson", ["confirmed"] = "true" }, $"/settings/custom-fields/{field.Id()}");

        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        var audit = Assert.Single(Audit("OptionRenamed"), e => Equals(CapturedLogEvents.Value(e, "OptionId"), optionId));
        Assert.Equal(await UserIdAsync("admin@demo.test"), CapturedLogEvents.Value(audit, "ActorId"));
        Assert.Equal(fieldName, CapturedLogEvents.Value(audit, "FieldName"));
        Assert.Equal("Red", CapturedLogEvents.Value(audit, "OldName"));
        Assert.Equal("Crimson", CapturedLogEvents.Value(audit, "NewName"));
    }

    [Fact]
    public async Task CreatingAUser_ChangingTheirFlagOrDetails_AndEachMembership_AreAuditEvents()
    {
        // QA: only a role change and a deactivation were audit events; who gave someone a rollout, or made them a
        // reviewer, left no trace.
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var email = $"audit-{Guid.NewGuid():N}"[..14] + "@demo.test";
        var created = await api.PostAsJsonAsync("/api/users", new
        {
            displayName = "Audrey Audit", email, userCode = $"AU-{Guid.NewGuid():N}"[..11], role = "Technician",
            password = "Audit!2026x", rolloutIds = new[] { rolloutId },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var userId = await UserIdAsync(email);
        bool Of(LogEvent e) => Equals(CapturedLogEvents.Value(e, "UserId"), userId);

        var made = Assert.Single(Audit("UserCreated"), Of);
        Assert.Equal((adminId, "Audrey Audit", email, "Technician", false),
            (CapturedLogEvents.Value(made, "ActorId"), CapturedLogEvents.Value(made, "UserName"), CapturedLogEvents.Value(made, "Email"),
                CapturedLogEvents.Value(made, "Role"), CapturedLogEvents.Value(made, "KeyAccountManager")));
        var joined = Assert.Single(Audit("RolloutMemberAdded"), Of);
        Assert.Equal((adminId, rolloutId, "W11"),
            (CapturedLogEvents.Value(joined, "ActorId"), CapturedLogEvents.Value(joined, "RolloutId"), CapturedLogEvents.Value(joined, "RolloutIdentifier")));

        // PUT /api/users/{id}: taken off W11, made a key account manager, renamed.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/users/{userId}", new
        {
            displayName = "Audrey Auditor", isKeyAccountManager = true, rolloutIds = Array.Empty<int>(),
        })).StatusCode);

        var left = Assert.Single(Audit("RolloutMemberRemoved"), Of);
        Assert.Equal((adminId, rolloutId), (CapturedLogEvents.Value(left, "ActorId"), CapturedLogEvents.Value(left, "RolloutId")));
        var flag = Assert.Single(Audit("KeyAccountManagerChanged"), Of);
        Assert.Equal((adminId, false, true),
            (CapturedLogEvents.Value(flag, "ActorId"), CapturedLogEvents.Value(flag, "OldValue"), CapturedLogEvents.Value(flag, "NewValue")));
        var details = Assert.Single(Audit("UserDetailsChanged"), Of);
        Assert.Equal("name \"Audrey Audit\" → \"Audrey Auditor\"", CapturedLogEvents.Value(details, "Changes"));

        // The rollout's page adds and removes members one by one.
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/rollouts/{rolloutId}";
        string Id(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/members",
            new() { ["userId"] = Id(userId) }, page)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/members/{Id(userId)}/remove",
            [], page)).StatusCode);

        Assert.Equal(2, Audit("RolloutMemberAdded").Count(Of));
        Assert.Equal(2, Audit("RolloutMemberRemoved").Count(Of));
        Assert.Equal($"Audit: user {adminId} removed user {userId} (\"Audrey Auditor\") from rollout {rolloutId} (\"W11\")",
            Audit("RolloutMemberRemoved").Last(Of).RenderMessage());

        // Saving the user unchanged writes none.
        var events = factory.Logs.Events.Count(e => CapturedLogEvents.Category(e) == "Audit" && Of(e));
        await api.PutAsJsonAsync($"/api/users/{userId}", new { displayName = "Audrey Auditor", isKeyAccountManager = true });
        Assert.Equal(events, factory.Logs.Events.Count(e => CapturedLogEvents.Category(e) == "Audit" && Of(e)));
    }

    [Fact]
    public async Task ChangingAWorkflow_IsAnAuditEvent_WithTheNamesBeforeAndAfter_AndTheClientsItReached()
    {
        // QA: operations.md promised audit events for changes that rename data, but renaming or removing a status wrote none.
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var name = $"Audit flow {Guid.NewGuid():N}"[..20];
        var workflow = (await ApiTestClient.ReadAsync(await api.PostAsJsonAsync("/api/workflows",
            new { name, statuses = new[] { "Open", "Done" } }))).Id();
        var statuses = await DbAsync(db => db.WorkflowStatuses.Where(s => s.WorkflowId == workflow).OrderBy(s => s.Position)
            .Select(s => s.Id).ToListAsync());
        await factory.AddInventoryAsync($"Audit {Guid.NewGuid():N}"[..16], workflow, [],
            ($"AF-{Guid.NewGuid():N}"[..11], statuses[1], []), ($"AF-{Guid.NewGuid():N}"[..11], statuses[1], []));
        var admin = await factory.SignInAsync("admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var page = $"/settings/workflows/{workflow}";
        string Of(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/statuses/{Of(statuses[1])}",
            new() { ["statusName"] = "Finished" }, page)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/statuses",
            new() { ["statusName"] = "Parked" }, page)).StatusCode);
        var remove = $"{page}/statuses/{Of(statuses[1])}/remove";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, remove,
            new() { ["targetStatusId"] = Of(statuses[0]) }, remove)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, page,
            new() { ["name"] = name + " 2" }, page)).StatusCode);

        var renamed = Assert.Single(Audit("StatusRenamed"), e => Equals(CapturedLogEvents.Value(e, "WorkflowId"), workflow));
        Assert.Equal((adminId, statuses[1], name, "Done", "Finished", 2),
            (CapturedLogEvents.Value(renamed, "ActorId"), CapturedLogEvents.Value(renamed, "StatusId"),
                CapturedLogEvents.Value(renamed, "WorkflowName"), CapturedLogEvents.Value(renamed, "OldName"),
                CapturedLogEvents.Value(renamed, "NewName"), CapturedLogEvents.Value(renamed, "ClientCount")));
        var added = Assert.Single(Audit("StatusAdded"), e => Equals(CapturedLogEvents.Value(e, "WorkflowId"), workflow));
        Assert.Equal((adminId, "Parked"), (CapturedLogEvents.Value(added, "ActorId"), CapturedLogEvents.Value(added, "StatusName")));
        var removed = Assert.Single(Audit("StatusRemoved"), e => Equals(CapturedLogEvents.Value(e, "WorkflowId"), workflow));
        Assert.Equal((adminId, "Finished", 2, "Open"),
            (CapturedLogEvents.Value(removed, "ActorId"), CapturedLogEvents.Value(removed, "StatusName"),
                CapturedLogEvents.Value(removed, "ClientCount"), CapturedLogEvents.Value(removed, "MovedTo")));
        var workflowRenamed = Assert.Single(Audit("WorkflowRenamed"), e => Equals(CapturedLogEvents.Value(e, "WorkflowId"), workflow));
        Assert.Equal((name, name + " 2"),
            (CapturedLogEvents.Value(workflowRenamed, "OldName"), CapturedLogEvents.Value(workflowRenamed, "NewName")));
        Assert.Equal($"Audit: user {adminId} renamed status {statuses[1]} of workflow {workflow} (\"{name}\") from \"Done\" to \"Finished\", on 2 clients",
            renamed.RenderMessage());
    }

    [Fact]
    public async Task ChangingACustomFieldOrAddingOrRemovingAnOption_IsAnAuditEvent_WithBeforeAndAfter()
    {
        // QA: renaming an option was the only change of a field the audit log saw; a new pattern or required flag, a
        // renamed field or an option added or removed (what imports accept) left no trace.
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var fieldName = $"Shade {Guid.NewGuid():N}"[..16];
        var field = (await ApiTestClient.ReadAsync(await api.PostAsJsonAsync("/api/custom-fields",
            new { name = fieldName, type = "Selection", options = new[] { "Red", "Blue" } }))).Id();
        var blue = await DbAsync(db => db.CustomFieldOptions.Where(o => o.CustomFieldId == field && o.Name == "Blue").Select(o => o.Id).SingleAsync());
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/custom-fields/{field}";
        bool Of(LogEvent e) => Equals(CapturedLogEvents.Value(e, "FieldId"), field);

        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/options",
            new() { ["optionName"] = "Green" }, page)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin,
            $"{page}/options/{blue.ToString(System.Globalization.CultureInfo.InvariantCulture)}/remove", [], page)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, page, new()
        {
            ["Name"] = fieldName + " 2", ["Type"] = "Selection", ["Required"] = "true", ["ValidationRegex"] = "^[A-Z]",
        }, page)).StatusCode);

        var added = Assert.Single(Audit("OptionAdded"), Of);
        Assert.Equal((adminId, fieldName, "Green"),
            (CapturedLogEvents.Value(added, "ActorId"), CapturedLogEvents.Value(added, "FieldName"), CapturedLogEvents.Value(added, "OptionName")));
        var removed = Assert.Single(Audit("OptionRemoved"), Of);
        Assert.Equal((adminId, blue, "Blue"),
            (CapturedLogEvents.Value(removed, "ActorId"), CapturedLogEvents.Value(removed, "OptionId"), CapturedLogEvents.Value(removed, "OptionName")));
        var changed = Assert.Single(Audit("CustomFieldChanged"), Of);
        Assert.Equal((adminId, fieldName + " 2", $"name \"{fieldName}\" → \"{fieldName} 2\"; required no → yes; pattern (none) → \"^[A-Z]\""),
            (CapturedLogEvents.Value(changed, "ActorId"), CapturedLogEvents.Value(changed, "FieldName"), CapturedLogEvents.Value(changed, "Changes")));

        // Saving the field as it is writes none.
        await RolloutWebFactory.PostFormAsync(admin, page, new()
        {
            ["Name"] = fieldName + " 2", ["Type"] = "Selection", ["Required"] = "true", ["ValidationRegex"] = "^[A-Z]",
        }, page);
        Assert.Single(Audit("CustomFieldChanged"), Of);
    }

    [Fact]
    public async Task SavingAnImportsMapping_IsAnAuditEvent_NamingWhoSavedItLast()
    {
        // QA: who created, approved and reverted an import is kept, but not who decided what it writes.
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var import = (await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "mapped.csv",
            $"Name,Department\nMAP-{Guid.NewGuid().ToString("N")[..8]},IT\n"))).Id();
        bool Of(LogEvent e) => Equals(CapturedLogEvents.Value(e, "ImportId"), import);

        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{import}/mapping", new
        {
            updateExisting = true,
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" } },
        })).StatusCode);
        // Then the administrator saves another on the import's page.
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/rollouts/W11/imports/{import}";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, page + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name", ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "",
        }, page)).StatusCode);

        var saved = Audit("MappingSaved").Where(Of).ToList();
        Assert.Equal(2, saved.Count);
        Assert.Equal((await UserIdAsync("manager@demo.test"), laptops, rolloutId, 2, true, "WaitingForApproval"),
            (CapturedLogEvents.Value(saved[0], "ActorId"), CapturedLogEvents.Value(saved[0], "InventoryId"),
                CapturedLogEvents.Value(saved[0], "RolloutId"), CapturedLogEvents.Value(saved[0], "ColumnCount"),
                CapturedLogEvents.Value(saved[0], "UpdateExisting"), CapturedLogEvents.Value(saved[0], "Status")));
        Assert.Equal((await UserIdAsync("admin@demo.test"), 1, false),
            (CapturedLogEvents.Value(saved[1], "ActorId"), CapturedLogEvents.Value(saved[1], "ColumnCount"),
                CapturedLogEvents.Value(saved[1], "UpdateExisting")));
    }

    [Fact]
    public async Task RevertingAnImport_IsAnAuditEvent_WithTheClientsRemovedAndRestored()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        string kept = $"AUD-{Guid.NewGuid().ToString("N")[..8]}", made = $"AUD-{Guid.NewGuid().ToString("N")[..8]}";
        await ImportAsync(api, rolloutId, laptops, $"Name,Department\n{kept},IT\n", updateExisting: false);
        var importId = await ImportAsync(api, rolloutId, laptops, $"Name,Department\n{kept},HR\n{made},IT\n", updateExisting: true);

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/revert", null)).StatusCode);
        var reverted = await api.WaitForImportAsync(importId, i => i["revert"]?["running"]?.GetValue<bool>() != true, TimeSpan.FromMinutes(1));

        Assert.Equal("Reverted", reverted.Status());
        // The event is written once the revert has committed, so a moment after the API shows it Reverted.
        for (var waited = 0; waited < 100 && !Audit("ImportReverted").Any(e => Equals(CapturedLogEvents.Value(e, "ImportId"), importId)); waited++)
        {
            await Task.Delay(50);
        }

        var audit = Assert.Single(Audit("ImportReverted"), e => Equals(CapturedLogEvents.Value(e, "ImportId"), importId));
        Assert.Equal(await UserIdAsync("manager@demo.test"), CapturedLogEvents.Value(audit, "ActorId"));
        Assert.Equal((rolloutId, laptops), (CapturedLogEvents.Value(audit, "RolloutId"), CapturedLogEvents.Value(audit, "InventoryId")));
        Assert.Equal((1, 1), (CapturedLogEvents.Value(audit, "ClientsRemoved"), CapturedLogEvents.Value(audit, "ClientsRestored")));
    }

    /// <summary>Uploads <paramref name="csv"/> (Name, Department), approves it and waits until it is Completed.</summary>
    private static async Task<int> ImportAsync(HttpClient api, int rolloutId, int inventoryId, string csv, bool updateExisting)
    {
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, inventoryId, "audit.csv", csv));
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting,
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await api.WaitForResultAsync(import.Id())).Status());
        return import.Id();
    }

    private static string Of(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static (object? ActorId, object? A, object? B) Said(LogEvent e, string a, string b) =>
        (CapturedLogEvents.Value(e, "ActorId"), CapturedLogEvents.Value(e, a), CapturedLogEvents.Value(e, b));

    [Fact]
    public async Task CreatingAWorkflow_MovingAStatus_AndDuplicatingTheWorkflow_AreAuditEvents()
    {
        // QA: decision 0065 left creating, duplicating and reordering a workflow out of the audit log, though the first
        // status is the one an import gives a client whose Status cell is empty.
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var name = $"Made flow {Guid.NewGuid():N}"[..20];
        var workflow = (await ApiTestClient.ReadAsync(await api.PostAsJsonAsync("/api/workflows",
            new { name, statuses = new[] { "Open", "Done" } }))).Id();
        var done = await DbAsync(db => db.WorkflowStatuses.Where(s => s.WorkflowId == workflow && s.Name == "Done").Select(s => s.Id).SingleAsync());
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/workflows/{Of(workflow)}";
        bool OfWorkflow(LogEvent e) => Equals(CapturedLogEvents.Value(e, "WorkflowId"), workflow);

        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/statuses/{Of(done)}/up", [], page)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/duplicate",
            new() { ["name"] = name + " copy" }, page)).StatusCode);

        var created = Assert.Single(Audit("WorkflowCreated"), OfWorkflow);
        Assert.Equal((adminId, name), (CapturedLogEvents.Value(created, "ActorId"), CapturedLogEvents.Value(created, "WorkflowName")));
        Assert.Equal($"Audit: user {adminId} created workflow {workflow} (\"{name}\") with the statuses [\"Open\", \"Done\"]",
            created.RenderMessage());
        var moved = Assert.Single(Audit("StatusMoved"), OfWorkflow);
        Assert.Equal((adminId, done, "Done", 2, 1),
            (CapturedLogEvents.Value(moved, "ActorId"), CapturedLogEvents.Value(moved, "StatusId"), CapturedLogEvents.Value(moved, "StatusName"),
                CapturedLogEvents.Value(moved, "OldPosition"), CapturedLogEvents.Value(moved, "NewPosition")));
        var copy = await DbAsync(db => db.Workflows.Where(w => w.Name == name + " copy").Select(w => w.Id).SingleAsync());
        var duplicated = Assert.Single(Audit("WorkflowDuplicated"), OfWorkflow);
        Assert.Equal((adminId, copy, name + " copy"), Said(duplicated, "CopyId", "CopyName"));

        // Moving the first status up changes nothing and writes none.
        await RolloutWebFactory.PostFormAsync(admin, $"{page}/statuses/{Of(done)}/up", [], page);
        Assert.Single(Audit("StatusMoved"), OfWorkflow);
    }

    [Fact]
    public async Task CreatingACustomField_MovingAnOption_AndDuplicatingTheField_AreAuditEvents()
    {
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var fieldName = $"Tint {Guid.NewGuid():N}"[..16];
        var field = (await ApiTestClient.ReadAsync(await api.PostAsJsonAsync("/api/custom-fields",
            new { name = fieldName, type = "Selection", required = true, regex = "^[A-Z]", options = new[] { "Red", "Blue" } }))).Id();
        var blue = await DbAsync(db => db.CustomFieldOptions.Where(o => o.CustomFieldId == field && o.Name == "Blue").Select(o => o.Id).SingleAsync());
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/custom-fields/{Of(field)}";
        bool OfField(LogEvent e) => Equals(CapturedLogEvents.Value(e, "FieldId"), field);

        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/options/{Of(blue)}/up", [], page)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{page}/duplicate",
            new() { ["name"] = fieldName + " 2" }, page)).StatusCode);

        var created = Assert.Single(Audit("CustomFieldCreated"), OfField);
        Assert.Equal($"Audit: user {adminId} created custom field {field} (\"{fieldName}\") of type \"Selection\", required True, pattern \"^[A-Z]\", options [\"Red\", \"Blue\"]",
            created.RenderMessage());
        var moved = Assert.Single(Audit("OptionMoved"), OfField);
        Assert.Equal((adminId, blue, "Blue", 2, 1),
            (CapturedLogEvents.Value(moved, "ActorId"), CapturedLogEvents.Value(moved, "OptionId"), CapturedLogEvents.Value(moved, "OptionName"),
                CapturedLogEvents.Value(moved, "OldPosition"), CapturedLogEvents.Value(moved, "NewPosition")));
        var copy = await DbAsync(db => db.CustomFields.Where(f => f.Name == fieldName + " 2").Select(f => f.Id).SingleAsync());
        var duplicated = Assert.Single(Audit("CustomFieldDuplicated"), OfField);
        Assert.Equal((adminId, copy, fieldName + " 2"), Said(duplicated, "CopyId", "CopyName"));
    }

    [Fact]
    public async Task CreatingAndChangingARollout_AreAuditEvents_WithBeforeAndAfter()
    {
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var identifier = $"AU{Guid.NewGuid():N}"[..8].ToUpperInvariant();
        var rollout = (await ApiTestClient.ReadAsync(await api.PostAsJsonAsync("/api/rollouts",
            new { name = "Audit rollout", identifier }))).Id();
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/rollouts/{Of(rollout)}";
        bool OfRollout(LogEvent e) => Equals(CapturedLogEvents.Value(e, "RolloutId"), rollout);
        var form = new Dictionary<string, string> { ["Name"] = "Audit rollout 2", ["Identifier"] = identifier + "X", ["ClientLimit"] = "50" };

        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, page, form, page)).StatusCode);
        // Saved again as it is: no event.
        await RolloutWebFactory.PostFormAsync(admin, page, form, page);

        var created = Assert.Single(Audit("RolloutCreated"), OfRollout);
        Assert.Equal((adminId, identifier, "Audit rollout"), Said(created, "RolloutIdentifier", "RolloutName"));
        Assert.Null(CapturedLogEvents.Value(created, "ClientLimit"));
        var changed = Assert.Single(Audit("RolloutChanged"), OfRollout);
        Assert.Equal((adminId, identifier + "X",
                $"name \"Audit rollout\" → \"Audit rollout 2\"; identifier \"{identifier}\" → \"{identifier}X\"; client limit (none) → 50"),
            Said(changed, "RolloutIdentifier", "Changes"));
    }

    [Fact]
    public async Task CreatingAndChangingALinkType_AreAuditEvents_WithBeforeAndAfter()
    {
        var adminId = await UserIdAsync("admin@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");
        var outward = $"feeds {Guid.NewGuid():N}"[..14];
        const string list = "/settings/link-types";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{list}/new",
            new() { ["OutwardName"] = outward, ["InwardName"] = "is fed by" }, $"{list}/new")).StatusCode);
        var (type, location) = await DbAsync(async db => (await db.ClientLinkTypes.Where(t => t.OutwardName == outward).Select(t => t.Id).SingleAsync(),
            await db.CustomFields.Where(f => f.Name == "Location").Select(f => f.Id).SingleAsync()));
        var page = $"{list}/{Of(type)}";
        bool OfType(LogEvent e) => Equals(CapturedLogEvents.Value(e, "LinkTypeId"), type);

        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, page, new()
        {
            ["OutwardName"] = outward, ["InwardName"] = "is supplied by", ["IsAdvanced"] = "true", ["SharedFieldIds"] = Of(location),
        }, page)).StatusCode);

        var created = Assert.Single(Audit("LinkTypeCreated"), OfType);
        Assert.Equal($"Audit: user {adminId} created link type {type} (\"{outward}\" / \"is fed by\"), advanced False, sharing []",
            created.RenderMessage());
        var changed = Assert.Single(Audit("LinkTypeChanged"), OfType);
        Assert.Equal((adminId, outward, "inward name \"is fed by\" → \"is supplied by\"; advanced no → yes; shared fields (none) → \"Location\""),
            Said(changed, "OutwardName", "Changes"));
    }

    [Fact]
    public async Task DeletingALinkType_IsAnAuditEvent_ARefusedDeletionIsNone()
    {
        var adminId = await UserIdAsync("admin@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var outward = $"trails {Guid.NewGuid():N}"[..15];
        const string list = "/settings/link-types";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, $"{list}/new",
            new() { ["OutwardName"] = outward, ["InwardName"] = "is trailed by" }, $"{list}/new")).StatusCode);
        var (type, replaces) = await DbAsync(async db => (await db.ClientLinkTypes.Where(t => t.OutwardName == outward).Select(t => t.Id).SingleAsync(),
            await db.ClientLinkTypes.Where(t => t.OutwardName == "replaces").Select(t => t.Id).SingleAsync()));

        // The demo's "replaces" links two laptops: refused, no event.
        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync($"/api/link-types/{Of(replaces)}")).StatusCode);
        var path = $"{list}/{Of(type)}/delete";
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(admin, path, new(), path)).StatusCode);

        Assert.DoesNotContain(Audit("LinkTypeDeleted"), e => Equals(CapturedLogEvents.Value(e, "LinkTypeId"), replaces));
        var deleted = Assert.Single(Audit("LinkTypeDeleted"), e => Equals(CapturedLogEvents.Value(e, "LinkTypeId"), type));
        Assert.Equal($"Audit: user {Of(adminId)} deleted link type {Of(type)} (\"{outward}\" / \"is trailed by\"), advanced False, sharing []",
            deleted.RenderMessage());
        Assert.Equal(adminId, CapturedLogEvents.Value(deleted, "ActorId"));
    }

    [Fact]
    public async Task DuplicatingAnInventory_IsAnAuditEvent()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var monitors = await api.InventoryIdAsync(rolloutId, "Monitors");
        var manager = await factory.SignInAsync("manager@demo.test");
        var name = $"Screens {Guid.NewGuid():N}"[..16];
        var path = $"/rollouts/W11/inventories/{Of(monitors)}/duplicate";

        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(manager, path, new() { ["name"] = name }, path)).StatusCode);

        var copy = await DbAsync(db => db.Inventories.Where(i => i.Name == name).Select(i => i.Id).SingleAsync());
        var duplicated = Assert.Single(Audit("InventoryDuplicated"), e => Equals(CapturedLogEvents.Value(e, "CopyId"), copy));
        Assert.Equal((await UserIdAsync("manager@demo.test"), monitors, "Monitors"), Said(duplicated, "InventoryId", "InventoryName"));
        Assert.Equal((rolloutId, name), (CapturedLogEvents.Value(duplicated, "RolloutId"), CapturedLogEvents.Value(duplicated, "CopyName")));
    }

    [Fact]
    public async Task CreatingAndEditingAnInventory_AreAuditEvents_WithBeforeAndAfter_ASaveWithoutChangeIsNone()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var managerId = await UserIdAsync("manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var (workflow, location, serial, department) = await DbAsync(async db => (
            await db.Workflows.Where(w => w.Name == "Device rollout").Select(w => w.Id).SingleAsync(),
            await db.CustomFields.Where(f => f.Name == "Location").Select(f => f.Id).SingleAsync(),
            await db.CustomFields.Where(f => f.Name == "Serial number").Select(f => f.Id).SingleAsync(),
            await db.CustomFields.Where(f => f.Name == "Department").Select(f => f.Id).SingleAsync()));
        var manager = await factory.SignInAsync("manager@demo.test");
        var name = $"Docks {Guid.NewGuid():N}"[..14];
        Dictionary<string, string> Form(string inventoryName, params int[] fields)
        {
            var form = new Dictionary<string, string> { ["Name"] = inventoryName, ["WorkflowId"] = Of(workflow) };
            for (var i = 0; i < fields.Length; i++)
            {
                form[$"Fields[{Of(i)}].Id"] = Of(fields[i]);
                form[$"Fields[{Of(i)}].Selected"] = "true";
                form[$"Fields[{Of(i)}].Position"] = Of(i + 1);
            }

            return form;
        }

        // Created on the page, then edited: renamed, a field added and the order changed; saved again as it is.
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
            Form(name, serial, location), "/rollouts/W11/inventories/new")).StatusCode);
        var inventory = await DbAsync(db => db.Inventories.Where(i => i.Name == name).Select(i => i.Id).SingleAsync());
        var edit = $"/rollouts/W11/inventories/{Of(inventory)}/edit";
        Assert.Equal(HttpStatusCode.Redirect,
            (await RolloutWebFactory.PostFormAsync(manager, edit, Form(name + " 2", location, serial, department), edit)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect,
            (await RolloutWebFactory.PostFormAsync(manager, edit, Form(name + " 2", location, serial, department), edit)).StatusCode);
        // Created through the API.
        var created = await api.PostAsJsonAsync($"/api/rollouts/{Of(rolloutId)}/inventories",
            new { name = name + " api", workflowId = workflow, customFieldIds = Array.Empty<int>() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fromApi = await DbAsync(db => db.Inventories.Where(i => i.Name == name + " api").Select(i => i.Id).SingleAsync());

        bool OfInventory(LogEvent e) => Equals(CapturedLogEvents.Value(e, "InventoryId"), inventory);
        var made = Assert.Single(Audit("InventoryCreated"), OfInventory);
        Assert.Equal($"Audit: user {Of(managerId)} created inventory {Of(inventory)} (\"{name}\") in rollout {Of(rolloutId)} with the workflow " +
                     "\"Device rollout\" and the custom fields [\"Serial number\", \"Location\"]", made.RenderMessage());
        var changed = Assert.Single(Audit("InventoryChanged"), OfInventory);
        Assert.Equal((managerId, name + " 2",
                $"name \"{name}\" → \"{name} 2\"; custom fields \"Serial number\", \"Location\" → \"Location\", \"Serial number\", \"Department\""),
            Said(changed, "InventoryName", "Changes"));
        Assert.Equal(rolloutId, CapturedLogEvents.Value(changed, "RolloutId"));
        var apiMade = Assert.Single(Audit("InventoryCreated"), e => Equals(CapturedLogEvents.Value(e, "InventoryId"), fromApi));
        Assert.Equal((managerId, name + " api", "Device rollout"), Said(apiMade, "InventoryName", "WorkflowName"));
        // A duplicate is its own event, not a creation.
        var duplicate = $"/rollouts/W11/inventories/{Of(inventory)}/duplicate";
        Assert.Equal(HttpStatusCode.Redirect,
            (await RolloutWebFactory.PostFormAsync(manager, duplicate, new() { ["name"] = name + " copy" }, duplicate)).StatusCode);
        var copy = await DbAsync(db => db.Inventories.Where(i => i.Name == name + " copy").Select(i => i.Id).SingleAsync());
        Assert.DoesNotContain(Audit("InventoryCreated"), e => Equals(CapturedLogEvents.Value(e, "InventoryId"), copy));
        Assert.Single(Audit("InventoryDuplicated"), e => Equals(CapturedLogEvents.Value(e, "CopyId"), copy));
    }

    [Fact]
    public async Task AnInvitationOrPasswordResetLink_IsAnAuditEvent_ThatNeverHoldsItsToken()
    {
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var adminId = await UserIdAsync("admin@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        async Task<(int Id, string? Url)> CreateAsync(string? password)
        {
            var email = $"link-{Guid.NewGuid():N}"[..13] + "@demo.test";
            var created = await ApiTestClient.ReadAsync(await api.PostAsJsonAsync("/api/users", new
            {
                displayName = "Linda Link", email, userCode = $"LL-{Guid.NewGuid():N}"[..11], role = "Technician", password,
                rolloutIds = new[] { rolloutId },
            }));
            return (created.Id(), created["invitationUrl"]?.GetValue<string>());
        }

        var (invited, firstUrl) = await CreateAsync(null);
        var again = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/users/{Of(invited)}/invitation", null));
        var (withPassword, _) = await CreateAsync("Link!2026x");
        var reset = await ApiTestClient.ReadAsync(await api.PostAsync($"/api/users/{Of(withPassword)}/invitation", null));

        var invitations = Audit("InvitationLinkCreated").Where(e => Equals(CapturedLogEvents.Value(e, "UserId"), invited)).ToList();
        Assert.Equal(2, invitations.Count);
        Assert.All(invitations, e => Assert.Equal((adminId, "Linda Link"), (CapturedLogEvents.Value(e, "ActorId"), CapturedLogEvents.Value(e, "UserName"))));
        var resetEvent = Assert.Single(Audit("PasswordResetLinkCreated"), e => Equals(CapturedLogEvents.Value(e, "UserId"), withPassword));
        Assert.Equal(adminId, CapturedLogEvents.Value(resetEvent, "ActorId"));
        Assert.DoesNotContain(Audit("InvitationLinkCreated"), e => Equals(CapturedLogEvents.Value(e, "UserId"), withPassword));

        // The token opens the user's account: no line of the log holds it, escaped or not.
        var tokens = new[] { firstUrl, again["invitationUrl"]?.GetValue<string>(), reset["invitationUrl"]?.GetValue<string>() }
            .Select(url => Assert.IsType<string>(url).Split("token=")[1])
            .SelectMany(t => new[] { t, Uri.UnescapeDataString(t) }).ToList();
        var lines = factory.Logs.Events.Select(e => e.RenderMessage() + string.Join(" ", e.Properties.Values)).Concat(LogFileLines()).ToList();
        Assert.All(tokens, token => Assert.DoesNotContain(lines, l => l.Contains(token, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ChangingAnImportsFileSettings_IsAnAuditEvent_WithBeforeAndAfter()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var import = (await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "colon.csv",
            $"Name:Department\nFS-{Guid.NewGuid().ToString("N")[..8]}:IT\n"))).Id();
        bool OfImport(LogEvent e) => Equals(CapturedLogEvents.Value(e, "ImportId"), import);

        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{Of(import)}/parse-options",
            new { headerRow = 1, delimiter = ":" })).StatusCode);
        // The same settings again change nothing: no second event.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{Of(import)}/parse-options",
            new { headerRow = 1, delimiter = ":" })).StatusCode);

        var saved = Assert.Single(Audit("FileSettingsSaved"), OfImport);
        Assert.Equal((await UserIdAsync("manager@demo.test"), laptops, rolloutId),
            (CapturedLogEvents.Value(saved, "ActorId"), CapturedLogEvents.Value(saved, "InventoryId"), CapturedLogEvents.Value(saved, "RolloutId")));
        Assert.Matches("^delimiter (\".\"|\\(none\\)) → \":\"$", Assert.IsType<string>(CapturedLogEvents.Value(saved, "Changes")));
        Assert.Equal((1, "WaitingForApproval"), (CapturedLogEvents.Value(saved, "RowCount"), CapturedLogEvents.Value(saved, "Status")));
    }

    [Fact]
    public async Task AnInterruptedImportTakenUpAgain_IsLogged_WithItsLeaseTimeWrittenYearFirst()
    {
        // QA: "lease until 12/05/2026 14:03:11 +00:00" read month-first; every other time in the logs is year-first.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var name = $"LEASE-{Guid.NewGuid().ToString("N")[..8]}";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "lease.csv", $"Name,Department\n{name},IT\n"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, import.Id(), await UserIdAsync("manager@demo.test"));
        }

        var expired = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await DbAsync(db => db.Imports.Where(i => i.Id == import.Id())
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseExpiresAt, expired)));

        await factory.Services.GetRequiredService<ImportRecovery>().ResumeAsync(startingUp: false, CancellationToken.None);

        var taken = Assert.Single(factory.Logs.Events, e =>
            Equals(CapturedLogEvents.Value(e, "ImportId"), import.Id()) &&
            e.MessageTemplate.Text.Contains("with no run", StringComparison.Ordinal));
        Assert.Contains("(lease until 2026-01-02 03:04:05Z)", taken.RenderMessage(), StringComparison.Ordinal);
    }
}
