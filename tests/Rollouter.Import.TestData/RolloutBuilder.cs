using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.TestData;

/// <summary>
/// A rollout with its inventories, their workflow and custom fields, and users, written in one SaveChanges:
/// <code>
/// var w11 = await new RolloutBuilder("Windows 11", "W11")
///     .WithWorkflow("Default", "New", "Done")
///     .WithInventory("Laptops", TestSettings.Field("Location", CustomFieldType.Input))
///     .WithMembers(TestSettings.User("tech@example.test", "Tina Tech", "U-1", Role.Technician))
///     .SaveAsync(db);
/// </code>
/// Without a workflow the inventories get one of their own with the single status "New".
/// </summary>
public sealed class RolloutBuilder(string name, string identifier)
{
    private readonly List<Inventory> _inventories = [];
    private readonly List<User> _users = [];
    private readonly List<User> _members = [];
    private Workflow? _workflow;
    private int? _workflowId;
    private int? _clientLimit;
    private DateTimeOffset _createdAt;

    public RolloutBuilder WithWorkflow(string workflowName, params IEnumerable<string> statuses) =>
        WithWorkflow(TestSettings.Workflow(workflowName, statuses));

    public RolloutBuilder WithWorkflow(Workflow workflow)
    {
        _workflow = workflow;
        _workflowId = null;
        return this;
    }

    /// <summary>A workflow already in the database.</summary>
    public RolloutBuilder WithWorkflow(int workflowId)
    {
        _workflowId = workflowId;
        _workflow = null;
        return this;
    }

    /// <summary>An inventory with no custom fields.</summary>
    public RolloutBuilder WithInventory(string inventoryName) => WithInventory(inventoryName, Array.Empty<CustomField>());

    /// <summary>An inventory with these fields, in this order; a field may be new or shared with another inventory.</summary>
    public RolloutBuilder WithInventory(string inventoryName, params IEnumerable<CustomField> fields)
    {
        _inventories.Add(new Inventory
        {
            Name = inventoryName,
            CustomFields = [.. fields.Select((f, i) => new InventoryCustomField { CustomField = f, Position = i })],
        });
        return this;
    }

    /// <summary>An inventory with fields already in the database, in this order.</summary>
    public RolloutBuilder WithInventory(string inventoryName, params IEnumerable<int> fieldIds)
    {
        _inventories.Add(new Inventory
        {
            Name = inventoryName,
            CustomFields = [.. fieldIds.Select((f, i) => new InventoryCustomField { CustomFieldId = f, Position = i })],
        });
        return this;
    }

    /// <summary>Users written with the rollout, in this order (they are global: not members of it).</summary>
    public RolloutBuilder WithUsers(params IEnumerable<User> users)
    {
        _users.AddRange(users);
        return this;
    }

    /// <summary>
    /// Users written with the rollout and made its members, in this order: the people an import may name as assignee or
    /// client user.
    /// </summary>
    public RolloutBuilder WithMembers(params IEnumerable<User> users)
    {
        var added = users.ToList();
        _users.AddRange(added);
        _members.AddRange(added);
        return this;
    }

    public RolloutBuilder WithClientLimit(int? clientLimit)
    {
        _clientLimit = clientLimit;
        return this;
    }

    /// <summary>When the rollout and its inventories were made; by default the zero time, as a test needs no more.</summary>
    public RolloutBuilder CreatedAt(DateTimeOffset at)
    {
        _createdAt = at;
        return this;
    }

    public async Task<SeededRollout> SaveAsync(RolloutDbContext db, CancellationToken cancellationToken = default)
    {
        var rollout = new Rollout
        {
            Name = name,
            Identifier = identifier,
            ClientLimit = _clientLimit,
            CreatedAt = _createdAt,
            Members = [.. _members.Select(u => new RolloutMember { User = u })],
        };
        var workflow = _workflowId is null ? _workflow ?? TestSettings.Workflow("Workflow " + identifier, "New") : null;
        foreach (var inventory in _inventories)
        {
            inventory.Rollout = rollout;
            inventory.CreatedAt = _createdAt;
            if (workflow is null)
            {
                inventory.WorkflowId = _workflowId!.Value;
            }
            else
            {
                inventory.Workflow = workflow;
            }
        }

        if (_inventories.Count == 0)
        {
            db.Rollouts.Add(rollout);
            if (workflow is not null)
            {
                db.Workflows.Add(workflow);
            }
        }

        db.Inventories.AddRange(_inventories);
        db.Users.AddRange(_users);
        await db.SaveChangesAsync(cancellationToken);
        var statuses = workflow is not null
            ? [.. workflow.Statuses]
            : await db.WorkflowStatuses.AsNoTracking().Where(s => s.WorkflowId == _workflowId).ToListAsync(cancellationToken);
        return new SeededRollout(rollout, [.. _inventories], workflow?.Id ?? _workflowId!.Value, statuses, [.. _users]);
    }
}

/// <summary>What a <see cref="RolloutBuilder"/> wrote, with the ids the database gave it.</summary>
public sealed class SeededRollout(Rollout rollout, IReadOnlyList<Inventory> inventories, int workflowId,
    IReadOnlyList<WorkflowStatus> statuses, IReadOnlyList<User> users)
{
    public Rollout Rollout { get; } = rollout;

    public int RolloutId => Rollout.Id;

    public IReadOnlyList<Inventory> Inventories { get; } = inventories;

    /// <summary>The first inventory's id.</summary>
    public int InventoryId => Inventories[0].Id;

    public int WorkflowId { get; } = workflowId;

    /// <summary>Status ids by name.</summary>
    public IReadOnlyDictionary<string, int> Statuses { get; } = statuses.ToDictionary(s => s.Name, s => s.Id);

    public IReadOnlyList<User> Users { get; } = users;

    public int Inventory(string inventoryName) => Inventories.Single(i => i.Name == inventoryName).Id;

    /// <summary>The id of a field of the inventories, by name (fields given by id have no name here).</summary>
    public int Field(string fieldName) => Inventories.SelectMany(i => i.CustomFields)
        .Select(f => f.CustomField).First(f => f?.Name == fieldName)!.Id;
}
