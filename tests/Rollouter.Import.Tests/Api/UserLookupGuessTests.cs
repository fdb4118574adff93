using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A user column whose header does not say which attribute its values are ("Assignee") is looked up by the attribute
/// the rollout's members are found by: a column of names by name. Before, it was always by email, and every row of a
/// column of names failed ("No user with email 'Tina Technician'").
/// </summary>
public abstract class UserLookupGuessTests(RolloutWebFactory factory)
{
    /// <summary>A new inventory of W11 (so no remembered mapping applies), its id and the rollout's.</summary>
    private async Task<(int RolloutId, int InventoryId)> NewInventoryAsync()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var laptops = await db.Inventories.SingleAsync(i => i.Name == "Laptops");
        var inventory = new Inventory
        {
            Name = $"Guess {Guid.NewGuid().ToString("N")[..8]}", RolloutId = laptops.RolloutId, WorkflowId = laptops.WorkflowId,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Inventories.Add(inventory);
        await db.SaveChangesAsync();
        return (laptops.RolloutId, inventory.Id);
    }

    [Theory]
    [InlineData("Tina Technician", "name")]
    [InlineData("technician@demo.test", "email")]
    [InlineData("U-0003", "userId")]
    [InlineData("Nobody Known", "email")]
    public async Task AnAssigneeColumn_IsLookedUpByWhatItsValuesAre(string value, string expected)
    {
        var (rolloutId, inventoryId) = await NewInventoryAsync();
        string code;
        using (var scope = factory.Services.CreateScope())
        {
            code = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Users
                .Where(u => u.Email == "technician@demo.test").Select(u => u.UserCode).SingleAsync();
        }

        var cell = value == "U-0003" ? code : value;
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, inventoryId, "guess.csv",
            $"Name,Assignee\nGUESS-1,{cell}\nGUESS-2,\n"));

        var assignee = import["mapping"]?["columns"]?.AsArray().Single(c => c?["target"]?.GetValue<string>() == "Assignee");
        Assert.Equal(expected, assignee?["lookup"]?.GetValue<string>(), ignoreCase: true);
        // The summary names the lookup as the mapping's select does.
        var browser = await factory.SignInAsync("manager@demo.test");
        var summary = (await browser.GetPageAsync($"/rollouts/W11/imports/{import.Id()}")).Body?.TextContent ?? "";
        Assert.Contains("found by " + (expected == "userId" ? "User ID" : expected == "name" ? "Name" : "Email"), summary);
    }

    /// <summary>The lookup the upload's mapping chose for the column mapped to <paramref name="target"/>.</summary>
    private async Task<string?> GuessedLookupAsync(string csv, string target)
    {
        var (rolloutId, inventoryId) = await NewInventoryAsync();
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, inventoryId, "guess.csv", csv));
        var column = import["mapping"]?["columns"]?.AsArray().Single(c => c?["target"]?.GetValue<string>() == target);
        return column?["lookup"]?.GetValue<string>();
    }

    /// <summary>
    /// An assignee must be a Technician or higher: a Service Desk user's name in an Assignee column does not make the
    /// column "by Name", where no row could be imported; the technician's email in the same column decides. A Client
    /// User column may hold any member, so the same names there are names.
    /// </summary>
    [Fact]
    public async Task AUserColumn_IsGuessedOnlyByTheMembersWhoseRoleMayHoldItsField()
    {
        var assignee = await GuessedLookupAsync(
            "Name,Assignee\nROLE-1,Sven Servicedesk\nROLE-2,Kai Keyaccount\nROLE-3,technician@demo.test\n", "Assignee");
        var clientUser = await GuessedLookupAsync(
            "Name,Client User\nROLE-1,Sven Servicedesk\nROLE-2,Kai Keyaccount\nROLE-3,technician@demo.test\n", "ClientUser");

        Assert.Equal("email", assignee, ignoreCase: true);
        Assert.Equal("name", clientUser, ignoreCase: true);
    }

    /// <summary>
    /// A column empty in the file's first rows is guessed by the values further down, up to the first 100 rows: a
    /// value below them is not looked for, so a large file is not read through for the guess.
    /// </summary>
    [Theory]
    [InlineData(12, "name")]
    [InlineData(100, "email")]
    public async Task AUserColumnEmptyAtTheTop_IsGuessedByTheValuesBelow(int emptyRows, string expected)
    {
        var rows = string.Concat(Enumerable.Range(1, emptyRows).Select(i => $"EMPTY-{i},\n"));
        var lookup = await GuessedLookupAsync($"Name,Assignee\n{rows}BELOW-1,Tina Technician\nBELOW-2,Tina Technician\n", "Assignee");

        Assert.Equal(expected, lookup, ignoreCase: true);
    }
}

public sealed class SqliteUserLookupGuessTests(RolloutWebFactory factory)
    : UserLookupGuessTests(factory), IClassFixture<RolloutWebFactory>;
