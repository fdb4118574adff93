using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.CustomFields;

/// <summary>Custom fields and their options (Rollout Manager or higher).</summary>
[Route("settings/custom-fields")]
public sealed class CustomFieldsController(RolloutDbContext db, RolloutAccess access, CustomFieldSettings settings)
    : SettingsControllerBase
{
    private const string Views = "~/Features/Settings/CustomFields/";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var fields = await db.CustomFields.AsNoTracking().OrderBy(f => f.Name)
            .Select(f => new CustomFieldListItem(f.Id, f.Name, f.Type, f.Required, f.ValidationRegex, f.Options.Count,
                db.InventoryCustomFields.Count(i => i.CustomFieldId == f.Id)))
            .ToListAsync(ct);
        return View(Views + "Index.cshtml", fields);
    }

    [HttpGet("new")]
    public IActionResult New() => View(Views + "Edit.cshtml", new CustomFieldPage(null, new CustomFieldForm(), []));

    [HttpPost("new")]
    public async Task<IActionResult> Create(CustomFieldForm form, CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            var (field, errors) = await settings.CreateAsync(form, null, ct);
            if (!Refused(errors, out _))
            {
                Confirm($"The custom field {field!.Name} was created.");
                return RedirectToAction(nameof(Edit), new { id = field.Id });
            }
        }

        return View(Views + "Edit.cshtml", new CustomFieldPage(null, form, []));
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, CancellationToken ct)
    {
        var field = await settings.FindAsync(id, ct);
        return field is null ? NotFound() : await PageAsync(field, FormOf(field), ct);
    }

    [HttpPost("{id:int}")]
    public async Task<IActionResult> Update(int id, CustomFieldForm form, CancellationToken ct)
    {
        var field = await settings.FindAsync(id, ct);
        if (field is null)
        {
            return NotFound();
        }

        var rulesBefore = (field.Required, field.ValidationRegex);
        if (ModelState.IsValid && !Refused(await settings.UpdateAsync(field, form, ct), out _))
        {
            var breaking = rulesBefore == (field.Required, field.ValidationRegex)
                ? 0
                : await settings.CountClientsBreakingRulesAsync(field, ct);
            Confirm($"The custom field {field.Name} was saved." + (breaking == 0 ? "" :
                $" {breaking:N0} {(breaking == 1 ? "client holds" : "clients hold")} a value the new rules refuse " +
                "(missing, or not matching the pattern): stored values are kept until they are changed, and imports " +
                "check every value they bring."));
            return RedirectToAction(nameof(Edit), new { id });
        }

        db.ChangeTracker.Clear();
        return await PageAsync((await settings.FindAsync(id, ct))!, form, ct);
    }

    [HttpPost("{id:int}/options")]
    public Task<IActionResult> AddOption(int id, string? optionName, CancellationToken ct) =>
        ChangeAsync(id, f => settings.AddOptionAsync(f, optionName, ct), $"The option {optionName?.Trim()} was added.", ct);

    [HttpPost("{id:int}/options/{optionId:int}")]
    public Task<IActionResult> RenameOption(int id, int optionId, string? optionName, CancellationToken ct) =>
        ChangeAsync(id, f => settings.RenameOptionAsync(f, optionId, optionName, User.UserId(), ct),
            "The option was renamed, in the clients' values too.", ct);

    [HttpPost("{id:int}/options/{optionId:int}/up")]
    public Task<IActionResult> MoveUp(int id, int optionId, CancellationToken ct) =>
        ChangeAsync(id, async f => { await settings.MoveOptionAsync(f, optionId, -1, ct); return new SettingsErrors(); }, null, ct);

    [HttpPost("{id:int}/options/{optionId:int}/down")]
    public Task<IActionResult> MoveDown(int id, int optionId, CancellationToken ct) =>
        ChangeAsync(id, async f => { await settings.MoveOptionAsync(f, optionId, 1, ct); return new SettingsErrors(); }, null, ct);

    [HttpPost("{id:int}/options/{optionId:int}/remove")]
    public Task<IActionResult> RemoveOption(int id, int optionId, CancellationToken ct) =>
        ChangeAsync(id, f => settings.RemoveOptionAsync(f, optionId, ct), "The option was removed.", ct);

    private static CustomFieldForm FormOf(CustomField field) => new()
    {
        Name = field.Name,
        Description = field.Description,
        Type = field.Type,
        Required = field.Required,
        ValidationRegex = field.ValidationRegex,
    };

    private async Task<IActionResult> ChangeAsync(int id, Func<CustomField, Task<SettingsErrors>> change, string? message,
        CancellationToken ct)
    {
        var field = await settings.FindAsync(id, ct);
        if (field is null)
        {
            return NotFound();
        }

        if (Refused(await change(field), out _))
        {
            db.ChangeTracker.Clear();
            field = (await settings.FindAsync(id, ct))!;
            return await PageAsync(field, FormOf(field), ct);
        }

        if (message is not null)
        {
            Confirm(message);
        }

        return RedirectToAction(nameof(Edit), new { id });
    }

    private async Task<IActionResult> PageAsync(CustomField field, CustomFieldForm form, CancellationToken ct) =>
        View(Views + "Edit.cshtml", new CustomFieldPage(field, form,
            await InventoryUsage.NamesAsync(db.Inventories.Where(i => i.CustomFields.Any(f => f.CustomFieldId == field.Id)),
                access, User, ct)));
}
