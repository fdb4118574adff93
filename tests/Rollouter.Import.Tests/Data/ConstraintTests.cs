using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>Rules the database enforces itself, whichever code (or person) writes to it.</summary>
public class ConstraintTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Database_RejectsSecondAdvancedLink_ForOneClient(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "A");
        var clients = await rollout.AddClientsAsync(database, "PC-A", "PC-B", "PC-C");
        var (a, b, c) = (clients[0], clients[1], clients[2]);
        int firstLink, secondLink;
        await using (var context = database.CreateContext())
        {
            var type = new ClientLinkType { OutwardName = "replaces", InwardName = "is replaced by", IsAdvanced = true };
            var ab = new ClientLink { LinkType = type, SourceClientId = a, TargetClientId = b };
            var ac = new ClientLink { LinkType = type, SourceClientId = a, TargetClientId = c };
            context.ClientLinks.AddRange(ab, ac);
            context.AdvancedLinkMemberships.AddRange(
                new AdvancedLinkMembership { ClientId = a, ClientLink = ab },
                new AdvancedLinkMembership { ClientId = b, ClientLink = ab });
            await context.SaveChangesAsync();
            (firstLink, secondLink) = (ab.Id, ac.Id);
        }

        await using (var context = database.CreateContext())
        {
            context.AdvancedLinkMemberships.Add(new AdvancedLinkMembership { ClientId = a, ClientLinkId = secondLink });
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
            DatabaseErrors.AssertUniqueViolation(error, "AdvancedLinkMemberships", "PK_AdvancedLinkMemberships",
                "ClientId");
        }

        await using (var context = database.CreateContext())
        {
            var memberships = await context.AdvancedLinkMemberships.OrderBy(m => m.ClientId).ToListAsync();
            Assert.Equal([(a, firstLink), (b, firstLink)], memberships.Select(m => (m.ClientId, m.ClientLinkId)));
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Database_RejectsTwoInventoriesWithOneName_InOneRollout(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "A");

        await using (var context = database.CreateContext())
        {
            var workflowId = await context.Inventories.Select(i => i.WorkflowId).SingleAsync();
            context.Inventories.Add(new Inventory { RolloutId = rollout.RolloutId, Name = "Laptops", WorkflowId = workflowId });
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
            DatabaseErrors.AssertUniqueViolation(error, "Inventories", "IX_Inventories_RolloutId_Name",
                "RolloutId", "Name");
        }

        await using (var context = database.CreateContext())
        {
            Assert.Equal(1, await context.Inventories.CountAsync());
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Database_AllowsOneInventoryName_InTwoRollouts(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await TestRollout.AddAsync(database, "A");
        await TestRollout.AddAsync(database, "B");

        await using var context = database.CreateContext();
        Assert.Equal(["Laptops", "Laptops"], await context.Inventories.Select(i => i.Name).ToListAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Database_RejectsSecondRollout_WithTheSameIdentifier(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await TestRollout.AddAsync(database, "W11");

        await using (var context = database.CreateContext())
        {
            context.Rollouts.Add(new Rollout { Name = "Another rollout", Identifier = "W11" });
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
            DatabaseErrors.AssertUniqueViolation(error, "Rollouts", "IX_Rollouts_Identifier", "Identifier");
        }

        await using (var context = database.CreateContext())
        {
            Assert.Equal(["Rollout W11"], await context.Rollouts.Select(r => r.Name).ToListAsync());
        }
    }
}
