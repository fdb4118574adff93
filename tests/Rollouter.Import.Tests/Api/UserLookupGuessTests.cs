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
}

public sealed class SqliteUserLookupGuessTests(RolloutWebFactory factory)
    : UserLookupGuessTests(factory), IClassFixture<RolloutWebFactory>;
