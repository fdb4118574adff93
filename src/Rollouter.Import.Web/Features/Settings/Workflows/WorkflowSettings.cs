using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Web.Infrastructure.Security;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Web.Features.Settings.Workflows;

/// <summary>
/// Workflows and their ordered statuses. Status names are unique within a workflow, and names that differ only by case
/// are refused too (imports compare exactly, people do not). A workflow keeps at least one status; removing a status
/// that clients are on moves them to another status of the workflow and removes it in one transaction.
/// Workflows are shared by rollouts: every change of an existing workflow is refused to a rollout manager while an
/// inventory of a rollout they are not a member of uses it (<see cref="SharedSettingsRule"/>); creating and duplicating
/// one is open to them. Creating, duplicating and every change of a workflow (moving a status too) is an audit event; renaming or removing a status leaves a
/// history entry on each client that had it, saying which settings change it was (<see cref="StatusHistory"/>).
/// </summary>
public sealed class WorkflowSettings(RolloutDbContext db, SharedSettingsRule rule, TimeProvider clock, AuditLog audit)
{
    public const int NameLength = 200;

    public Task<Workflow?> FindAsync(int id, CancellationToken cancellationToken) =>
        db.Workflows.Include(w => w.Statuses.OrderBy(s => s.Position)).SingleOrDefaultAsync(w => w.Id == id, cancellationToken);

    public async Task<Result<Workflow>> CreateAsync(ClaimsPrincipal user, string? name, IReadOnlyList<string> statuses,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var errors = new ProblemList();
        var clean = await CheckNameAsync(name, 0, errors, cancellationToken);
        var names = statuses.Select(SettingsNames.Clean).OfType<string>().ToList();
        if (names.Count == 0)
        {
            errors.Invalid("Statuses", "Enter at least one status, one per line: a workflow needs a status for new clients.");
        }
        else if (names.Count > Workflow.MaxStatuses)
        {
            errors.Invalid("Statuses", $"A workflow can have at most {Workflow.MaxStatuses} statuses, and " +
                $"{ImportNumbers.N(names.Count)} were entered.");
        }
        else if (SettingsNames.FirstDuplicate(names) is { } duplicate)
        {
            errors.Conflict("Statuses", $"The status \"{duplicate}\" appears twice (names are compared ignoring case).");
        }
        else if (names.FirstOrDefault(n => n.Length > NameLength) is { } tooLong)
        {
            errors.Invalid("Statuses", $"The status \"{tooLong[..20]}…\" is longer than {NameLength} characters.");
        }
        else if (names.Select(n => SettingsNames.LineBreakOrControl(n, "A status name")).OfType<string>().FirstOrDefault() is { } broken)
        {
            errors.Invalid("Statuses", broken);
        }

        if (errors.Failed)
        {
            return errors.Problem;
        }

        var workflow = new Workflow
        {
            Name = clean,
            Statuses = [.. names.Select((n, i) => new WorkflowStatus { Name = n, Position = i })],
        };
        db.Workflows.Add(workflow);
        await db.SaveChangesAsync(cancellationToken);
        audit.WorkflowCreated(user.UserId(), workflow.Id, workflow.Name, SettingsNames.Bounded(names));
        return workflow;
    }

    public async Task<Result> RenameAsync(ClaimsPrincipal user, Workflow workflow, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = await rule.RefusalForWorkflowAsync(user, workflow.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var clean = await CheckNameAsync(name, workflow.Id, errors, cancellationToken);
        if (!errors.Failed && clean != workflow.Name)
        {
            var old = workflow.Name;
            workflow.Name = clean;
            await db.SaveChangesAsync(cancellationToken);
            audit.WorkflowRenamed(user.UserId(), workflow.Id, old, clean);
        }

        return errors.ToResult();
    }

    public async Task<Result> AddStatusAsync(ClaimsPrincipal user, Workflow workflow, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = await rule.RefusalForWorkflowAsync(user, workflow.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var clean = CheckStatusName(workflow, name, 0, errors);
        if (!errors.Failed && workflow.Statuses.Count >= Workflow.MaxStatuses)
        {
            errors.Invalid("StatusName",
                $"The workflow \"{workflow.Name}\" has {workflow.Statuses.Count} statuses, the most a workflow can have: remove one before adding another.");
        }

        if (!errors.Failed)
        {
            var status = new WorkflowStatus { Name = clean, Position = Ordering.Next(workflow.Statuses, s => s.Position) };
            workflow.Statuses.Add(status);
            await db.SaveChangesAsync(cancellationToken);
            audit.StatusAdded(user.UserId(), workflow.Id, workflow.Name, status.Id, clean);
        }

        return errors.ToResult();
    }

    /// <summary>
    /// Renames a status; clients keep it (they reference its id), and each of them gets a history entry "Status: old →
    /// new" saying the settings change made it, as an option's rename gives its clients, written by one statement in the
    /// rename's transaction (<see cref="StatusHistory"/>). Refused while an import into an inventory of the workflow runs:
    /// it read the statuses by name, and would record the old name on the clients it writes.
    /// </summary>
    public async Task<Result> RenameStatusAsync(ClaimsPrincipal user, Workflow workflow, int statusId, string? name,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = await rule.RefusalForWorkflowAsync(user, workflow.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var status = workflow.Statuses.SingleOrDefault(s => s.Id == statusId);
        if (status is null)
        {
            errors.Invalid("", "This status no longer exists.");
            return errors.ToResult();
        }

        var clean = CheckStatusName(workflow, name, statusId, errors);
        if (errors.Failed || clean == status.Name)
        {
            return errors.ToResult();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await RefusalWhileImportingAsync(workflow.Id, "rename the status", cancellationToken) is { } running)
        {
            errors.Invalid("", running);
            return errors.ToResult();
        }

        var actorId = user.UserId();
        var old = status.Name;
        status.Name = clean;
        await db.SaveChangesAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var clients = await StatusHistory.RecordAsync(db, workflow.Id, statusId, old, clean, StatusHistory.Renamed(workflow.Name),
            ClientHistoryAction.Renamed, actorId, now, cancellationToken);
        if (clients > 0)
        {
            // Their status reads differently now, as an option's rename changes its clients.
            await ClientsOn(await InventoryIdsAsync(workflow.Id, cancellationToken), statusId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        audit.StatusRenamed(actorId, workflow.Id, workflow.Name, statusId, old, clean, clients);
        return errors.ToResult();
    }

    /// <summary>
    /// Inside the caller's transaction: waits for the write lock of every rollout with an inventory of the workflow, in
    /// one order, so that no import writes clients meanwhile; then the refusal while an import into one of them runs (it
    /// read the statuses when it started, and would write what it read). Null when the change may go on.
    /// </summary>
    private async Task<string?> RefusalWhileImportingAsync(int workflowId, string change, CancellationToken cancellationToken)
    {
        // An import writes clients (with the statuses its check read) under its rollout's write lock: take the lock of
        // every rollout with an inventory of this workflow, in one order, then look for a running import. An import
        // approved after this reads the statuses only after the change commits, or its writer finds a status gone and
        // checks its rows again (ClientWriter).
        foreach (var rolloutId in await db.Inventories.Where(i => i.WorkflowId == workflowId).Select(i => i.RolloutId)
                     .Distinct().OrderBy(r => r).ToListAsync(cancellationToken))
        {
            await RolloutWriteLock.AcquireAsync(db, rolloutId, cancellationToken);
        }

        return await db.Imports.AnyAsync(i => i.Status == ImportStatus.InProgress && i.Inventory.WorkflowId == workflowId, cancellationToken)
            ? $"An import into an inventory of this workflow is running: {change} when it has finished."
            : null;
    }

    /// <summary>
    /// Moves a status one place up (-1) or down (+1). The first status is the one an import gives a client whose Status
    /// cell is empty, so the order matters to every inventory of the workflow.
    /// </summary>
    public async Task<Result> MoveStatusAsync(ClaimsPrincipal user, Workflow workflow, int statusId, int direction,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = await rule.RefusalForWorkflowAsync(user, workflow.Id, cancellationToken);
        if (!errors.Failed && Ordering.MoveOne(workflow.Statuses, s => s.Position, (s, position) => s.Position = position,
                s => s.Id == statusId, direction))
        {
            await db.SaveChangesAsync(cancellationToken);
            // Positions as the page numbers them, from 1.
            var status = workflow.Statuses.Single(s => s.Id == statusId);
            audit.StatusMoved(user.UserId(), workflow.Id, workflow.Name, statusId, status.Name,
                status.Position + 1 - Math.Sign(direction), status.Position + 1);
        }

        return errors.ToResult();
    }

    /// <summary>The workflow's page counts each status's clients up to this many, and shows "10,000+" beyond.</summary>
    public const int StatusCountBound = 10_000;

    /// <summary>
    /// The clients on each status of <paramref name="workflow"/>, counted up to <see cref="StatusCountBound"/> + 1: the
    /// status index of the workflow's inventories (decision 0029) is read for at most that many clients a status, so the
    /// page costs the same with a million clients as with ten.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, int>> StatusCountsAsync(Workflow workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var inventories = await db.Inventories.AsNoTracking().Where(i => i.WorkflowId == workflow.Id)
            .Select(i => new { i.Id, i.ClientCount }).ToListAsync(cancellationToken);
        var inventoryIds = inventories.Select(i => i.Id).ToList();
        var statusIds = workflow.Statuses.Select(s => s.Id).ToList();
        if (inventories.Sum(i => (long)i.ClientCount) <= StatusCountBound)
        {
            // Few enough clients to count them all at once, exactly.
            return await db.Clients.Where(c => inventoryIds.Contains(c.InventoryId) && statusIds.Contains(c.StatusId))
                .GroupBy(c => c.StatusId).Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        }

        // One statement for every status, each counted through the status index up to the bound: a workflow with 200
        // statuses is one round trip, not 200.
        return await db.WorkflowStatuses.Where(s => s.WorkflowId == workflow.Id)
            .Select(s => new
            {
                s.Id,
                Count = db.Clients.Where(c => inventoryIds.Contains(c.InventoryId) && c.StatusId == s.Id)
                    .Take(StatusCountBound + 1).Count(),
            })
            .ToDictionaryAsync(s => s.Id, s => s.Count, cancellationToken);
    }

    /// <summary>How many clients have the status, exactly: what removing it moves (read through the status index).</summary>
    public async Task<int> ClientCountAsync(Workflow workflow, int statusId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return await ClientsOn(await InventoryIdsAsync(workflow.Id, cancellationToken), statusId).CountAsync(cancellationToken);
    }

    private Task<List<int>> InventoryIdsAsync(int workflowId, CancellationToken cancellationToken) =>
        db.Inventories.Where(i => i.WorkflowId == workflowId).Select(i => i.Id).ToListAsync(cancellationToken);

    /// <summary>
    /// The clients on a status, looked up in the inventories that use its workflow: only their clients can have it (an
    /// inventory with clients keeps its workflow), and naming them lets the database use their status index.
    /// </summary>
    private IQueryable<Client> ClientsOn(List<int> inventoryIds, int statusId) =>
        db.Clients.Where(c => inventoryIds.Contains(c.InventoryId) && c.StatusId == statusId);

    /// <summary>
    /// Removes a status. Clients on it go to <paramref name="targetStatusId"/> (required when there are any), in the same
    /// transaction as the removal. Refused while an import into an inventory of this workflow runs, since it may be
    /// writing clients with this status.
    /// </summary>
    public async Task<Result> RemoveStatusAsync(ClaimsPrincipal user, Workflow workflow, int statusId, int? targetStatusId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = await rule.RefusalForWorkflowAsync(user, workflow.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var actorId = user.UserId();
        var status = workflow.Statuses.SingleOrDefault(s => s.Id == statusId);
        if (status is null)
        {
            // Removed meanwhile, or another workflow's: nothing was removed, and the page must not say it was.
            errors.Invalid("", "This status no longer exists.");
            return errors.ToResult();
        }

        if (workflow.Statuses.Count == 1)
        {
            errors.Invalid("", $"\"{status.Name}\" is the workflow's only status: a workflow needs at least one.");
            return errors.ToResult();
        }

        if (await db.Imports.AnyAsync(i => i.Status == ImportStatus.InProgress && i.Inventory.WorkflowId == workflow.Id, cancellationToken))
        {
            errors.Invalid("", "An import into an inventory of this workflow is running: remove the status when it has finished.");
            return errors.ToResult();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Looked for again under the rollouts' write locks.
        if (await RefusalWhileImportingAsync(workflow.Id, "remove the status", cancellationToken) is { } running)
        {
            errors.Invalid("", running);
            return errors.ToResult();
        }

        var inventoryIds = await InventoryIdsAsync(workflow.Id, cancellationToken);
        var clients = await ClientsOn(inventoryIds, statusId).CountAsync(cancellationToken);
        WorkflowStatus? moved = null;
        if (clients > 0)
        {
            var target = workflow.Statuses.SingleOrDefault(s => s.Id == targetStatusId && s.Id != statusId);
            if (target is null)
            {
                errors.Invalid("TargetStatusId",
                    $"{SettingReach.Count(clients, "client has", "clients have")} the status \"{status.Name}\": choose the status {(clients == 1 ? "it gets" : "they get")} instead.");
                return errors.ToResult();
            }

            // Each moved client's history records the change and the settings change that made it, by one statement
            // before the clients move (it finds them by the status they leave).
            var now = clock.GetUtcNow();
            await StatusHistory.RecordAsync(db, workflow.Id, statusId, status.Name, target.Name,
                StatusHistory.Removed(status.Name, workflow.Name), ClientHistoryAction.Changed, actorId, now, cancellationToken);
            await ClientsOn(inventoryIds, statusId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.StatusId, target.Id).SetProperty(c => c.UpdatedAt, now), cancellationToken);
            moved = target;
        }

        workflow.Statuses.Remove(status);
        db.WorkflowStatuses.Remove(status);
        var position = 0;
        foreach (var s in workflow.Statuses.OrderBy(s => s.Position))
        {
            s.Position = position++;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit.StatusRemoved(actorId, workflow.Id, workflow.Name, statusId, status.Name, clients, moved?.Name);
        return errors.ToResult();
    }

    /// <summary>
    /// The inventories of <paramref name="user"/>'s rollouts that use the workflow, each with what keeps it from switching
    /// to a copy: clients (their statuses belong to this workflow), or an import into it running.
    /// </summary>
    public async Task<IReadOnlyList<SwitchChoice>> SwitchChoicesAsync(ClaimsPrincipal user, Workflow workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var visible = await rule.VisibleRolloutIdsAsync(user, cancellationToken);
        var inventories = await db.Inventories.AsNoTracking()
            .Where(i => i.WorkflowId == workflow.Id && visible.Contains(i.RolloutId))
            .OrderBy(i => i.Rollout.Name).ThenBy(i => i.Name)
            .Select(i => new { i.Id, i.RolloutId, Name = i.Rollout.Name + " / " + i.Name }).ToListAsync(cancellationToken);
        var choices = new List<SwitchChoice>();
        foreach (var inventory in inventories)
        {
            choices.Add(new SwitchChoice(inventory.Id, inventory.Name,
                await SwitchBlockerAsync(inventory.RolloutId, inventory.Id, cancellationToken)));
        }

        return choices;
    }

    /// <summary>
    /// A new workflow with the same statuses in the same order, and <paramref name="inventoryIds"/> switched to it: only
    /// inventories of <paramref name="user"/>'s rollouts that use <paramref name="workflow"/> and have no clients (an
    /// inventory's workflow changes only then). All in one transaction: one inventory that cannot switch refuses the
    /// whole, and nothing is created.
    /// </summary>
    public async Task<Result<Workflow>> DuplicateAsync(ClaimsPrincipal user, Workflow workflow,
        string? name, IReadOnlyList<int> inventoryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(inventoryIds);
        var errors = new ProblemList();
        var clean = await CheckNameAsync(name, 0, errors, cancellationToken);
        var visible = await rule.VisibleRolloutIdsAsync(user, cancellationToken);
        var ids = inventoryIds.Distinct().ToList();
        // Ordered by rollout, so that two copies made at once take the rollouts' write locks in the same order.
        var inventories = await db.Inventories.Where(i => ids.Contains(i.Id) && i.WorkflowId == workflow.Id && visible.Contains(i.RolloutId))
            .OrderBy(i => i.RolloutId).ThenBy(i => i.Id).ToListAsync(cancellationToken);
        if (inventories.Count != ids.Count)
        {
            errors.Invalid("InventoryIds", "Only inventories of your rollouts that use this workflow can switch to the copy.");
        }

        if (errors.Failed)
        {
            return errors.Problem;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var copy = new Workflow
        {
            Name = clean,
            Statuses = [.. workflow.Statuses.OrderBy(s => s.Position).Select((s, i) => new WorkflowStatus { Name = s.Name, Position = i })],
        };
        db.Workflows.Add(copy);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var inventory in inventories)
        {
            // An import writes clients under this lock: wait for it, then count what it wrote.
            await RolloutWriteLock.AcquireAsync(db, inventory.RolloutId, cancellationToken);
            if (await SwitchBlockerAsync(inventory.RolloutId, inventory.Id, cancellationToken) is { } blocker)
            {
                db.ChangeTracker.Clear();
                return Problem.Invalid($"The inventory {inventory.Name} cannot switch to the copy: it {blocker}.", "InventoryIds");
            }

            inventory.WorkflowId = copy.Id;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit.WorkflowDuplicated(user.UserId(), workflow.Id, workflow.Name, copy.Id, copy.Name, [.. inventories.Select(i => i.Id)]);
        return copy;
    }

    /// <summary>Why the inventory cannot switch to another workflow ("has 40 clients"), or null.</summary>
    private async Task<string?> SwitchBlockerAsync(int rolloutId, int inventoryId, CancellationToken cancellationToken)
    {
        if (await db.Imports.AnyAsync(i => i.InventoryId == inventoryId && i.Status == ImportStatus.InProgress, cancellationToken))
        {
            return "has an import running";
        }

        // The count kept with the inventory, committed with the clients of any import that held the lock.
        var clients = await db.Inventories.Where(i => i.Id == inventoryId && i.RolloutId == rolloutId)
            .Select(i => i.ClientCount).FirstOrDefaultAsync(cancellationToken);
        return clients switch
        {
            0 => null,
            1 => "has a client, whose status belongs to this workflow",
            _ => $"has {clients:N0} clients, whose statuses belong to this workflow",
        };
    }

    /// <summary>The trimmed name (blank when refused as blank).</summary>
    private async Task<string> CheckNameAsync(string? name, int id, ProblemList errors, CancellationToken cancellationToken)
    {
        var clean = SettingsNames.Clean(name);
        if (clean is null)
        {
            errors.Invalid("Name", "Enter the workflow's name.");
        }
        else if (clean.Length > NameLength)
        {
            errors.Invalid("Name", $"The name can have at most {NameLength} characters.");
        }
        else if (SettingsNames.LineBreakOrControl(clean, "A workflow name") is { } broken)
        {
            errors.Invalid("Name", broken);
        }
        else
        {
            if (await db.Workflows.Where(w => w.Id != id).AnyAsync(IgnoringCase.Equal<Workflow>(w => w.Name, clean), cancellationToken))
            {
                errors.Conflict("Name", $"Another workflow is already named \"{clean}\".");
            }
        }

        return clean ?? "";
    }

    /// <summary>The trimmed name (blank when refused as blank).</summary>
    private static string CheckStatusName(Workflow workflow, string? name, int statusId, ProblemList errors)
    {
        var clean = SettingsNames.Clean(name);
        if (clean is null)
        {
            errors.Invalid("StatusName", "Enter the status's name.");
        }
        else if (clean.Length > NameLength)
        {
            errors.Invalid("StatusName", $"The name can have at most {NameLength} characters.");
        }
        else if (SettingsNames.LineBreakOrControl(clean, "A status name") is { } broken)
        {
            errors.Invalid("StatusName", broken);
        }
        else if (workflow.Statuses.FirstOrDefault(s => s.Id != statusId && string.Equals(s.Name, clean, StringComparison.OrdinalIgnoreCase))
                 is { } same)
        {
            errors.Conflict("StatusName", same.Name == clean
                ? $"The workflow already has the status \"{clean}\"."
                : $"The workflow already has the status \"{same.Name}\", which differs only by case.");
        }

        return clean ?? "";
    }
}
