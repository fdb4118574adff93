using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Settings.CustomFields;

/// <summary>
/// Custom fields and their options (Rollout Manager or higher). A change of a field that an inventory of a rollout the
/// manager is not a member of uses is refused with 403 and the page saying so (<see cref="SharedSettingsRule"/>).
/// </summary>
[Route("settings/custom-fields")]
public sealed class CustomFieldsController(RolloutDbContext db, SharedSettingsRule rule, CustomFieldSettings settings)
    : SettingsControllerBase
{
    private const string Views = "~/Features/Settings/CustomFields/";

    private const string SwitchRule =
        "A switched inventory has the copy where it had the original. Each of its clients' values of the original is " +
        "copied to the copy, with a history entry, and the mapping its next import is offered maps to the copy. The " +
        "values of the original stay on the clients, as when a field is taken off an inventory. Link types that share " +
        "the original do not share the copy: an administrator can add it to them.";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var reaches = await rule.ReachOfFieldsAsync(User, cancellationToken);
        var fields = await db.CustomFields.AsNoTracking().OrderBy(f => f.Name)
            .Select(f => new { f.Id, f.Name, f.Type, f.Required, f.ValidationRegex, Options = f.Options.Count })
            .ToListAsync(cancellationToken);
        return View(Views + "Index.cshtml", fields
            .Select(f => new CustomFieldListItem(f.Id, f.Name, f.Type, f.Required, f.ValidationRegex, f.Options,
                reaches.GetValueOrDefault(f.Id, SettingReach.None)))
            .ToList());
    }

    [HttpGet("new")]
    public IActionResult New() => View(Views + "Edit.cshtml", new CustomFieldPage(null, new CustomFieldForm(), SettingReach.None));

    [HttpPost("new")]
    public async Task<IActionResult> Create(CustomFieldForm form, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            if (!Refused(await settings.CreateAsync(User, form, null, cancellationToken), out _, out var field))
            {
                Confirm($"The custom field {field.Name} was created.");
                return RedirectToAction(nameof(Edit), new { id = field.Id });
            }
        }

        return View(Views + "Edit.cshtml", new CustomFieldPage(null, form, SettingReach.None));
    }

    /// <summary>The field, and one page of its options (<see cref="OptionList"/>: <paramref name="page"/>, <paramref name="search"/>).</summary>
    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, int page, string? search, CancellationToken cancellationToken)
    {
        var field = await settings.FindAsync(id, cancellationToken);
        return field is null ? NotFound() : await PageAsync(field, FormOf(field), cancellationToken, page, search);
    }

    [HttpPost("{id:int}")]
    public async Task<IActionResult> Update(int id, CustomFieldForm form, CancellationToken cancellationToken)
    {
        var field = await settings.FindAsync(id, cancellationToken);
        if (field is null)
        {
            return NotFound();
        }

        var rulesBefore = (field.Required, field.ValidationRegex);
        var forbidden = false;
        if (ModelState.IsValid && !Refused(await settings.UpdateAsync(User, field, form, cancellationToken), out forbidden))
        {
            var breaking = rulesBefore == (field.Required, field.ValidationRegex)
                ? 0
                : await settings.CountClientsBreakingRulesAsync(field, cancellationToken);
            Confirm($"The custom field {field.Name} was saved." + (breaking == 0 ? "" :
                $" {breaking:N0} {(breaking == 1 ? "client holds" : "clients hold")} a value the new rules refuse " +
                "(missing, or not matching the pattern): stored values are kept until they are changed, and imports " +
                "check every value they bring."));
            return RedirectToAction(nameof(Edit), new { id });
        }

        db.ChangeTracker.Clear();
        ForbidIf(forbidden);
        if (await settings.FindAsync(id, cancellationToken) is not { } fresh)
        {
            return NotFound();
        }

        // The form as posted, now of the field as it is: saving it again is a decision made knowing the other change.
        form.Stamp = CustomFieldSettings.StampOf(fresh);
        return await PageAsync(fresh, form, cancellationToken);
    }

    [HttpPost("{id:int}/options")]
    public Task<IActionResult> AddOption(int id, string? optionName, CancellationToken cancellationToken) =>
        ChangeAsync(id, f => settings.AddOptionAsync(User, f, optionName, cancellationToken), $"The option {optionName?.Trim()} was added.", cancellationToken);

    /// <summary>
    /// Renames an option, in its clients' values too. When clients hold it, the first post asks first, naming how many
    /// clients change; the answer posts again with <paramref name="confirmed"/>.
    /// </summary>
    [HttpPost("{id:int}/options/{optionId:int}")]
    public async Task<IActionResult> RenameOption(int id, int optionId, string? optionName, bool confirmed, CancellationToken cancellationToken)
    {
        var field = await settings.FindAsync(id, cancellationToken);
        if (field is null)
        {
            return NotFound();
        }

        if (!confirmed)
        {
            var clients = await settings.RenameOptionImpactAsync(User, field, optionId, optionName, cancellationToken);
            if (clients is { Succeeded: true, Value: > 0 } && optionName is not null)
            {
                var (page, search) = ListOf(Request);
                return View(Views + "RenameOption.cshtml",
                    new RenameOptionPage(field, field.Options.Single(o => o.Id == optionId), optionName.Trim(), clients.Value, page, search));
            }
        }

        return await ChangeAsync(id, f => settings.RenameOptionAsync(User, f, optionId, optionName, cancellationToken),
            "The option was renamed, in the clients' values too.", cancellationToken);
    }

    [HttpPost("{id:int}/options/{optionId:int}/up")]
    public Task<IActionResult> MoveUp(int id, int optionId, CancellationToken cancellationToken) =>
        MoveAsync(id, optionId, -1, cancellationToken);

    [HttpPost("{id:int}/options/{optionId:int}/down")]
    public Task<IActionResult> MoveDown(int id, int optionId, CancellationToken cancellationToken) =>
        MoveAsync(id, optionId, 1, cancellationToken);

    /// <summary>
    /// Moves an option a place and returns to its button on the page of options that now holds it, with "Finance moved
    /// to position 2." beside the list.
    /// </summary>
    private async Task<IActionResult> MoveAsync(int id, int optionId, int direction, CancellationToken cancellationToken)
    {
        var field = await settings.FindAsync(id, cancellationToken);
        if (field is null)
        {
            return NotFound();
        }

        int PlaceOf() => field.Options.OrderBy(o => o.Position).ToList().FindIndex(o => o.Id == optionId);
        var before = PlaceOf();
        if (Refused(await settings.MoveOptionAsync(User, field, optionId, direction, cancellationToken), out var forbidden))
        {
            db.ChangeTracker.Clear();
            ForbidIf(forbidden);
            return await settings.FindAsync(id, cancellationToken) is { } fresh ? await PageAsync(fresh, FormOf(fresh), cancellationToken) : NotFound();
        }

        var (page, search) = ListOf(Request);
        if (field.Options.SingleOrDefault(o => o.Id == optionId) is not { } option)
        {
            return RedirectToAction(nameof(Edit), new { id });
        }

        var after = PlaceOf();
        var button = ConfirmMove(option.Name, optionId, before, after, field.Options.Count, direction);
        // Without a search, the page of all options that holds its new place (a move may cross a page's end).
        var shown = search is null ? after / OptionList.PageSize + 1 : page;
        var address = shown > 1 || search is not null
            ? new OptionList([], 0, 0, search, shown, shown).Link(id, shown)
            : $"/settings/custom-fields/{id}#options";
        return Redirect(address[..address.IndexOf('#', StringComparison.Ordinal)] + "#" + button);
    }

    [HttpPost("{id:int}/options/{optionId:int}/remove")]
    public Task<IActionResult> RemoveOption(int id, int optionId, CancellationToken cancellationToken) =>
        ChangeAsync(id, f => settings.RemoveOptionAsync(User, f, optionId, cancellationToken), "The option was removed.", cancellationToken);

    /// <summary>A copy of the field to change freely, and which of the user's inventories switch to it.</summary>
    [HttpGet("{id:int}/duplicate")]
    public async Task<IActionResult> Duplicate(int id, CancellationToken cancellationToken)
    {
        var field = await settings.FindAsync(id, cancellationToken);
        return field is null ? NotFound() : await DuplicatePageAsync(field, $"{field.Name} (copy)", [], cancellationToken);
    }

    [HttpPost("{id:int}/duplicate")]
    public async Task<IActionResult> Duplicate(int id, string? name, int[]? inventoryIds, CancellationToken cancellationToken)
    {
        var field = await settings.FindAsync(id, cancellationToken);
        if (field is null)
        {
            return NotFound();
        }

        if (Refused(await settings.DuplicateAsync(User, field, name, inventoryIds ?? [], cancellationToken), out _, out var copy))
        {
            return await DuplicatePageAsync(field, name ?? "", inventoryIds ?? [], cancellationToken);
        }

        var switched = inventoryIds?.Length ?? 0;
        Confirm($"The custom field {copy.Name} was created as a copy of {field.Name}" + switched switch
        {
            0 => ".",
            1 => "; 1 inventory now uses it, with its clients' values.",
            _ => $"; {switched} inventories now use it, with their clients' values.",
        });
        return RedirectToAction(nameof(Edit), new { id = copy.Id });
    }

    private async Task<IActionResult> DuplicatePageAsync(CustomField field, string name, IReadOnlyCollection<int> chosen,
        CancellationToken cancellationToken) =>
        View("~/Features/Settings/Duplicate.cshtml", new DuplicatePage("custom field", field.Name,
            $"/settings/custom-fields/{field.Id}", name, await settings.SwitchChoicesAsync(User, field, cancellationToken), chosen, SwitchRule));

    private static CustomFieldForm FormOf(CustomField field) => new()
    {
        Name = field.Name,
        Description = field.Description,
        Type = field.Type,
        Required = field.Required,
        ValidationRegex = field.ValidationRegex,
        Stamp = CustomFieldSettings.StampOf(field),
    };

    private async Task<IActionResult> ChangeAsync(int id, Func<CustomField, Task<Result>> change, string? message,
        CancellationToken cancellationToken)
    {
        var field = await settings.FindAsync(id, cancellationToken);
        if (field is null)
        {
            return NotFound();
        }

        if (Refused(await change(field), out var forbidden))
        {
            db.ChangeTracker.Clear();
            ForbidIf(forbidden);
            return await settings.FindAsync(id, cancellationToken) is { } fresh ? await PageAsync(fresh, FormOf(fresh), cancellationToken) : NotFound();
        }

        if (message is not null)
        {
            Confirm(message);
        }

        // Back to the page of options the form was on (its hidden page and search).
        var (page, search) = ListOf(Request);
        return page > 1 || search is not null
            ? Redirect(new OptionList([], 0, 0, search, page, page).Link(id, page))
            : RedirectToAction(nameof(Edit), new { id });
    }

    private static (int Page, string? Search) ListOf(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return (1, null);
        }

        var page = int.TryParse(request.Form["page"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 1;
        var search = request.Form["search"].ToString();
        return (page, string.IsNullOrWhiteSpace(search) ? null : search.Trim());
    }

    private async Task<IActionResult> PageAsync(CustomField field, CustomFieldForm form, CancellationToken cancellationToken,
        int page = 0, string? search = null)
    {
        if (page == 0 && Request.HasFormContentType)
        {
            (page, search) = ListOf(Request);
        }

        return View(Views + "Edit.cshtml", new CustomFieldPage(field, form, await rule.ReachOfFieldAsync(User, field.Id, cancellationToken),
            OptionList.Of(field, page, search)));
    }
}
