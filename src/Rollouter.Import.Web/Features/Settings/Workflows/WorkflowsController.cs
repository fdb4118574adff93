using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Workflows;

/// <summary>Workflows and their statuses (Rollout Manager or higher).</summary>
[Route("settings/workflows")]
public sealed class WorkflowsController(RolloutDbContext db, RolloutAccess access, WorkflowSettings settings) : SettingsControllerBase
{
    private const string Views = "~/Features/Settings/Workflows/";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var workflows = await db.Workflows.AsNoTracking().OrderBy(w => w.Name)
            .Select(w => new WorkflowListItem(w.Id, w.Name,
                w.Statuses.OrderBy(s => s.Position).Select(s => s.Name).ToList(),
                db.Inventories.Count(i => i.WorkflowId == w.Id)))
            .ToListAsync(ct);
        return View(Views + "Index.cshtml", workflows);
    }

    [HttpGet("new")]
    public IActionResult New() => View(Views + "New.cshtml", new WorkflowCreateForm());

    [HttpPost("new")]
    public async Task<IActionResult> Create(WorkflowCreateForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (workflow, errors) = await settings.CreateAsync(form.Name, SettingsNames.Lines(form.Statuses), ct);
        if (Refused(errors, out _))
        {
            return View(Views + "New.cshtml", form);
        }

        Confirm($"The workflow {workflow!.Name} was created.");
        return RedirectToAction(nameof(Edit), new { id = workflow.Id });
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, CancellationToken ct)
    {
        var workflow = await settings.FindAsync(id, ct);
        return workflow is null ? NotFound() : await PageAsync(workflow, ct);
    }

    [HttpPost("{id:int}")]
    public Task<IActionResult> Rename(int id, string? name, CancellationToken ct) =>
        ChangeAsync(id, w => settings.RenameAsync(w, name, ct), "The workflow was renamed.", ct);

    [HttpPost("{id:int}/statuses")]
    public Task<IActionResult> AddStatus(int id, string? statusName, CancellationToken ct) =>
        ChangeAsync(id, w => settings.AddStatusAsync(w, statusName, ct), $"The status {statusName?.Trim()} was added.", ct);

    [HttpPost("{id:int}/statuses/{statusId:int}")]
    public Task<IActionResult> RenameStatus(int id, int statusId, string? statusName, CancellationToken ct) =>
        ChangeAsync(id, w => settings.RenameStatusAsync(w, statusId, statusName, ct),
            "The status was renamed; its clients keep it.", ct);

    [HttpPost("{id:int}/statuses/{statusId:int}/up")]
    public Task<IActionResult> MoveUp(int id, int statusId, CancellationToken ct) =>
        ChangeAsync(id, async w => { await settings.MoveStatusAsync(w, statusId, -1, ct); return new SettingsErrors(); }, null, ct);

    [HttpPost("{id:int}/statuses/{statusId:int}/down")]
    public Task<IActionResult> MoveDown(int id, int statusId, CancellationToken ct) =>
        ChangeAsync(id, async w => { await settings.MoveStatusAsync(w, statusId, 1, ct); return new SettingsErrors(); }, null, ct);

    /// <summary>Asks where the status's clients go before removing it.</summary>
    [HttpGet("{id:int}/statuses/{statusId:int}/remove")]
    public async Task<IActionResult> Remove(int id, int statusId, CancellationToken ct)
    {
        var workflow = await settings.FindAsync(id, ct);
        var status = workflow?.Statuses.SingleOrDefault(s => s.Id == statusId);
        if (status is null)
        {
            return NotFound();
        }

        return View(Views + "RemoveStatus.cshtml",
            new RemoveStatusPage(workflow!, status, await settings.ClientCountAsync(statusId, ct), null));
    }

    [HttpPost("{id:int}/statuses/{statusId:int}/remove")]
    public async Task<IActionResult> Remove(int id, int statusId, int? targetStatusId, CancellationToken ct)
    {
        var workflow = await settings.FindAsync(id, ct);
        var status = workflow?.Statuses.SingleOrDefault(s => s.Id == statusId);
        if (status is null)
        {
            return NotFound();
        }

        var errors = await settings.RemoveStatusAsync(workflow!, statusId, targetStatusId, User.UserId(), ct);
        if (Refused(errors, out _))
        {
            return View(Views + "RemoveStatus.cshtml",
                new RemoveStatusPage(workflow!, status, await settings.ClientCountAsync(statusId, ct), targetStatusId));
        }

        var target = workflow!.Statuses.SingleOrDefault(s => s.Id == targetStatusId);
        Confirm(target is null
            ? $"The status {status.Name} was removed."
            : $"The status {status.Name} was removed; its clients now have the status {target.Name}.");
        return RedirectToAction(nameof(Edit), new { id });
    }

    private async Task<IActionResult> ChangeAsync(int id, Func<Workflow, Task<SettingsErrors>> change, string? message,
        CancellationToken ct)
    {
        var workflow = await settings.FindAsync(id, ct);
        if (workflow is null)
        {
            return NotFound();
        }

        if (Refused(await change(workflow), out _))
        {
            db.ChangeTracker.Clear();
            return await PageAsync((await settings.FindAsync(id, ct))!, ct);
        }

        if (message is not null)
        {
            Confirm(message);
        }

        return RedirectToAction(nameof(Edit), new { id });
    }

    private async Task<IActionResult> PageAsync(Workflow workflow, CancellationToken ct)
    {
        var statusIds = workflow.Statuses.Select(s => s.Id).ToList();
        var counts = await db.Clients.Where(c => statusIds.Contains(c.StatusId)).GroupBy(c => c.StatusId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var inventories = await InventoryUsage.NamesAsync(db.Inventories.Where(i => i.WorkflowId == workflow.Id), access, User, ct);
        return View(Views + "Edit.cshtml", new WorkflowPage(workflow,
            [.. workflow.Statuses.OrderBy(s => s.Position).Select(s => new StatusItem(s.Id, s.Name, counts.GetValueOrDefault(s.Id)))],
            inventories));
    }
}
