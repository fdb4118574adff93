using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Web.Features.Settings.CustomFields;

public sealed class CustomFieldForm
{
    [Required(ErrorMessage = "Enter the field's name.")]
    public string Name { get; set; } = "";

    public string? Description { get; set; }

    public CustomFieldType Type { get; set; } = CustomFieldType.Input;

    public bool Required { get; set; }

    [Display(Name = "Validation pattern")]
    public string? ValidationRegex { get; set; }

    /// <summary>On creation of a selection: the options, one per line.</summary>
    public string? Options { get; set; }
}

/// <summary>
/// Custom fields. Names are unique ignoring case; the pattern must be a valid .NET regular expression (checked as the
/// importer compiles it). The type changes only where every stored value stays valid: Input ↔ Text Area and Selection →
/// Multi-Selection. Options are unique per field ignoring case; renaming one renames it in every client's values,
/// and an option that clients use cannot be removed (the count is shown).
/// </summary>
public sealed class CustomFieldSettings(RolloutDbContext db)
{
    public static readonly IReadOnlyList<CustomFieldType> Types = Enum.GetValues<CustomFieldType>();

    public static string TypeName(CustomFieldType type) => type switch
    {
        CustomFieldType.Input => "Input",
        CustomFieldType.TextArea => "Text Area",
        CustomFieldType.Selection => "Selection",
        CustomFieldType.MultiSelection => "Multi-Selection",
        CustomFieldType.MultiSelectionFree => "Multi-Selection without options",
        _ => type.ToString(),
    };

    /// <summary>Whether a field of type <paramref name="from"/> may become <paramref name="to"/> without breaking values.</summary>
    public static bool CanChangeType(CustomFieldType from, CustomFieldType to) =>
        from == to
        || (from, to) is (CustomFieldType.Input, CustomFieldType.TextArea) or (CustomFieldType.TextArea, CustomFieldType.Input)
            or (CustomFieldType.Selection, CustomFieldType.MultiSelection);

    public Task<CustomField?> FindAsync(int id, CancellationToken ct) =>
        db.CustomFields.Include(f => f.Options.OrderBy(o => o.Position)).SingleOrDefaultAsync(f => f.Id == id, ct);

    public async Task<(CustomField? Field, SettingsErrors Errors)> CreateAsync(CustomFieldForm form, IReadOnlyList<string>? options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var errors = new SettingsErrors();
        await CheckAsync(form, 0, errors, ct);
        var names = (options ?? SettingsNames.Lines(form.Options)).Select(o => o.Trim()).Where(o => o.Length > 0).ToList();
        var hasOptions = form.Type is CustomFieldType.Selection or CustomFieldType.MultiSelection;
        if (!hasOptions && names.Count > 0)
        {
            errors.Invalid(nameof(CustomFieldForm.Options), $"A field of type {TypeName(form.Type)} has no options.");
        }
        else if (SettingsNames.FirstDuplicate(names) is { } duplicate)
        {
            errors.Conflict(nameof(CustomFieldForm.Options), $"The option \"{duplicate}\" appears twice (compared ignoring case).");
        }
        else if (names.FirstOrDefault(n => n.Length > 400) is { } tooLong)
        {
            errors.Invalid(nameof(CustomFieldForm.Options), $"The option \"{tooLong[..20]}…\" is longer than 400 characters.");
        }

        if (errors.Failed)
        {
            return (null, errors);
        }

        var field = new CustomField
        {
            Name = form.Name,
            Description = form.Description,
            Type = form.Type,
            Required = form.Required,
            ValidationRegex = form.ValidationRegex,
            Options = [.. names.Select((n, i) => new CustomFieldOption { Name = n, Position = i })],
        };
        db.CustomFields.Add(field);
        await db.SaveChangesAsync(ct);
        return (field, errors);
    }

    public async Task<SettingsErrors> UpdateAsync(CustomField field, CustomFieldForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(form);
        var errors = new SettingsErrors();
        await CheckAsync(form, field.Id, errors, ct);
        if (!CanChangeType(field.Type, form.Type))
        {
            errors.Invalid(nameof(CustomFieldForm.Type),
                $"A {TypeName(field.Type)} field cannot become {TypeName(form.Type)}: only Input ↔ Text Area and Selection → Multi-Selection keep every value valid. Create a new field instead.");
        }

        if (errors.Failed)
        {
            return errors;
        }

        field.Name = form.Name;
        field.Description = form.Description;
        field.Type = form.Type;
        field.Required = form.Required;
        field.ValidationRegex = form.ValidationRegex;
        await db.SaveChangesAsync(ct);
        return errors;
    }

    public async Task<SettingsErrors> AddOptionAsync(CustomField field, string? name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        var errors = new SettingsErrors();
        var clean = CheckOption(field, name, 0, errors);
        if (!errors.Failed)
        {
            field.Options.Add(new CustomFieldOption
            {
                Name = clean!, Position = Ordering.Next(field.Options, o => o.Position),
            });
            await db.SaveChangesAsync(ct);
        }

        return errors;
    }

    /// <summary>
    /// Renames an option, and the value in every client of an inventory that has the field (recorded in their history), in
    /// one transaction.
    /// </summary>
    public async Task<SettingsErrors> RenameOptionAsync(CustomField field, int optionId, string? name, int? actorId,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        var errors = new SettingsErrors();
        var option = field.Options.SingleOrDefault(o => o.Id == optionId);
        if (option is null)
        {
            errors.Invalid("", "This option no longer exists.");
            return errors;
        }

        var clean = CheckOption(field, name, optionId, errors);
        if (errors.Failed || clean == option.Name)
        {
            return errors;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var old = option.Name;
        option.Name = clean!;
        await db.SaveChangesAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var fieldName = field.Name;
        await ForEachClientWithOptionAsync(field.Id, old, (client, values) =>
        {
            string[] renamed = [.. values.Select(v => v == old ? clean! : v)];
            client.Values[field.Id] = renamed;
            client.UpdatedAt = now;
            db.ClientHistory.Add(new ClientHistoryEntry
            {
                ClientId = client.Id, At = now, UserId = actorId, Action = ClientHistoryAction.Changed,
                Changes = [new FieldChange(fieldName, string.Join("; ", values), string.Join("; ", renamed))],
            });
        }, ct);
        await transaction.CommitAsync(ct);
        return errors;
    }

    public async Task MoveOptionAsync(CustomField field, int optionId, int direction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (Ordering.MoveOne(field.Options, o => o.Position, (o, position) => o.Position = position,
                o => o.Id == optionId, direction))
        {
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Removes an option no client uses; one in use is refused with the number of clients.</summary>
    public async Task<SettingsErrors> RemoveOptionAsync(CustomField field, int optionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        var errors = new SettingsErrors();
        var option = field.Options.SingleOrDefault(o => o.Id == optionId);
        if (option is null)
        {
            return errors;
        }

        var used = await CountClientsWithOptionAsync(field.Id, option.Name, ct);
        if (used > 0)
        {
            errors.Invalid("", $"{used:N0} {(used == 1 ? "client has" : "clients have")} the option \"{option.Name}\": change their value first (e.g. by an import with Update existing clients), or rename the option instead.");
            return errors;
        }

        field.Options.Remove(option);
        db.CustomFieldOptions.Remove(option);
        await db.SaveChangesAsync(ct);
        return errors;
    }

    public async Task<int> CountClientsWithOptionAsync(int fieldId, string option, CancellationToken ct)
    {
        var count = 0;
        await foreach (var values in ClientsWithField(fieldId).AsNoTracking().Select(c => c.Values).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (values.TryGetValue(fieldId, out var value) && value.Contains(option))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// How many clients of the inventories with the field hold what its rules now refuse: no value for a required field,
    /// or a value its pattern does not match (each value of a multi-valued field, as an import checks them). Changing
    /// the rules changes no stored value, so the page says how many there are. Reads 1,000 clients at a time.
    /// </summary>
    public async Task<int> CountClientsBreakingRulesAsync(CustomField field, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        // A stored pattern compiles as the importer runs it (CheckAsync); one stored before that is not counted here,
        // and the importer reports it.
        var pattern = field.ValidationRegex is { Length: > 0 } text && FieldPattern.Problem(text) is null
            ? FieldPattern.Create(text)
            : null;

        if (!field.Required && pattern is null)
        {
            return 0;
        }

        bool Breaks(string[]? values)
        {
            if (values is not { Length: > 0 })
            {
                return field.Required;
            }

            return pattern is not null && values.Any(v => !pattern.IsMatch(v));
        }

        var count = 0;
        var lastId = 0;
        while (true)
        {
            var batch = await ClientsWithField(field.Id).AsNoTracking().Where(c => c.Id > lastId).OrderBy(c => c.Id)
                .Take(1000).Select(c => new { c.Id, c.Values }).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return count;
            }

            count += batch.Count(c => Breaks(c.Values.GetValueOrDefault(field.Id)));
            lastId = batch[^1].Id;
        }
    }

    private IQueryable<Client> ClientsWithField(int fieldId) =>
        db.Clients.Where(c => db.InventoryCustomFields.Any(f =>
            f.CustomFieldId == fieldId && f.InventoryId == c.InventoryId && f.Inventory.RolloutId == c.RolloutId));

    /// <summary>Applies <paramref name="change"/> to every client holding <paramref name="option"/>, 1,000 at a time.</summary>
    private async Task ForEachClientWithOptionAsync(int fieldId, string option, Action<Client, string[]> change,
        CancellationToken ct)
    {
        var lastId = 0;
        while (true)
        {
            var batch = await ClientsWithField(fieldId).Where(c => c.Id > lastId).OrderBy(c => c.Id).Take(1000).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return;
            }

            foreach (var client in batch)
            {
                if (client.Values.TryGetValue(fieldId, out var values) && values.Contains(option))
                {
                    change(client, values);
                    // The dictionary is changed in place; tell EF Core the JSON column changed.
                    db.Entry(client).Property(c => c.Values).IsModified = true;
                }
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            lastId = batch[^1].Id;
        }
    }

    private async Task CheckAsync(CustomFieldForm form, int id, SettingsErrors errors, CancellationToken ct)
    {
        form.Name = form.Name?.Trim() ?? "";
        form.Description = SettingsNames.Clean(form.Description);
        form.ValidationRegex = string.IsNullOrWhiteSpace(form.ValidationRegex) ? null : form.ValidationRegex;
        if (form.Name.Length == 0)
        {
            errors.Invalid(nameof(CustomFieldForm.Name), "Enter the field's name.");
        }
        else if (form.Name.Length > 200)
        {
            errors.Invalid(nameof(CustomFieldForm.Name), "The name can have at most 200 characters.");
        }
        else
        {
            var upper = form.Name.ToUpperInvariant();
            if (await db.CustomFields.AnyAsync(f => f.Id != id && f.Name.ToUpper() == upper, ct))
            {
                errors.Conflict(nameof(CustomFieldForm.Name), $"Another custom field is already named \"{form.Name}\".");
            }
        }

        if (form.Description?.Length > 2000)
        {
            errors.Invalid(nameof(CustomFieldForm.Description), "The description can have at most 2,000 characters.");
        }

        if (!Enum.IsDefined(form.Type))
        {
            errors.Invalid(nameof(CustomFieldForm.Type), "Choose a type.");
        }

        if (form.ValidationRegex is { } pattern)
        {
            if (pattern.Length > 1000)
            {
                errors.Invalid(nameof(CustomFieldForm.ValidationRegex), "The pattern can have at most 1,000 characters.");
            }
            else if (FieldPattern.Problem(pattern) is { } problem)
            {
                // Compiled as the importer runs it: a pattern that needs backtracking could stall every import's check.
                errors.Invalid(nameof(CustomFieldForm.ValidationRegex), problem);
            }
        }
    }

    private static string? CheckOption(CustomField field, string? name, int optionId, SettingsErrors errors)
    {
        var clean = SettingsNames.Clean(name);
        if (!field.HasOptions)
        {
            errors.Invalid("OptionName", $"A field of type {TypeName(field.Type)} has no options.");
        }
        else if (clean is null)
        {
            errors.Invalid("OptionName", "Enter the option's name.");
        }
        else if (clean.Length > 400)
        {
            errors.Invalid("OptionName", "An option can have at most 400 characters.");
        }
        else if (field.Options.FirstOrDefault(o => o.Id != optionId && string.Equals(o.Name, clean, StringComparison.OrdinalIgnoreCase))
                 is { } same)
        {
            errors.Conflict("OptionName", same.Name == clean
                ? $"The field already has the option \"{clean}\"."
                : $"The field already has the option \"{same.Name}\", which differs only by case.");
        }

        return clean;
    }
}
