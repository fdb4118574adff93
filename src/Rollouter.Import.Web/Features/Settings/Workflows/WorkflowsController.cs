using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Settings.Workflows;

/// <summary>
/// Workflows and their statuses (Rollout Manager or higher). A change of a workflow that an inventory of a rollout the
/// manager is not a member of uses is refused with 403 and the page saying so (<see cref="SharedSettingsRule"/>).
/// </summary>
[Route("settings/workflows")]
public sealed class WorkflowsController(RolloutDbContext db, SharedSettingsRule rule, WorkflowSettings settings) : SettingsControllerBase
{
    private const string Views = "~/Features/Settings/Workflows/";

    private const string SwitchRule =
        "An inventory switches to another workflow only while it has no clients: their statuses belong to its workflow. " +
        "An inventory with clients keeps its workflow; a new or duplicated inventory can start on the copy.";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var reaches = await rule.ReachOfWorkflowsAsync(User, cancellationToken);
        var workflows = await db.Workflows.AsNoTracking().OrderBy(w => w.Name)
            .Select(w => new { w.Id, w.Name, Statuses = w.Statuses.OrderBy(s => s.Position).Select(s => s.Name).ToList() })
            .ToListAsync(cancellationToken);
        return View(Views + "Index.cshtml", workflows
            .Select(w => new WorkflowListItem(w.Id, w.Name, w.Statuses, reaches.GetValueOrDefault(w.Id, SettingReach.None)))
            .ToList());
    }

    [HttpGet("new")]
    public IActionResult New() => View(Views + "New.cshtml", new WorkflowCreateForm());

    [HttpPost("new")]
    public async Task<IActionResult> Create(WorkflowCreateForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (Refused(await settings.CreateAsync(User, form.Name, SettingsNames.Lines(form.Statuses), cancellationToken), out _, out var workflow))
        {
            return View(Views + "New.cshtml", form);
        }

        Confirm($"The workflow {workflow.Name} was created.");
        return RedirectToAction(nameof(Edit), new { id = workflow.Id });
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var workflow = await settings.FindAsync(id, cancellationToken);
        return workflow is null ? NotFound() : await PageAsync(workflow, cancellationToken);
    }

    [HttpPost("{id:int}")]
    public Task<IActionResult> Rename(int id, string? name, CancellationToken cancellationToken) =>
        ChangeAsync(id, w => settings.RenameAsync(User, w, name, cancellationToken), "The workflow was renamed.", cancellationToken);

    [HttpPost("{id:int}/statuses")]
    public Task<IActionResult> AddStatus(int id, string? statusName, CancellationToken cancellationToken) =>
        ChangeAsync(id, w => settings.AddStatusAsync(User, w, statusName, cancellationToken), $"The status {statusName?.Trim()} was added.", cancellationToken);

    [HttpPost("{id:int}/statuses/{statusId:int}")]
    public Task<IActionResult> RenameStatus(int id, int statusId, string? statusName, CancellationToken cancellationToken) =>
        ChangeAsync(id, w => settings.RenameStatusAsync(User, w, statusId, statusName, cancellationToken),
            "The status was renamed; its clients keep it.", cancellationToken);

    [HttpPost("{id:int}/statuses/{statusId:int}/up")]
    public Task<IActionResult> MoveUp(int id, int statusId, CancellationToken cancellationToken) =>
        MoveAsync(id, statusId, -1, cancellationToken);

    [HttpPost("{id:int}/statuses/{statusId:int}/down")]
    public Task<IActionResult> MoveDown(int id, int statusId, CancellationToken cancellationToken) =>
        MoveAsync(id, statusId, 1, cancellationToken);

    /// <summary>Moves a status a place and returns to its button, with "Deployed moved to position 2." beside the list.</summary>
    private async Task<IActionResult> MoveAsync(int id, int statusId, int direction, CancellationToken cancellationToken)
    {
        var workflow = await settings.FindAsync(id, cancellationToken);
        if (workflow is null)
        {
            return NotFound();
        }

        int PlaceOf() => workflow.Statuses.OrderBy(s => s.Position).ToList().FindIndex(s => s.Id == statusId);
        var before = PlaceOf();
        if (Refused(await settings.MoveStatusAsync(User, workflow, statusId, direction, cancellationToken), out var forbidden))
        {
            db.ChangeTracker.Clear();
            ForbidIf(forbidden);
            return await settings.FindAsync(id, cancellationToken) is { } fresh ? await PageAsync(fresh, cancellationToken) : NotFound();
        }

        if (workflow.Statuses.SingleOrDefault(s => s.Id == statusId) is not { } status)
        {
            return RedirectToAction(nameof(Edit), new { id });
        }

        var button = ConfirmMove(status.Name, statusId, before, PlaceOf(), workflow.Statuses.Count, direction);
        return Redirect(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/settings/workflows/{id}#{button}"));
    }

    /// <summary>Asks where the status's clients go before removing it, naming how many there are.</summary>
    [HttpGet("{id:int}/statuses/{statusId:int}/remove")]
    public async Task<IActionResult> Remove(int id, int statusId, CancellationToken cancellationToken)
    {
        var workflow = await settings.FindAsync(id, cancellationToken);
        if (workflow?.Statuses.SingleOrDefault(s => s.Id == statusId) is not { } status)
        {
            return NotFound();
        }

        return View(Views + "RemoveStatus.cshtml", new RemoveStatusPage(workflow, status,
            await settings.ClientCountAsync(workflow, statusId, cancellationToken), null, await rule.ReachOfWorkflowAsync(User, id, cancellationToken)));
    }

    [HttpPost("{id:int}/statuses/{statusId:int}/remove")]
    public async Task<IActionResult> Remove(int id, int statusId, int? targetStatusId, CancellationToken cancellationToken)
    {
        var workflow = await settings.FindAsync(id, cancellationToken);
        if (workflow?.Statuses.SingleOrDefault(s => s.Id == statusId) is not { } status)
        {
            return NotFound();
        }

        var result = await settings.RemoveStatusAsync(User, workflow, statusId, targetStatusId, cancellationToken);
        if (Refused(result, out var forbidden))
        {
            ForbidIf(forbidden);
            return View(Views + "RemoveStatus.cshtml", new RemoveStatusPage(workflow, status,
                await settings.ClientCountAsync(workflow, statusId, cancellationToken), targetStatusId, await rule.ReachOfWorkflowAsync(User, id, cancellationToken)));
        }

        var target = workflow.Statuses.SingleOrDefault(s => s.Id == targetStatusId);
        Confirm(target is null
            ? $"The status {status.Name} was removed."
            : $"The status {status.Name} was removed; its clients now have the status {target.Name}.");
        return RedirectToAction(nameof(Edit), new { id });
    }

    /// <summary>A copy of the workflow to change freely, and which of the user's inventories switch to it.</summary>
    [HttpGet("{id:int}/duplicate")]
    public async Task<IActionResult> Duplicate(int id, CancellationToken cancellationToken)
    {
        var workflow = await settings.FindAsync(id, cancellationToken);
        return workflow is null
            ? NotFound()
            : await DuplicatePageAsync(workflow, $"{workflow.Name} (copy)", [], cancellationToken);
    }

    [HttpPost("{id:int}/duplicate")]
    public async Task<IActionResult> Duplicate(int id, string? name, int[]? inventoryIds, CancellationToken cancellationToken)
    {
        var workflow = await settings.FindAsync(id, cancellationToken);
        if (workflow is null)
        {
            return NotFound();
        }

        if (Refused(await settings.DuplicateAsync(User, workflow, name, inventoryIds ?? [], cancellationToken), out _, out var copy))
        {
            return await DuplicatePageAsync(workflow, name ?? "", inventoryIds ?? [], cancellationToken);
        }

        var switched = inventoryIds?.Length ?? 0;
        Confirm($"The workflow {copy.Name} was created as a copy of {workflow.Name}" + switched switch
        {
            0 => ".",
            1 => "; 1 inventory now uses it.",
            _ => $"; {switched} inventories now use it.",
        });
        return RedirectToAction(nameof(Edit), new { id = copy.Id });
    }

    private async Task<IActionResult> DuplicatePageAsync(Workflow workflow, string name, IReadOnlyCollection<int> chosen,
        CancellationToken cancellationToken) =>
        View("~/Features/Settings/Duplicate.cshtml", new DuplicatePage("workflow", workflow.Name,
            $"/settings/workflows/{workflow.Id}", name, await settings.SwitchChoicesAsync(User, workflow, cancellationToken), chosen, SwitchRule));

    private async Task<IActionResult> ChangeAsync(int id, Func<Workflow, Task<Result>> change, string? message,
        CancellationToken cancellationToken)
    {
        var workflow = await settings.FindAsync(id, cancellationToken);
        if (workflow is null)
        {
            return NotFound();
        }

        if (Refused(await change(workflow), out var forbidden))
        {
            db.ChangeTracker.Clear();
            ForbidIf(forbidden);
            return await settings.FindAsync(id, cancellationToken) is { } fresh ? await PageAsync(fresh, cancellationToken) : NotFound();
        }

        if (message is not null)
        {
            Confirm(message);
        }

        return RedirectToAction(nameof(Edit), new { id });
    }

    private async Task<IActionResult> PageAsync(Workflow workflow, CancellationToken cancellationToken)
    {
        var counts = await settings.StatusCountsAsync(workflow, cancellationToken);
        return View(Views + "Edit.cshtml", new WorkflowPage(workflow,
            [.. workflow.Statuses.OrderBy(s => s.Position).Select(s => new StatusItem(s.Id, s.Name, counts.GetValueOrDefault(s.Id)))],
            await rule.ReachOfWorkflowAsync(User, workflow.Id, cancellationToken)));
    }
}
