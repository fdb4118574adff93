using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Settings.Workflows;

/// <summary>
/// Workflows and their ordered statuses. Status names are unique within a workflow, and names that differ only by case
/// are refused too (imports compare exactly, people do not). A workflow keeps at least one status; removing a status
/// that clients are on moves them to another status of the workflow and removes it in one transaction.
/// </summary>
public sealed class WorkflowSettings(RolloutDbContext db)
{
    public const int NameLength = 200;

    public Task<Workflow?> FindAsync(int id, CancellationToken ct) =>
        db.Workflows.Include(w => w.Statuses.OrderBy(s => s.Position)).SingleOrDefaultAsync(w => w.Id == id, ct);

    public async Task<(Workflow? Workflow, SettingsErrors Errors)> CreateAsync(string? name, IReadOnlyList<string> statuses,
        CancellationToken ct)
    {
        var errors = new SettingsErrors();
        var clean = await CheckNameAsync(name, 0, errors, ct);
        var names = statuses.Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        if (names.Count == 0)
        {
            errors.Invalid("Statuses", "Enter at least one status, one per line: a workflow needs a status for new clients.");
        }
        else if (SettingsNames.FirstDuplicate(names) is { } duplicate)
        {
            errors.Conflict("Statuses", $"The status \"{duplicate}\" appears twice (names are compared ignoring case).");
        }
        else if (names.FirstOrDefault(n => n.Length > NameLength) is { } tooLong)
        {
            errors.Invalid("Statuses", $"The status \"{tooLong[..20]}…\" is longer than {NameLength} characters.");
        }

        if (errors.Failed)
        {
            return (null, errors);
        }

        var workflow = new Workflow
        {
            Name = clean!,
            Statuses = [.. names.Select((n, i) => new WorkflowStatus { Name = n, Position = i })],
        };
        db.Workflows.Add(workflow);
        await db.SaveChangesAsync(ct);
        return (workflow, errors);
    }

    public async Task<SettingsErrors> RenameAsync(Workflow workflow, string? name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = new SettingsErrors();
        var clean = await CheckNameAsync(name, workflow.Id, errors, ct);
        if (!errors.Failed)
        {
            workflow.Name = clean!;
            await db.SaveChangesAsync(ct);
        }

        return errors;
    }

    public async Task<SettingsErrors> AddStatusAsync(Workflow workflow, string? name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = new SettingsErrors();
        var clean = CheckStatusName(workflow, name, 0, errors);
        if (!errors.Failed)
        {
            workflow.Statuses.Add(new WorkflowStatus
            {
                Name = clean!, Position = Ordering.Next(workflow.Statuses, s => s.Position),
            });
            await db.SaveChangesAsync(ct);
        }

        return errors;
    }

    /// <summary>Renames a status; clients keep it (they reference its id).</summary>
    public async Task<SettingsErrors> RenameStatusAsync(Workflow workflow, int statusId, string? name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = new SettingsErrors();
        var status = workflow.Statuses.SingleOrDefault(s => s.Id == statusId);
        if (status is null)
        {
            errors.Invalid("", "This status no longer exists.");
            return errors;
        }

        var clean = CheckStatusName(workflow, name, statusId, errors);
        if (!errors.Failed)
        {
            status.Name = clean!;
            await db.SaveChangesAsync(ct);
        }

        return errors;
    }

    /// <summary>Moves a status one place up (-1) or down (+1).</summary>
    public async Task MoveStatusAsync(Workflow workflow, int statusId, int direction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        if (Ordering.MoveOne(workflow.Statuses, s => s.Position, (s, position) => s.Position = position,
                s => s.Id == statusId, direction))
        {
            await db.SaveChangesAsync(ct);
        }
    }

    public Task<int> ClientCountAsync(int statusId, CancellationToken ct) =>
        db.Clients.CountAsync(c => c.StatusId == statusId, ct);

    /// <summary>
    /// Removes a status. Clients on it go to <paramref name="targetStatusId"/> (required when there are any), in the same
    /// transaction as the removal. Refused while an import into an inventory of this workflow runs, since it may be
    /// writing clients with this status.
    /// </summary>
    public async Task<SettingsErrors> RemoveStatusAsync(Workflow workflow, int statusId, int? targetStatusId, int? actorId,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var errors = new SettingsErrors();
        var status = workflow.Statuses.SingleOrDefault(s => s.Id == statusId);
        if (status is null)
        {
            return errors;
        }

        if (workflow.Statuses.Count == 1)
        {
            errors.Invalid("", $"\"{status.Name}\" is the workflow's only status: a workflow needs at least one.");
            return errors;
        }

        if (await db.Imports.AnyAsync(i => i.Status == ImportStatus.InProgress && i.Inventory.WorkflowId == workflow.Id, ct))
        {
            errors.Invalid("", "An import into an inventory of this workflow is running: remove the status when it has finished.");
            return errors;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var clients = await ClientCountAsync(statusId, ct);
        if (clients > 0)
        {
            var target = workflow.Statuses.SingleOrDefault(s => s.Id == targetStatusId && s.Id != statusId);
            if (target is null)
            {
                errors.Invalid("TargetStatusId",
                    $"{clients:N0} clients have the status \"{status.Name}\": choose the status they get instead.");
                return errors;
            }

            // Each moved client's history records the change, as an edit would.
            var now = DateTimeOffset.UtcNow;
            var ids = await db.Clients.Where(c => c.StatusId == statusId).Select(c => c.Id).ToListAsync(ct);
            foreach (var batch in ids.Chunk(1000))
            {
                var entries = batch.Select(id => new ClientHistoryEntry
                {
                    ClientId = id, At = now, UserId = actorId, Action = ClientHistoryAction.Changed,
                    Changes = [new FieldChange("Status", status.Name, target.Name)],
                }).ToList();
                db.ClientHistory.AddRange(entries);
                await db.SaveChangesAsync(ct);
                entries.ForEach(e => db.Entry(e).State = EntityState.Detached);
            }

            await db.Clients.Where(c => c.StatusId == statusId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.StatusId, target.Id).SetProperty(c => c.UpdatedAt, now), ct);
        }

        workflow.Statuses.Remove(status);
        db.WorkflowStatuses.Remove(status);
        var position = 0;
        foreach (var s in workflow.Statuses.OrderBy(s => s.Position))
        {
            s.Position = position++;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return errors;
    }

    private async Task<string?> CheckNameAsync(string? name, int id, SettingsErrors errors, CancellationToken ct)
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
        else
        {
            var upper = clean.ToUpperInvariant();
            if (await db.Workflows.AnyAsync(w => w.Id != id && w.Name.ToUpper() == upper, ct))
            {
                errors.Conflict("Name", $"Another workflow is already named \"{clean}\".");
            }
        }

        return clean;
    }

    private static string? CheckStatusName(Workflow workflow, string? name, int statusId, SettingsErrors errors)
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
        else if (workflow.Statuses.FirstOrDefault(s => s.Id != statusId && string.Equals(s.Name, clean, StringComparison.OrdinalIgnoreCase))
                 is { } same)
        {
            errors.Conflict("StatusName", same.Name == clean
                ? $"The workflow already has the status \"{clean}\"."
                : $"The workflow already has the status \"{same.Name}\", which differs only by case.");
        }

        return clean;
    }
}
