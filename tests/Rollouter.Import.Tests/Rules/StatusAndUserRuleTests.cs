using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Tests.Rules;

[Collection(RulesDatabaseCollection.Name)]
public class StatusAndUserRuleTests(RulesDatabases databases)
{
    [Fact]
    public async Task Check_WhenStatusIsNotInWorkflow_FailsListingTheStatuses_AndSuggestsOneDifferingOnlyInCaseOrSpaces()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Status").Row("PC-1", "Prepard").Row("PC-2", "prepared").Row("PC-3", "Prepared")
            .Row("PC-4", "new ").Row("PC-5", "Sched uled");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                new RowError(2, "B", "Status", "Prepard", "\"Prepard\" is not a status of workflow \"Standard\" (New, Prepared, Scheduled, Done)."),
                new RowError(3, "B", "Status", "prepared", "\"prepared\" is not a status of workflow \"Standard\" (New, Prepared, Scheduled, Done). Did you mean \"Prepared\"?"),
                new RowError(5, "B", "Status", "new ", "\"new\" is not a status of workflow \"Standard\" (New, Prepared, Scheduled, Done). Did you mean \"New\"?"),
                new RowError(6, "B", "Status", "Sched uled", "\"Sched uled\" is not a status of workflow \"Standard\" (New, Prepared, Scheduled, Done). Did you mean \"Scheduled\"?"),
            ],
            result.Errors);
    }

    /// <summary>
    /// Mutation testing (security pass, 2026-12-07): the list of statuses stops at 20 and says so with ", …"; no test had a
    /// workflow that long, so a list of every status, of 19, or without the ellipsis passed.
    /// </summary>
    [Fact]
    public async Task Check_WhenTheWorkflowHasMoreThan20Statuses_ListsTheFirst20AndAnEllipsis_And20AreListedWhole()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        await using (var db = database.Database.CreateContext())
        {
            static Rollouter.Import.Data.Entities.Workflow Long(string name, int statuses) => new()
            {
                Name = name,
                Statuses = [.. Enumerable.Range(1, statuses).Select(n => new Rollouter.Import.Data.Entities.WorkflowStatus
                {
                    Name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"S{n:00}"),
                    Position = n,
                })],
            };
            var longer = Long($"Long {rollout.Id}", 21);
            var twenty = Long($"Twenty {rollout.Id}", 20);
            db.Workflows.AddRange(longer, twenty);
            await db.SaveChangesAsync();
            await db.Inventories.Where(i => i.Id == rollout.Laptops).ExecuteUpdateAsync(i => i.SetProperty(x => x.WorkflowId, longer.Id));
            await db.Inventories.Where(i => i.Id == rollout.Desktops).ExecuteUpdateAsync(i => i.SetProperty(x => x.WorkflowId, twenty.Id));
        }

        var first20 = string.Join(", ", Enumerable.Range(1, 20).Select(n => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"S{n:00}")));

        var laptops = await rollout.CheckAsync(FileSpec.With("Name", "Status").Row("PC-1", "Shipped").Row("PC-2", "S21"));
        var desktops = await rollout.CheckAsync(FileSpec.With("Name", "Status", "Rack").Row("PC-3", "Shipped", "R1"), rollout.Desktops);

        Assert.Equal(
            [new RowError(2, "B", "Status", "Shipped", $"\"Shipped\" is not a status of workflow \"Long {rollout.Id}\" ({first20}, …).")],
            laptops.Errors);
        Assert.Equal(
            [new RowError(2, "B", "Status", "Shipped", $"\"Shipped\" is not a status of workflow \"Twenty {rollout.Id}\" ({first20}).")],
            desktops.Errors);
    }

    [Fact]
    public async Task CheckAndResolve_WhenStatusIsEmpty_GivesNewClientsTheFirstStatusAndLeavesUpdatesUnchanged()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        await rollout.AddClientAsync("PC-1");
        var file = FileSpec.With("Name", "Status").UpdateExisting().Row("PC-1", "").Row("PC-2", null).Row("PC-3", "Done");
        var checker = await rollout.CheckerAsync(file);

        Assert.True(checker.Check(file.Rows).Succeeded);
        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Equal([null, database.Statuses["New"], database.Statuses["Done"]], rows.Select(r => r.StatusId));
    }

    [Fact]
    public async Task Check_WhenNoUserHasTheEmail_FailsNamingTheEmail()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Assignee", "ClientUser").Row("PC-1", "x@y", "nobody@test.example");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                new RowError(2, "B", "Assignee", "x@y", "No user with email \"x@y\" in this rollout."),
                new RowError(2, "C", "ClientUser", "nobody@test.example", "No user with email \"nobody@test.example\" in this rollout."),
            ],
            result.Errors);
    }

    [Fact]
    public async Task AnUpdateNamingTheUserItsClientAlreadyHas_IsNoChange_EvenWhenTheyLeftTheRolloutOrLostTheRole()
    {
        // QA (onboarding): a manager's own export failed to import back once its assignee had left the rollout or become
        // Service Desk ("No user with email …", "… an assignee must be a Technician or higher"), though the client keeps
        // that user (decision 0088).
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var users = database.Users;
        var left = await rollout.AddClientAsync("PC-1");
        var demoted = await rollout.AddClientAsync("PC-2");
        await rollout.AddClientAsync("PC-3");
        await using (var db = database.Database.CreateContext())
        {
            // Otto is no member of the rollout, Olga is deactivated, Sam is Service Desk.
            await db.Clients.Where(c => c.Id == left).ExecuteUpdateAsync(c => c
                .SetProperty(x => x.AssigneeId, users["outsider"]).SetProperty(x => x.ClientUserId, users["old"]));
            await db.Clients.Where(c => c.Id == demoted).ExecuteUpdateAsync(c => c.SetProperty(x => x.AssigneeId, users["desk"]));
        }

        var file = FileSpec.With("Name", "Assignee", "ClientUser").UpdateExisting()
            .Row("PC-1", "Outsider@Test.Example", "old@test.example")
            .Row("PC-2", "desk@test.example", "")
            // A new assignment still follows the rules: another client's user, and a new client.
            .Row("PC-3", "outsider@test.example", "")
            .Row("PC-4", "desk@test.example", "");
        var checker = await rollout.CheckerAsync(file);

        Assert.Equal(
            [
                new RowError(4, "B", "Assignee", "outsider@test.example", "No user with email \"outsider@test.example\" in this rollout."),
                new RowError(5, "B", "Assignee", "desk@test.example", "\"desk@test.example\" is a Service Desk user; an assignee must be a Technician or higher."),
            ],
            checker.Check(file.Rows).Errors);
        var good = FileSpec.With("Name", "Assignee", "ClientUser").UpdateExisting()
            .Row("PC-1", "outsider@test.example", "old@test.example").Row("PC-2", "desk@test.example", "");
        var rows = (await rollout.CheckerAsync(good)).CheckAndResolve(good.Rows).ToList();
        // Nothing is written for those fields: the clients keep their users.
        Assert.Equal([(null, null), (null, null)], rows.Select(r => (r.AssigneeId, r.ClientUserId)));

        var byName = FileSpec.With("Name", "Assignee").UpdateExisting().Row("PC-1", "otto outsider");
        byName.Column("Assignee").Lookup = UserLookup.Name;
        Assert.Empty((await rollout.CheckAsync(byName)).Errors);
    }

    [Fact]
    public async Task CheckAndResolve_FindsUsersByEmailIgnoringCase_ByNameAndByUserId()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Assignee", "ClientUser")
            .Row("PC-1", "TECH@Test.Example", "Carl Client")
            .Row("PC-2", "manager@test.example", "carl client");
        file.Column("ClientUser").Lookup = UserLookup.Name;
        var checker = await rollout.CheckerAsync(file);

        Assert.Empty(checker.Check(file.Rows).Errors);
        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Equal([database.Users["tech"], database.Users["manager"]], rows.Select(r => r.AssigneeId));
        Assert.Equal([database.Users["carl"], database.Users["carl"]], rows.Select(r => r.ClientUserId));

        var byId = FileSpec.With("Name", "Assignee").Row("PC-3", "U-0001").Row("PC-4", "U-9999");
        byId.Column("Assignee").Lookup = UserLookup.UserId;
        var result = await rollout.CheckAsync(byId);
        Assert.Equal([new RowError(3, "B", "Assignee", "U-9999", "No user with user ID \"U-9999\" in this rollout.")], result.Errors);
    }

    [Fact]
    public async Task Check_WhenTwoUsersHaveTheName_FailsAskingForEmailOrUserId()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "ClientUser").Row("PC-1", "Jane Doe").Row("PC-2", "Nobody Here");
        file.Column("ClientUser").Lookup = UserLookup.Name;

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                new RowError(2, "B", "ClientUser", "Jane Doe", "2 users are named \"Jane Doe\": use email or user ID."),
                new RowError(3, "B", "ClientUser", "Nobody Here", "No user named \"Nobody Here\" in this rollout."),
            ],
            result.Errors);
    }

    [Fact]
    public async Task Check_WhenAssigneeIsBelowTechnician_FailsNamingTheRole()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Assignee", "ClientUser")
            .Row("PC-1", "jane1@test.example", "jane1@test.example")
            .Row("PC-2", "desk@test.example", "desk@test.example");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                new RowError(2, "B", "Assignee", "jane1@test.example", "\"jane1@test.example\" is a Client User; an assignee must be a Technician or higher."),
                new RowError(3, "B", "Assignee", "desk@test.example", "\"desk@test.example\" is a Service Desk user; an assignee must be a Technician or higher."),
            ],
            result.Errors);
    }

    [Fact]
    public async Task Check_WhenTheUserIsNoMemberOfTheRollout_DoesNotFindThem_ByAnyLookup()
    {
        // Otto is an active technician and Ada an administrator, members of no rollout: an import neither assigns them
        // nor tells that they exist.
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var byEmail = FileSpec.With("Name", "Assignee", "ClientUser").Row("PC-1", "outsider@test.example", "admin@test.example");
        var byName = FileSpec.With("Name", "Assignee").Row("PC-1", "Ada Admin");
        byName.Column("Assignee").Lookup = UserLookup.Name;
        var byCode = FileSpec.With("Name", "ClientUser").Row("PC-1", "U-0008");
        byCode.Column("ClientUser").Lookup = UserLookup.UserId;

        Assert.Equal(
            [
                new RowError(2, "B", "Assignee", "outsider@test.example", "No user with email \"outsider@test.example\" in this rollout."),
                new RowError(2, "C", "ClientUser", "admin@test.example", "No user with email \"admin@test.example\" in this rollout."),
            ],
            (await rollout.CheckAsync(byEmail)).Errors);
        Assert.Equal([new RowError(2, "B", "Assignee", "Ada Admin", "No user named \"Ada Admin\" in this rollout.")],
            (await rollout.CheckAsync(byName)).Errors);
        Assert.Equal([new RowError(2, "B", "ClientUser", "U-0008", "No user with user ID \"U-0008\" in this rollout.")],
            (await rollout.CheckAsync(byCode)).Errors);
    }

    [Fact]
    public async Task Check_WhenUserIsDeactivated_DoesNotFindThem()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Assignee").Row("PC-1", "old@test.example");

        var result = await rollout.CheckAsync(file);

        Assert.Equal([new RowError(2, "B", "Assignee", "old@test.example", "No user with email \"old@test.example\" in this rollout.")], result.Errors);
    }

    [Fact]
    public async Task CheckAndResolve_KeepsDescriptionAndFlagAsWrittenAndEmptyMeansNone()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Description", "ClientFlag")
            .Row("PC-1", "Line one\nline two, \"quoted\"", "Broken screen")
            .Row("PC-2", "", "  ");
        var checker = await rollout.CheckerAsync(file);

        Assert.True(checker.Check(file.Rows).Succeeded);
        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Equal(("Line one\nline two, \"quoted\"", "Broken screen"), (rows[0].Description, rows[0].Flag));
        Assert.Equal((null, null), (rows[1].Description, rows[1].Flag));
    }
}
