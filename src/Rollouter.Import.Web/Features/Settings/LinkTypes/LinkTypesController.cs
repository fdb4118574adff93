using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.LinkTypes;

/// <summary>Client link types: administrators only.</summary>
[Route("settings/link-types")]
[Authorize(Policy = Policies.Administrator)]
public sealed class LinkTypesController(RolloutDbContext db, LinkTypeSettings settings) : SettingsControllerBase
{
    private const string Views = "~/Features/Settings/LinkTypes/";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var types = await db.ClientLinkTypes.AsNoTracking().OrderBy(t => t.OutwardName)
            .Select(t => new { t.Id, t.OutwardName, t.InwardName, t.IsAdvanced,
                Shared = t.SharedFields.OrderBy(f => f.CustomField.Name).Select(f => f.CustomField.Name).ToList() })
            .ToListAsync(cancellationToken);
        // Each type's links counted in a statement of its own (a few types): counted inside the list's statement, the
        // planner's estimate for the correlated count had PostgreSQL compile it (JIT) on every view, 150-600 ms.
        var items = new List<LinkTypeListItem>(types.Count);
        foreach (var t in types)
        {
            items.Add(new LinkTypeListItem(t.Id, t.OutwardName, t.InwardName, t.IsAdvanced, t.Shared,
                await LinkTypeSettings.Counted(db, t.Id).CountAsync(cancellationToken)));
        }

        return View(Views + "Index.cshtml", items);
    }

    [HttpGet("new")]
    public async Task<IActionResult> New(CancellationToken cancellationToken) => await PageAsync(null, new LinkTypeForm(), cancellationToken);

    [HttpPost("new")]
    public async Task<IActionResult> Create(LinkTypeForm form, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            if (!Refused(await settings.CreateAsync(User, form, cancellationToken), out _, out var type))
            {
                Confirm($"The link type {type.OutwardName} / {type.InwardName} was created.");
                return RedirectToAction(nameof(Index));
            }
        }

        return await PageAsync(null, form, cancellationToken);
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var type = await settings.FindAsync(id, cancellationToken);
        return type is null
            ? NotFound()
            : await PageAsync(type, new LinkTypeForm
            {
                OutwardName = type.OutwardName,
                InwardName = type.InwardName,
                IsAdvanced = type.IsAdvanced,
                SharedFieldIds = [.. type.SharedFields.Select(f => f.CustomFieldId)],
            }, cancellationToken);
    }

    [HttpPost("{id:int}")]
    public async Task<IActionResult> Update(int id, LinkTypeForm form, CancellationToken cancellationToken)
    {
        var type = await settings.FindAsync(id, cancellationToken);
        if (type is null)
        {
            return NotFound();
        }

        if (ModelState.IsValid && !Refused(await settings.UpdateAsync(User, type, form, cancellationToken), out _))
        {
            Confirm($"The link type {type.OutwardName} / {type.InwardName} was saved.");
            return RedirectToAction(nameof(Index));
        }

        return await PageAsync(type, form, cancellationToken);
    }

    /// <summary>
    /// Asks before deleting a link type: one no link uses is deleted; for one in use the page says how many links, between
    /// which inventories, names the first of them, and offers no Delete (decision 0082).
    /// </summary>
    [HttpGet("{id:int}/delete")]
    public async Task<IActionResult> Delete(int id, CancellationToken cancellationToken)
    {
        var type = await settings.FindAsync(id, cancellationToken);
        return type is null
            ? NotFound()
            : View(Views + "Delete.cshtml", new LinkTypeDeletion(type, await settings.UseAsync(id, cancellationToken)));
    }

    [HttpPost("{id:int}/delete")]
    [ActionName(nameof(Delete))]
    public async Task<IActionResult> DeleteConfirmed(int id, CancellationToken cancellationToken)
    {
        var type = await settings.FindAsync(id, cancellationToken);
        if (type is null)
        {
            return NotFound();
        }

        var (outward, inward) = (type.OutwardName, type.InwardName);
        var result = await settings.DeleteAsync(User, id, cancellationToken);
        if (result.Problem?.Kind == ProblemKind.NotFound)
        {
            return NotFound();
        }

        if (Refused(result, out _))
        {
            var again = await settings.FindAsync(id, cancellationToken);
            return again is null
                ? NotFound()
                : View(Views + "Delete.cshtml", new LinkTypeDeletion(again, await settings.UseAsync(id, cancellationToken)));
        }

        Confirm($"The link type {outward} / {inward} was deleted.");
        return RedirectToAction(nameof(Index));
    }

    private async Task<IActionResult> PageAsync(ClientLinkType? type, LinkTypeForm form, CancellationToken cancellationToken)
    {
        var fields = await db.CustomFields.AsNoTracking().OrderBy(f => f.Name).ToListAsync(cancellationToken);
        var links = type is null ? 0 : await LinkTypeSettings.Counted(db, type.Id).CountAsync(cancellationToken);
        return View(Views + "Edit.cshtml", new LinkTypePage(type, form, fields, links));
    }
}
