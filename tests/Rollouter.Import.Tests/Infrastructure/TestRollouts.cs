using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>The least data a test needs around a client: a rollout with one inventory, whose workflow has one status.</summary>
public sealed record TestRollout(int RolloutId, int InventoryId, int StatusId)
{
    public static async Task<TestRollout> AddAsync(TestDatabase database, string identifier)
    {
        await using var context = database.CreateContext();
        var workflow = new Workflow
        {
            Name = "Workflow " + identifier,
            Statuses = [new WorkflowStatus { Name = "New", Position = 0 }],
        };
        var rollout = new Rollout { Name = "Rollout " + identifier, Identifier = identifier };
        var inventory = new Inventory { Name = "Laptops", Rollout = rollout, Workflow = workflow };
        context.Inventories.Add(inventory);
        await context.SaveChangesAsync();
        return new TestRollout(rollout.Id, inventory.Id, workflow.Statuses[0].Id);
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
