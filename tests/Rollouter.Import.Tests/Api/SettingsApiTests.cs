using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>The settings calls of the API: users, custom fields, workflows, rollouts and members, with the pages' rules.</summary>
public abstract class SettingsApiTests(RolloutWebFactory factory)
{
    private static async Task<(HttpStatusCode Status, string Error)> ErrorAsync(HttpResponseMessage response) =>
        (response.StatusCode, (await ApiTestClient.ReadAsync(response))["error"]!.GetValue<string>());

    [Fact]
    public async Task Users_CreateWithPasswordOrInvitation_AndList()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");

        var withPassword = await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Anna", email = "api.anna@example.test", userCode = "U-8001", role = "Technician",
            password = "Str0ng!Password", rolloutIds = new[] { w11 },
        });
        var invited = await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Ben", email = "api.ben@example.test", userCode = "U-8002", role = "ServiceDesk", isKeyAccountManager = true,
            rolloutIds = new[] { w11 },
        });

        Assert.Equal(HttpStatusCode.Created, withPassword.StatusCode);
        var anna = await ApiTestClient.ReadAsync(withPassword);
        Assert.Equal(("U-8001", "Technician", true), (anna["userCode"]!.GetValue<string>(), anna["role"]!.GetValue<string>(), anna["isActive"]!.GetValue<bool>()));
        Assert.Equal(["W11"], anna["rollouts"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Null(anna["invitationUrl"]);
        await ApiTestClient.LoginAsync(factory, "api.anna@example.test", "Str0ng!Password");
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var ben = await ApiTestClient.ReadAsync(invited);
        Assert.StartsWith("http://localhost/account/invitation?user=", ben["invitationUrl"]!.GetValue<string>());
        Assert.True(ben["isKeyAccountManager"]!.GetValue<bool>());
        var page = await factory.CreateBrowser().GetStringAsync(new Uri(ben["invitationUrl"]!.GetValue<string>()).PathAndQuery);
        Assert.Contains("api.ben@example.test", page);

        var list = (await manager.GetJsonAsync("/api/users")).AsArray();
        Assert.Contains(list, u => u!["userCode"]!.GetValue<string>() == "U-8002" && u["role"]!.GetValue<string>() == "ServiceDesk");
        Assert.DoesNotContain(list, u => u!.AsObject().ContainsKey("invitationUrl"));
        // An administrator does not exist for a rollout manager (docs/decisions/0018).
        Assert.DoesNotContain(list, u => u!["email"]!.GetValue<string>() == "admin@demo.test");
    }

    [Fact]
    public async Task ABodyTheApiCannotRead_IsAClearErrorNamingTheField()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var unknownRole = await ErrorAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Boss", email = "api.boss@example.test", userCode = "U-8009", role = "Boss", password = "Str0ng!Password",
        }));
        var wrongType = await ErrorAsync(await manager.PostAsJsonAsync("/api/workflows", new { name = 42, statuses = new[] { "New" } }));
        using var notJson = new StringContent("{ this is not json", System.Text.Encoding.UTF8, "application/json");
        var broken = await ErrorAsync(await manager.PostAsync("/api/workflows", notJson));

        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.Status);
        Assert.Equal("The request body is not valid: role: \"Role\" takes one of: ClientUser, ServiceDesk, Technician, RolloutManager, Administrator.",
            unknownRole.Error);
        Assert.Equal((HttpStatusCode.BadRequest, "The request body is not valid: name: expected text."), wrongType);
        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.StartsWith("The request body is not valid: ", broken.Error);
        Assert.DoesNotContain("request field", broken.Error);
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "api.boss@example.test")));
    }

    [Fact]
    public async Task Users_Refusals_AreClearErrors()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");

        var admin = await ErrorAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Boss", email = "api.boss@example.test", userCode = "U-8003", role = "Administrator", password = "Str0ng!Password",
            rolloutIds = new[] { w11 },
        }));
        var duplicate = await ErrorAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Copy", email = "api.copy@example.test", userCode = "u-0002", rolloutIds = new[] { w11 },
        }));
        var adminsCode = await ErrorAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Copy", email = "api.copy@example.test", userCode = "u-0001", rolloutIds = new[] { w11 },
        }));
        var weak = await ErrorAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Weak", email = "api.weak@example.test", userCode = "U-8004", password = "weak", rolloutIds = new[] { w11 },
        }));
        var missing = await ErrorAsync(await manager.PostAsJsonAsync("/api/users", new { email = "not-an-email" }));
        var forbidden = await ErrorAsync(await technician.GetAsync("/api/users"));
        var forbiddenCreate = await ErrorAsync(await technician.PostAsJsonAsync("/api/users", new
        {
            displayName = "Api Tech", email = "api.tech@example.test", userCode = "U-8005",
        }));

        Assert.Equal((HttpStatusCode.Forbidden, "Only administrators make someone an Administrator."), admin);
        // The holder is named to whoever may see them; an administrator does not exist for a rollout manager.
        Assert.Equal((HttpStatusCode.Conflict,
            "Max Manager (manager@demo.test) already has the user ID \"u-0002\": choose another, or change theirs first on their page (Settings → Users)."), duplicate);
        Assert.Equal((HttpStatusCode.Conflict, "Another user already has the user ID \"u-0001\"."), adminsCode);
        Assert.Equal(HttpStatusCode.BadRequest, weak.Status);
        Assert.Contains("Passwords must be at least 8 characters.", weak.Error);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Contains("Enter the user's name.", missing.Error);
        Assert.Contains("Enter a valid email address.", missing.Error);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenCreate.Status);
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email!.StartsWith("api.") && u.UserCode != "U-8001" && u.UserCode != "U-8002")));
    }

    /// <summary>
    /// QA: a blank name with an email another user has was a 409 ("Enter the user's name. Another user already has the
    /// email address …"), so a script reading 409 as "taken" missed that the request itself was wrong. A request that
    /// breaks a rule is a 400, whatever else it runs into; the message still names both.
    /// </summary>
    [Fact]
    public async Task Users_ABlankNameAndATakenEmail_IsA400_NamingBoth()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");

        var response = await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "   ", email = "technician@demo.test", userCode = "U-B" + Guid.NewGuid().ToString("N")[..8],
            role = "Technician", rolloutIds = new[] { w11 },
        });
        var body = await ApiTestClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Enter the user's name.", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Another user already has the email address technician@demo.test.", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_TooLongValues_AreRefusedWithThePagesMessages_NothingStored()
    {
        // Security QA 2: the API skipped the form's length checks: a 2,000,000-character name was stored on SQLite (the
        // users page then weighed 2 MB), and on PostgreSQL a 300-character one was told "Someone else changed the same
        // settings…" (22001 value too long).
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");
        var tag = Guid.NewGuid().ToString("N")[..8];
        async Task<(HttpStatusCode Status, string Error, string? Field)> RefusalAsync(HttpResponseMessage response)
        {
            var body = await ApiTestClient.ReadAsync(response);
            return (response.StatusCode, body["error"]!.GetValue<string>(), body["field"]?.GetValue<string>());
        }

        var name = await RefusalAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = new string('n', 2_000_000), email = $"long.{tag}@example.test", userCode = "U-L" + tag, rolloutIds = new[] { w11 },
        }));
        var shortName = await RefusalAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = new string('n', 300), email = $"long.{tag}@example.test", userCode = "U-L" + tag, rolloutIds = new[] { w11 },
        }));
        var email = await RefusalAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Long Mail", email = new string('m', 290) + "@example.test", userCode = "U-L" + tag, rolloutIds = new[] { w11 },
        }));
        var code = await RefusalAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Long Code", email = $"long.{tag}@example.test", userCode = new string('U', 5_000), rolloutIds = new[] { w11 },
        }));

        Assert.Equal((HttpStatusCode.BadRequest, "The name can have at most 200 characters.", "displayName"), name);
        Assert.Equal((HttpStatusCode.BadRequest, "The name can have at most 200 characters.", "displayName"), shortName);
        Assert.Equal((HttpStatusCode.BadRequest, "The email address can have at most 256 characters.", "email"), email);
        Assert.Equal((HttpStatusCode.BadRequest, "The user ID can have at most 50 characters.", "userCode"), code);
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.DisplayName.Length > 200 || u.UserCode.Length > 50)));

        // The same for a change.
        var created = await ApiTestClient.ReadAsync(await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Short " + tag, email = $"short.{tag}@example.test", userCode = "U-S" + tag, rolloutIds = new[] { w11 },
        }));
        var renamed = await RefusalAsync(await manager.PutAsJsonAsync($"/api/users/{created.Id()}", new { displayName = new string('n', 201) }));
        Assert.Equal((HttpStatusCode.BadRequest, "The name can have at most 200 characters.", "displayName"), renamed);
        Assert.Equal("Short " + tag, (await manager.GetJsonAsync($"/api/users/{created.Id()}"))["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task CustomFields_CreateAndList_WithRefusals()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var created = await manager.PostAsJsonAsync("/api/custom-fields", new
        {
            name = "Api Colour", description = "Paint", type = "MultiSelection", required = true, regex = "^[A-Z][a-z]+$",
            options = new[] { "Red", "Blue" },
        });
        var badRegex = await ErrorAsync(await manager.PostAsJsonAsync("/api/custom-fields", new { name = "Api Bad", type = "Input", regex = "[" }));
        var backtracking = await ErrorAsync(await manager.PostAsJsonAsync("/api/custom-fields", new { name = "Api Slow", type = "Input", regex = @"^(a|aa)\1$" }));
        var duplicate = await ErrorAsync(await manager.PostAsJsonAsync("/api/custom-fields", new { name = "MODEL", type = "Input" }));
        var noType = await ErrorAsync(await manager.PostAsJsonAsync("/api/custom-fields", new { name = "Api Typeless" }));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var field = await ApiTestClient.ReadAsync(created);
        Assert.Equal("MultiSelection", field["type"]!.GetValue<string>());
        Assert.Equal(["Red", "Blue"], field["options"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, badRegex.Status);
        Assert.StartsWith("The pattern is not a valid regular expression: Invalid pattern '[' at offset 1.", badRegex.Error);
        Assert.Equal(HttpStatusCode.BadRequest, backtracking.Status);
        Assert.StartsWith("The pattern needs backtracking, which can make checking one value take very long: backreference", backtracking.Error);
        Assert.Equal((HttpStatusCode.Conflict, "Another custom field is already named \"MODEL\"."), duplicate);
        Assert.Equal(HttpStatusCode.BadRequest, noType.Status);
        var list = (await manager.GetJsonAsync("/api/custom-fields")).AsArray();
        var colour = list.Single(f => f!["name"]!.GetValue<string>() == "Api Colour")!;
        Assert.Equal(("Paint", true, "^[A-Z][a-z]+$"), (colour["description"]!.GetValue<string>(), colour["required"]!.GetValue<bool>(), colour["regex"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Workflows_CreateWithStatuses_AndList()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var created = await manager.PostAsJsonAsync("/api/workflows", new { name = "Api flow", statuses = new[] { "Todo", "Doing", "Done" } });
        var empty = await ErrorAsync(await manager.PostAsJsonAsync("/api/workflows", new { name = "Api empty", statuses = Array.Empty<string>() }));
        var twice = await ErrorAsync(await manager.PostAsJsonAsync("/api/workflows", new { name = "Api twice", statuses = new[] { "A", "a" } }));
        var taken = await ErrorAsync(await manager.PostAsJsonAsync("/api/workflows", new { name = "Api flow", statuses = new[] { "A" } }));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["Todo", "Doing", "Done"], (await ApiTestClient.ReadAsync(created))["statuses"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal(HttpStatusCode.Conflict, twice.Status);
        Assert.Equal((HttpStatusCode.Conflict, "Another workflow is already named \"Api flow\"."), taken);
        var list = (await manager.GetJsonAsync("/api/workflows")).AsArray();
        Assert.Contains(list, w => w!["name"]!.GetValue<string>() == "Device rollout");
        Assert.Contains(list, w => w!["name"]!.GetValue<string>() == "Api flow");
    }

    [Fact]
    public async Task ANulCharacterInANameSent_IsStoredWithoutIt_NotAServerError()
    {
        // PostgreSQL refuses a NUL in a text: the workflow was a 500, the rollout a misleading 409.
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");

        var workflow = await admin.PostAsJsonAsync("/api/workflows", new { name = "Nul\u0000 flow", statuses = new[] { "To\u0000do" } });
        var rollout = await admin.PostAsJsonAsync("/api/rollouts", new { name = "Nul\u0000 rollout", identifier = "NUL1" });

        Assert.Equal(HttpStatusCode.Created, workflow.StatusCode);
        Assert.Equal(HttpStatusCode.Created, rollout.StatusCode);
        Assert.Equal(["Todo"], await factory.WithDbAsync(db => db.WorkflowStatuses
            .Where(s => s.Workflow.Name == "Nul flow").Select(s => s.Name).ToListAsync()));
        Assert.Equal("Nul rollout", await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "NUL1").Select(r => r.Name).SingleAsync()));
    }

    [Fact]
    public async Task Rollouts_CreatedByAdministrators_MembersAddedByAdministratorsAndMemberManagers()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var technicianId = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == "technician@demo.test").Select(u => u.Id).SingleAsync());
        var managerId = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync());

        var refused = await ErrorAsync(await manager.PostAsJsonAsync("/api/rollouts", new { name = "Api rollout", identifier = "API1" }));
        var created = await admin.PostAsJsonAsync("/api/rollouts", new { name = "Api rollout", identifier = "API1", clientLimit = 10 });
        var duplicate = await ErrorAsync(await admin.PostAsJsonAsync("/api/rollouts", new { name = "Again", identifier = "api1" }));
        var invalid = await ErrorAsync(await admin.PostAsJsonAsync("/api/rollouts", new { name = "Bad", identifier = "a b", clientLimit = -1 }));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rollout = await ApiTestClient.ReadAsync(created);
        var id = rollout.Id();
        Assert.Equal(10, rollout["clientLimit"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("The identifier is 1 to 32 letters", invalid.Error);
        Assert.Contains("The client limit is a whole number", invalid.Error);

        // The manager is not a member yet: the rollout does not exist for them.
        Assert.Equal(HttpStatusCode.NotFound, (await manager.PostAsJsonAsync($"/api/rollouts/{id}/members", new { userId = technicianId })).StatusCode);
        var added = await admin.PostAsJsonAsync($"/api/rollouts/{id}/members", new { userId = managerId });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var byManager = await manager.PostAsJsonAsync($"/api/rollouts/{id}/members", new { userId = technicianId });
        Assert.Equal(HttpStatusCode.OK, byManager.StatusCode);
        var members = (await ApiTestClient.ReadAsync(byManager)).AsArray().Select(m => m!["displayName"]!.GetValue<string>());
        Assert.Equal(["Max Manager", "Tina Technician"], members);
        var unknown = await ErrorAsync(await admin.PostAsJsonAsync($"/api/rollouts/{id}/members", new { userId = 999999 }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.PostAsJsonAsync($"/api/rollouts/{id}/members", new { userId = technicianId })).StatusCode);
        Assert.Contains("API1", (await technician.GetStringAsync("/api/rollouts")));
    }

    /// <summary>
    /// Each 201's Location answers 200 with the object created (QA followed them: custom fields, workflows and rollouts
    /// had no such address, 404); the reading keeps the rules of the lists: settings for rollout managers and higher,
    /// a rollout for its members only.
    /// </summary>
    [Fact]
    public async Task EachCreationsLocation_AnswersTheCreatedObject_UnderTheListsRules()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var unique = Guid.NewGuid().ToString("N")[..8];

        var field = await manager.PostAsJsonAsync("/api/custom-fields", new
        {
            name = $"Api located {unique}", description = "Where", type = "Selection", required = true, options = new[] { "Here", "There" },
        });
        var workflow = await manager.PostAsJsonAsync("/api/workflows", new { name = $"Api located flow {unique}", statuses = new[] { "One", "Two" } });
        var rollout = await admin.PostAsJsonAsync("/api/rollouts", new { name = $"Api located {unique}", identifier = $"LOC{unique}", clientLimit = 7 });

        foreach (var (created, reader) in new[] { (field, manager), (workflow, manager), (rollout, admin) })
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var location = created.Headers.Location ?? throw new InvalidOperationException("No Location header");
            var read = await reader.GetAsync(location);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"GET {location}: {(int)read.StatusCode} {await read.Content.ReadAsStringAsync()}");
            Assert.Equal((await ApiTestClient.ReadAsync(created)).ToJsonString(), (await ApiTestClient.ReadAsync(read)).ToJsonString());
        }

        var rolloutAddress = rollout.Headers.Location!.ToString();
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync(field.Headers.Location)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync(workflow.Headers.Location)).StatusCode);
        // A read refused says what the role may not do: see settings (not only change them).
        using (var refusedRead = await technician.GetAsync(field.Headers.Location))
        {
            var detail = System.Text.Json.Nodes.JsonNode.Parse(await refusedRead.Content.ReadAsStringAsync())?["detail"]?.GetValue<string>();
            Assert.Equal("Only rollout managers and administrators see and change settings.", detail);
        }
        Assert.Equal((HttpStatusCode.NotFound, "Custom field 987654 does not exist."), await ErrorAsync(await manager.GetAsync("/api/custom-fields/987654")));
        Assert.Equal((HttpStatusCode.NotFound, "Workflow 987654 does not exist."), await ErrorAsync(await manager.GetAsync("/api/workflows/987654")));
        // Another rollout does not exist for a manager who is not its member; once a member, it does, with its limit.
        var rolloutId = (await ApiTestClient.ReadAsync(await admin.GetAsync(rolloutAddress))).Id();
        Assert.Equal((HttpStatusCode.NotFound, $"Rollout {rolloutId} does not exist."), await ErrorAsync(await manager.GetAsync(rolloutAddress)));
        var otherId = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == DemoSeederIds.Other).Select(r => r.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/rollouts/{otherId}")).StatusCode);
        var w11 = await manager.GetJsonAsync($"/api/rollouts/{await manager.RolloutIdAsync("W11")}");
        Assert.Equal("W11", w11["identifier"]!.GetValue<string>());
        Assert.True(w11.AsObject().ContainsKey("clientLimit"));
        var w11ForTechnician = await technician.GetJsonAsync($"/api/rollouts/{w11.Id()}");
        Assert.Equal(w11.ToJsonString(), w11ForTechnician.ToJsonString());
    }

    [Fact]
    public async Task LoweringARole_CountsOnlyTheClientsOfRolloutsTheCallerSees()
    {
        // Security QA 1: a rollout manager lowering a user's role was told how many clients that user held in a rollout
        // the manager cannot see ("They stay assignee of 3 clients: …"), counted across the installation.
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");
        var code = "U-" + Guid.NewGuid().ToString("N")[..8];
        var created = await ApiTestClient.ReadAsync(await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = "Hidden Holder", email = code.ToLowerInvariant() + "@example.test", userCode = code, role = "Technician",
            password = "Str0ng!Password", rolloutIds = new[] { w11 },
        }));
        var userId = created.Id();
        var hidden = "H" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await factory.WithDbAsync(async db =>
        {
            var workflow = await db.Workflows.Include(w => w.Statuses).OrderBy(w => w.Id).FirstAsync();
            var adminId = await db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync();
            var rollout = new Rollout
            {
                Name = "Hidden " + hidden, Identifier = hidden, CreatedAt = DateTimeOffset.UtcNow,
                Members = [new RolloutMember { UserId = adminId }, new RolloutMember { UserId = userId }],
            };
            var inventory = new Inventory { Name = "Racks", Rollout = rollout, Workflow = workflow, CreatedAt = DateTimeOffset.UtcNow };
            db.Inventories.Add(inventory);
            await db.SaveChangesAsync();
            db.Clients.AddRange(Enumerable.Range(1, 3).Select(i => new Client
            {
                RolloutId = rollout.Id, InventoryId = inventory.Id, Name = $"{hidden}-{i}", StatusId = workflow.Statuses[0].Id,
                AssigneeId = userId, CreatedAt = DateTimeOffset.UtcNow, CreatedById = adminId, UpdatedAt = DateTimeOffset.UtcNow,
            }));
            await db.SaveChangesAsync();
            return rollout.Id;
        });
        // The administrator takes them out of the hidden rollout: every rollout left is the manager's.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{userId}", new { rolloutIds = new[] { w11 } })).StatusCode);

        var byManager = await manager.PutAsJsonAsync($"/api/users/{userId}", new { role = "ServiceDesk" });
        var managerSaw = await ApiTestClient.ReadAsync(byManager);
        Assert.Equal(HttpStatusCode.OK, byManager.StatusCode);
        Assert.Equal("ServiceDesk", managerSaw["role"]!.GetValue<string>());
        Assert.Null(managerSaw["notice"]);

        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync($"/api/users/{userId}", new { role = "Technician" })).StatusCode);
        var adminSaw = await ApiTestClient.ReadAsync(await admin.PutAsJsonAsync($"/api/users/{userId}", new { role = "ServiceDesk" }));
        Assert.Equal($"They stay assignee of 3 clients in {hidden}: the clients keep them, and an import that names them on such a " +
            "client changes nothing there, but a Service Desk user cannot be made the assignee of another.",
            adminSaw["notice"]!.GetValue<string>());
        // QA: lowered from Technician to Client User, the notice said "a Client User user".
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{userId}", new { role = "Technician" })).StatusCode);
        var clientUser = await ApiTestClient.ReadAsync(await admin.PutAsJsonAsync($"/api/users/{userId}", new { role = "ClientUser" }));
        Assert.EndsWith("changes nothing there, but a Client User cannot be made the assignee of another.",
            clientUser["notice"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsCalls_AreInTheOpenApiDocument_AndNeedAToken()
    {
        var document = await factory.CreateBrowser().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "\"/api/users\"", "\"/api/custom-fields\"", "\"/api/workflows\"", "\"/api/rollouts/{id}/members\"" })
        {
            Assert.Contains(path, document);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateBrowser().GetAsync("/api/users")).StatusCode);
        var cookie = await factory.SignInAsync("admin@demo.test");
        Assert.Equal(HttpStatusCode.Unauthorized, (await cookie.GetAsync("/api/workflows")).StatusCode);
    }
}

public sealed class SqliteSettingsApiTests(RolloutWebFactory factory)
    : SettingsApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsApiTests(PostgresWebFactory factory)
    : SettingsApiTests(factory), IClassFixture<PostgresWebFactory>;
