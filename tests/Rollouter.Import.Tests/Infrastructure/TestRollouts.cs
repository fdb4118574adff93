using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>The least data a test needs around a client: a rollout with one inventory, whose workflow has one status.</summary>
public sealed record TestRollout(int RolloutId, int InventoryId, int StatusId)
{
    public static async Task<TestRollout> AddAsync(TestDatabase database, string identifier)
    {
        await using var context = database.CreateContext();
        var rollout = await new RolloutBuilder("Rollout " + identifier, identifier).WithInventory("Laptops").SaveAsync(context);
        return new TestRollout(rollout.RolloutId, rollout.InventoryId, rollout.Statuses["New"]);
    }

    public Client NewClient(string name, Dictionary<int, string[]>? values = null) => new()
    {
        RolloutId = RolloutId,
        InventoryId = InventoryId,
        StatusId = StatusId,
        Name = name,
        Values = values ?? [],
    };

    public async Task<int[]> AddClientsAsync(TestDatabase database, params string[] names)
    {
        await using var context = database.CreateContext();
        var clients = names.Select(name => NewClient(name)).ToList();
        context.Clients.AddRange(clients);
        await context.SaveChangesAsync();
        return clients.Select(c => c.Id).ToArray();
    }
}
