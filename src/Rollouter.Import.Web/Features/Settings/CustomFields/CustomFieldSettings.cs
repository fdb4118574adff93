using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Web.Infrastructure.Security;
using Rollouter.Import.Web.Features.Imports;

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

    /// <summary>
    /// The field as the page showed it (<see cref="CustomFieldSettings.StampOf"/>): a save from a page opened before
    /// someone else's save is refused instead of silently undoing it. Absent: not checked.
    /// </summary>
    public string? Stamp { get; set; }
}

/// <summary>
/// Custom fields. Names are unique ignoring case; the pattern must be a valid .NET regular expression (checked as the
/// importer compiles it). The type changes only where every stored value stays valid: Input ↔ Text Area and Selection →
/// Multi-Selection. Options are unique per field ignoring case; renaming one renames it in every client's values,
/// and an option that clients use cannot be removed (the count is shown).
/// Fields are shared by rollouts: every change of an existing field or its options is refused to a rollout manager while
/// an inventory of a rollout they are not a member of uses the field (<see cref="SharedSettingsRule"/>); creating and
/// duplicating one is open to them. Creating, duplicating and every change of a field or its options (moving one too)
/// is an audit event.
/// </summary>
public sealed class CustomFieldSettings(RolloutDbContext db, SharedSettingsRule rule, AuditLog audit, TimeProvider clock)
{
    public static readonly IReadOnlyList<CustomFieldType> Types = Enum.GetValues<CustomFieldType>();

    /// <summary>What the clients of a renamed option read in their history: the settings change that renamed it.</summary>
    public const string OptionRenamedSetting = "option renamed";

    /// <summary>What the clients of an inventory switched to a field's copy read in their history.</summary>
    public static string CopiedSetting(string copyName) => $"field duplicated as \"{copyName}\"";

    public static string TypeName(CustomFieldType type) => type switch
    {
        CustomFieldType.Input => "Input",
        CustomFieldType.TextArea => "Text Area",
        CustomFieldType.Selection => "Selection",
        CustomFieldType.MultiSelection => "Multi-Selection",
        CustomFieldType.MultiSelectionFree => "Multi-Selection without options",
        _ => type.ToString(),
    };

    /// <summary>A short fingerprint of what the edit form changes: name, description, type, required flag, pattern.</summary>
    public static string StampOf(CustomField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var text = string.Join("\n", field.Name, field.Description, field.Type, field.Required, field.ValidationRegex);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
    }

    public static bool CanChangeType(CustomFieldType from, CustomFieldType to) =>
        from == to
        || (from, to) is (CustomFieldType.Input, CustomFieldType.TextArea) or (CustomFieldType.TextArea, CustomFieldType.Input)
            or (CustomFieldType.Selection, CustomFieldType.MultiSelection);

    public Task<CustomField?> FindAsync(int id, CancellationToken cancellationToken) =>
        db.CustomFields.Include(f => f.Options.OrderBy(o => o.Position)).SingleOrDefaultAsync(f => f.Id == id, cancellationToken);

    public async Task<Result<CustomField>> CreateAsync(ClaimsPrincipal user, CustomFieldForm form, IReadOnlyList<string>? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var errors = new ProblemList();
        await CheckAsync(form, 0, errors, cancellationToken);
        var names = (options ?? SettingsNames.Lines(form.Options)).Select(SettingsNames.Clean).OfType<string>().ToList();
        var hasOptions = form.Type is CustomFieldType.Selection or CustomFieldType.MultiSelection;
        if (!hasOptions && names.Count > 0)
        {
            errors.Invalid(nameof(CustomFieldForm.Options), $"A field of type {TypeName(form.Type)} has no options.");
        }
        else if (names.Count > CustomField.MaxOptions)
        {
            errors.Invalid(nameof(CustomFieldForm.Options), TooManyOptions(names.Count));
        }
        else if (SettingsNames.FirstDuplicate(names) is { } duplicate)
        {
            errors.Conflict(nameof(CustomFieldForm.Options), $"The option \"{duplicate}\" appears twice (compared ignoring case).");
        }
        else if (names.FirstOrDefault(n => n.Length > 400) is { } tooLong)
        {
            errors.Invalid(nameof(CustomFieldForm.Options), $"The option \"{tooLong[..20]}…\" is longer than 400 characters.");
        }
        else if (names.Select(n => SettingsNames.LineBreakOrControl(n, "An option name")).OfType<string>().FirstOrDefault() is { } broken)
        {
            errors.Invalid(nameof(CustomFieldForm.Options), broken);
        }

        if (errors.Failed)
        {
            return errors.Problem;
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
        await db.SaveChangesAsync(cancellationToken);
        audit.CustomFieldCreated(user.UserId(), field.Id, field.Name, TypeName(field.Type), field.Required, field.ValidationRegex,
            SettingsNames.Bounded(names));
        return field;
    }

    public async Task<Result> UpdateAsync(ClaimsPrincipal user, CustomField field, CustomFieldForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(form);
        var errors = await rule.RefusalForFieldAsync(user, field.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        if (form.Stamp is { } stamp && stamp != StampOf(field))
        {
            // The form posts every property: saved as it is, it would undo what the other person changed.
            errors.Conflict("", "Someone saved this field after you opened the page; nothing was saved. It now reads: " +
                $"name “{field.Name}”, {TypeName(field.Type)}, {(field.Required ? "required" : "not required")}, " +
                $"pattern “{field.ValidationRegex}”, description “{field.Description}”. Check your values below and save again.");
            return errors.ToResult();
        }

        await CheckAsync(form, field.Id, errors, cancellationToken);
        if (!CanChangeType(field.Type, form.Type))
        {
            errors.Invalid(nameof(CustomFieldForm.Type),
                $"A {TypeName(field.Type)} field cannot become {TypeName(form.Type)}: only Input ↔ Text Area and Selection → Multi-Selection keep every value valid. Create a new field instead.");
        }

        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var changes = Changes(field, form);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (form.Name != field.Name)
        {
            // Mappings name their fields: the inventories' remembered mappings and their imports not yet written follow
            // the new name, as they follow a copy (DuplicateAsync); a running import read the old one.
            if (await RefusalWhileImportingAsync(field.Id, "rename the field", cancellationToken) is { } running)
            {
                return Problem.Conflict(running);
            }

            var inventories = await rule.UsingField(field.Id).ToListAsync(cancellationToken);
            inventories.ForEach(i => i.LastImportMapping = Remap(i.LastImportMapping, field.Name, form.Name));
            var ids = inventories.Select(i => i.Id).ToList();
            var unwritten = await db.Imports.Where(i => ids.Contains(i.InventoryId) && i.Mapping != null
                && (i.Status == ImportStatus.Incomplete || i.Status == ImportStatus.WaitingForApproval
                    || i.Status == ImportStatus.Failed)).ToListAsync(cancellationToken);
            unwritten.ForEach(i => RemapImport(i, field.Name, form.Name));
        }

        field.Name = form.Name;
        field.Description = form.Description;
        field.Type = form.Type;
        field.Required = form.Required;
        field.ValidationRegex = form.ValidationRegex;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (changes.Count > 0)
        {
            audit.CustomFieldChanged(user.UserId(), field.Id, field.Name, string.Join("; ", changes));
        }

        return errors.ToResult();
    }

    /// <summary>What the form changes of the field, each "what before → after", for the audit log (the description only by name).</summary>
    private static List<string> Changes(CustomField field, CustomFieldForm form)
    {
        static string Quoted(string? text) => text is null ? "(none)" : $"\"{text}\"";
        static string YesNo(bool value) => value ? "yes" : "no";
        var changes = new List<string>();
        if (form.Name != field.Name)
        {
            changes.Add($"name {Quoted(field.Name)} → {Quoted(form.Name)}");
        }

        if (form.Description != field.Description)
        {
            changes.Add("description changed");
        }

        if (form.Type != field.Type)
        {
            changes.Add($"type {TypeName(field.Type)} → {TypeName(form.Type)}");
        }

        if (form.Required != field.Required)
        {
            changes.Add($"required {YesNo(field.Required)} → {YesNo(form.Required)}");
        }

        if (form.ValidationRegex != field.ValidationRegex)
        {
            changes.Add($"pattern {Quoted(field.ValidationRegex)} → {Quoted(form.ValidationRegex)}");
        }

        return changes;
    }

    /// <summary>
    /// Adds an option. It changes no client, but every import into an inventory with the field accepts it from then on,
    /// so it follows the rule of every other change. (An import's "Create option if not exists" adds the options its own
    /// file brings, as the original product does.)
    /// </summary>
    public async Task<Result> AddOptionAsync(ClaimsPrincipal user, CustomField field, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        var errors = await rule.RefusalForFieldAsync(user, field.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var clean = CheckOption(field, name, 0, errors);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        // The options are counted under the field's row lock, as an import's writer counts those it creates: whatever
        // adds options at the same moment, the field never passes the limit (decision 0100).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await CustomFieldRowLock.ForNewOptionsAsync(db, field.Id, cancellationToken))
        {
            return Problem.NotFound($"The field \"{field.Name}\" was deleted meanwhile: reload the page.");
        }

        var count = await db.CustomFieldOptions.CountAsync(o => o.CustomFieldId == field.Id, cancellationToken);
        if (count >= CustomField.MaxOptions)
        {
            errors.Invalid("OptionName",
                $"The field \"{field.Name}\" has {ImportNumbers.N(count)} options, the most a field can have: remove one before adding another.");
            return errors.ToResult();
        }

        var option = new CustomFieldOption { Name = clean, Position = Ordering.Next(field.Options, o => o.Position) };
        field.Options.Add(option);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit.OptionAdded(user.UserId(), field.Id, field.Name, option.Id, clean);
        return errors.ToResult();
    }

    /// <summary>
    /// Renames an option, and the value in every client of an inventory that has the field (recorded in their history), in
    /// one transaction.
    /// </summary>
    public async Task<Result> RenameOptionAsync(ClaimsPrincipal user, CustomField field, int optionId, string? name,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        var rename = await CheckRenameOptionAsync(user, field, optionId, name, cancellationToken);
        if (rename.Failed)
        {
            return rename.Problem;
        }

        var (option, clean) = rename.Value;
        if (clean == option.Name)
        {
            return Result.Success;
        }

        var actorId = user.UserId();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await RefusalWhileImportingAsync(field.Id, "rename the option", cancellationToken) is { } running)
        {
            return Problem.Conflict(running);
        }

        var old = option.Name;
        option.Name = clean;
        await db.SaveChangesAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var fieldName = field.Name;
        await ForEachClientWithOptionAsync(field.Id, old, (client, values) =>
        {
            string[] renamed = [.. values.Select(v => v == old ? clean : v)];
            client.Values[field.Id] = renamed;
            client.UpdatedAt = now;
            db.ClientHistory.Add(new ClientHistoryEntry
            {
                ClientId = client.Id, At = now, UserId = actorId, Action = ClientHistoryAction.Renamed,
                Changes = [new FieldChange(fieldName, string.Join("; ", values), string.Join("; ", renamed), FieldId: field.Id,
                    Setting: OptionRenamedSetting)],
            });
        }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit.OptionRenamed(actorId, field.Id, fieldName, option.Id, old, clean);
        return Result.Success;
    }

    /// <summary>
    /// What renaming the option would do: the refusal (the rule, or a bad name), or else how many clients hold the option
    /// and get the new name, so that the page can ask before changing them.
    /// </summary>
    public async Task<Result<int>> RenameOptionImpactAsync(ClaimsPrincipal user, CustomField field,
        int optionId, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        var rename = await CheckRenameOptionAsync(user, field, optionId, name, cancellationToken);
        if (rename.Failed)
        {
            return rename.Problem;
        }

        var (option, clean) = rename.Value;
        return clean == option.Name ? 0 : await CountClientsWithOptionAsync(field.Id, option.Name, cancellationToken);
    }

    /// <summary>Moves an option one place up (-1) or down (+1): the order of the dropdowns and the import template.</summary>
    public async Task<Result> MoveOptionAsync(ClaimsPrincipal user, CustomField field, int optionId, int direction,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        var errors = await rule.RefusalForFieldAsync(user, field.Id, cancellationToken);
        if (!errors.Failed && Ordering.MoveOne(field.Options, o => o.Position, (o, position) => o.Position = position,
                o => o.Id == optionId, direction))
        {
            await db.SaveChangesAsync(cancellationToken);
            // Positions as the page numbers them, from 1.
            var option = field.Options.Single(o => o.Id == optionId);
            audit.OptionMoved(user.UserId(), field.Id, field.Name, optionId, option.Name,
                option.Position + 1 - Math.Sign(direction), option.Position + 1);
        }

        return errors.ToResult();
    }

    /// <summary>Removes an option no client uses; one in use is refused with the number of clients.</summary>
    public async Task<Result> RemoveOptionAsync(ClaimsPrincipal user, CustomField field, int optionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        var errors = await rule.RefusalForFieldAsync(user, field.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var option = field.Options.SingleOrDefault(o => o.Id == optionId);
        if (option is null)
        {
            // Removed meanwhile, or another field's: nothing was removed here, and the page must not say it was.
            return Problem.Invalid("This option no longer exists.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await RefusalWhileImportingAsync(field.Id, "remove the option", cancellationToken) is { } running)
        {
            return Problem.Conflict(running);
        }

        var used = await CountClientsWithOptionAsync(field.Id, option.Name, cancellationToken);
        if (used > 0)
        {
            errors.Invalid("", $"{used:N0} {(used == 1 ? "client has" : "clients have")} the option \"{option.Name}\": change their value first (e.g. by an import with Update existing clients), or rename the option instead.");
            return errors.ToResult();
        }

        field.Options.Remove(option);
        db.CustomFieldOptions.Remove(option);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit.OptionRemoved(user.UserId(), field.Id, field.Name, option.Id, option.Name);
        return errors.ToResult();
    }

    /// <summary>
    /// How many clients of the inventories with the field hold <paramref name="option"/> (exactly: <see
    /// cref="ClientQueries.Holds"/>): one count in the database where it can tell (<see cref="ClientQueries.HoldingOption"/>:
    /// 0.3 s instead of 1.0–1.3 s at 300,000 clients on PostgreSQL), else each client's values read and asked here.
    /// </summary>
    public async Task<int> CountClientsWithOptionAsync(int fieldId, string option, CancellationToken cancellationToken) =>
        db.HoldingOption(fieldId, option) is { } holding
            ? await ClientsWithField(fieldId, holding).CountAsync(cancellationToken)
            : await CountClientsWithOptionHereAsync(fieldId, option, cancellationToken);

    /// <summary>The count of <see cref="CountClientsWithOptionAsync"/> without the database's help: every client of the field read.</summary>
    internal async Task<int> CountClientsWithOptionHereAsync(int fieldId, string option, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var values in ClientsWithField(fieldId).AsNoTracking().Select(c => c.Values).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (ClientQueries.Holds(values.GetValueOrDefault(fieldId), option))
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
    public async Task<int> CountClientsBreakingRulesAsync(CustomField field, CancellationToken cancellationToken)
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
                .Take(1000).Select(c => new { c.Id, c.Values }).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return count;
            }

            count += batch.Count(c => Breaks(c.Values.GetValueOrDefault(field.Id)));
            lastId = batch[^1].Id;
        }
    }

    /// <summary>
    /// The inventories of <paramref name="user"/>'s rollouts that use the field, each with what keeps it from switching to
    /// a copy: an import into it running.
    /// </summary>
    public async Task<IReadOnlyList<SwitchChoice>> SwitchChoicesAsync(ClaimsPrincipal user, CustomField field, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        var visible = await rule.VisibleRolloutIdsAsync(user, cancellationToken);
        return await db.Inventories.AsNoTracking()
            .Where(i => visible.Contains(i.RolloutId) && i.CustomFields.Any(f => f.CustomFieldId == field.Id))
            .OrderBy(i => i.Rollout.Name).ThenBy(i => i.Name)
            .Select(i => new SwitchChoice(i.Id, i.Rollout.Name + " / " + i.Name,
                db.Imports.Any(m => m.InventoryId == i.Id && m.Status == ImportStatus.InProgress) ? "has an import running" : null))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// A new field like <paramref name="field"/> (description, type, required flag, pattern, options in order) under
    /// <paramref name="name"/>, and <paramref name="inventoryIds"/> switched to it: each of those inventories (of the
    /// user's rollouts, using the field, no import into it running) then has the copy at the original's place instead
    /// of the original, each of its clients' values of the original is moved to the copy with a history entry, and its
    /// remembered mapping and not yet written imports map to the copy where they mapped to the original. The original
    /// then no longer reaches the inventory (no hidden values are left behind to lock it for the other rollouts). One
    /// transaction: an inventory that cannot switch refuses the whole, and nothing is created.
    /// </summary>
    public async Task<Result<CustomField>> DuplicateAsync(ClaimsPrincipal user, CustomField field,
        string? name, IReadOnlyList<int> inventoryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(inventoryIds);
        var form = new CustomFieldForm
        {
            Name = name ?? "", Description = field.Description, Type = field.Type, Required = field.Required,
            ValidationRegex = field.ValidationRegex,
        };
        var errors = new ProblemList();
        await CheckAsync(form, 0, errors, cancellationToken);
        var visible = await rule.VisibleRolloutIdsAsync(user, cancellationToken);
        var ids = inventoryIds.Distinct().ToList();
        // Ordered by rollout, so that two copies made at once take the rollouts' write locks in the same order.
        var inventories = await db.Inventories.Include(i => i.CustomFields)
            .Where(i => ids.Contains(i.Id) && visible.Contains(i.RolloutId) && i.CustomFields.Any(f => f.CustomFieldId == field.Id))
            .OrderBy(i => i.RolloutId).ThenBy(i => i.Id).ToListAsync(cancellationToken);
        if (inventories.Count != ids.Count)
        {
            errors.Invalid("InventoryIds", "Only inventories of your rollouts that use this field can switch to the copy.");
        }

        if (errors.Failed)
        {
            return errors.Problem;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var copy = new CustomField
        {
            Name = form.Name, Description = form.Description, Type = form.Type, Required = form.Required,
            ValidationRegex = form.ValidationRegex,
            Options = [.. field.Options.OrderBy(o => o.Position).Select((o, i) => new CustomFieldOption { Name = o.Name, Position = i })],
        };
        db.CustomFields.Add(copy);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var inventory in inventories)
        {
            // An import writes values under this lock: wait for it, so that none is left behind on the original.
            await RolloutWriteLock.AcquireAsync(db, inventory.RolloutId, cancellationToken);
            if (await db.Imports.AnyAsync(i => i.InventoryId == inventory.Id && i.Status == ImportStatus.InProgress, cancellationToken))
            {
                db.ChangeTracker.Clear();
                return Problem.Invalid($"The inventory {inventory.Name} cannot switch to the copy: it has an import running.",
                    "InventoryIds");
            }

            var place = inventory.CustomFields.Single(f => f.CustomFieldId == field.Id);
            inventory.CustomFields.Remove(place);
            inventory.CustomFields.Add(new InventoryCustomField { CustomFieldId = copy.Id, Position = place.Position });
            inventory.LastImportMapping = Remap(inventory.LastImportMapping, field.Name, copy.Name);
            var unwritten = await db.Imports.Where(i => i.InventoryId == inventory.Id && i.Mapping != null
                && (i.Status == ImportStatus.Incomplete || i.Status == ImportStatus.WaitingForApproval
                    || i.Status == ImportStatus.Failed)).ToListAsync(cancellationToken);
            unwritten.ForEach(i => RemapImport(i, field.Name, copy.Name));

            await db.SaveChangesAsync(cancellationToken);
            await MoveValuesAsync(inventory, field, copy, user.UserId(), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        audit.CustomFieldDuplicated(user.UserId(), field.Id, field.Name, copy.Id, copy.Name, [.. inventories.Select(i => i.Id)]);
        return copy;
    }

    /// <summary>
    /// An import's mapping following the field's new name (<see cref="Remap"/>); a changed one gets a new concurrency stamp,
    /// so that a step of the import that read the old mapping before this save is refused as a change made meanwhile.
    /// </summary>
    private static void RemapImport(ClientImport import, string original, string copy)
    {
        var remapped = Remap(import.Mapping, original, copy);
        if (remapped != import.Mapping)
        {
            import.Mapping = remapped;
            import.ConcurrencyStamp = Guid.NewGuid();
        }
    }

    /// <summary>A stored mapping with the columns mapped to <paramref name="original"/> mapped to <paramref name="copy"/> (a copy, or the renamed field).</summary>
    private static string? Remap(string? json, string original, string copy)
    {
        if (json is null)
        {
            return null;
        }

        var mapping = ImportMapping.FromJson(json);
        var columns = mapping.Columns.Where(c => c.Target == original).ToList();
        columns.ForEach(c => c.Target = copy);
        return columns.Count == 0 ? json : mapping.ToJson();
    }

    /// <summary>
    /// Moves each value of <paramref name="original"/> of the inventory's clients to the copy, with history (the
    /// original emptied, the copy set); 1,000 at a time.
    /// </summary>
    private async Task MoveValuesAsync(Inventory inventory, CustomField original, CustomField copy, int actorId, CancellationToken cancellationToken)
    {
        var fieldId = original.Id;
        var now = clock.GetUtcNow();
        var lastId = 0;
        while (true)
        {
            var batch = await db.Clients.InInventory(inventory.RolloutId, inventory.Id).Where(c => c.Id > lastId)
                .OrderBy(c => c.Id).Take(1000).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return;
            }

            var history = new List<ClientHistoryEntry>();
            foreach (var client in batch.Where(c => c.Values.ContainsKey(fieldId)))
            {
                var values = client.Values[fieldId];
                client.Values.Remove(fieldId);
                // The dictionary is changed in place; tell EF Core the JSON column changed.
                db.Entry(client).Property(c => c.Values).IsModified = true;
                if (values.Length == 0)
                {
                    continue;
                }

                client.Values[copy.Id] = [.. values];
                client.UpdatedAt = now;
                var text = string.Join("; ", values);
                history.Add(new ClientHistoryEntry
                {
                    ClientId = client.Id, At = now, UserId = actorId, Action = ClientHistoryAction.Changed,
                    Changes =
                    [
                        new FieldChange(original.Name, text, null, FieldId: fieldId, Setting: CopiedSetting(copy.Name)),
                        new FieldChange(copy.Name, null, text, FieldId: copy.Id, Setting: CopiedSetting(copy.Name)),
                    ],
                });
            }

            db.ClientHistory.AddRange(history);
            await db.SaveChangesAsync(cancellationToken);
            lastId = batch[^1].Id;
            // Only the batch goes: the inventories switched next are still tracked.
            foreach (var entry in batch.Cast<object>().Concat(history))
            {
                db.Entry(entry).State = EntityState.Detached;
            }
        }
    }

    /// <summary>The clients of the inventories that show the field or keep its values hidden (<see cref="SharedSettingsRule.UsingField"/>).</summary>
    private IQueryable<Client> ClientsWithField(int fieldId, IQueryable<Client>? clients = null) =>
        (clients ?? db.Clients).Where(c => rule.UsingField(fieldId).Any(i => i.Id == c.InventoryId && i.RolloutId == c.RolloutId));

    /// <summary>
    /// Inside the caller's transaction: waits for the write lock of every rollout with an inventory that has the field
    /// (shown or hidden), in the rollouts' order as <see cref="DuplicateAsync"/> does, so that no import writes values of
    /// the field meanwhile; then the refusal while an import into one of them runs (it read the field's name and options
    /// when it started, and would write what it read). Null when the change may go on.
    /// </summary>
    private async Task<string?> RefusalWhileImportingAsync(int fieldId, string change, CancellationToken cancellationToken)
    {
        var inventories = await rule.UsingField(fieldId).Select(i => new { i.Id, i.RolloutId }).ToListAsync(cancellationToken);
        foreach (var rollout in inventories.Select(i => i.RolloutId).Distinct().Order())
        {
            await RolloutWriteLock.AcquireAsync(db, rollout, cancellationToken);
        }

        var ids = inventories.Select(i => i.Id).ToList();
        return await db.Imports.AnyAsync(i => ids.Contains(i.InventoryId) && i.Status == ImportStatus.InProgress, cancellationToken)
            ? $"An import into an inventory with this field is running: {change} when it has finished."
            : null;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to every client holding <paramref name="option"/>, 1,000 at a time: only those
    /// clients are read where the database can tell (<see cref="ClientQueries.HoldingOption"/>).
    /// </summary>
    private async Task ForEachClientWithOptionAsync(int fieldId, string option, Action<Client, string[]> change,
        CancellationToken cancellationToken)
    {
        var clients = ClientsWithField(fieldId, db.HoldingOption(fieldId, option));
        var lastId = 0;
        while (true)
        {
            var batch = await clients.Where(c => c.Id > lastId).OrderBy(c => c.Id).Take(1000).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return;
            }

            foreach (var client in batch)
            {
                if (client.Values.TryGetValue(fieldId, out var values) && ClientQueries.Holds(values, option))
                {
                    change(client, values);
                    // The dictionary is changed in place; tell EF Core the JSON column changed.
                    db.Entry(client).Property(c => c.Values).IsModified = true;
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            lastId = batch[^1].Id;
        }
    }

    private async Task CheckAsync(CustomFieldForm form, int id, ProblemList errors, CancellationToken cancellationToken)
    {
        form.Name = SettingsNames.Clean(form.Name) ?? "";
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
        else if (SettingsNames.LineBreakOrControl(form.Name, "A custom field's name") is { } broken)
        {
            errors.Invalid(nameof(CustomFieldForm.Name), broken);
        }
        else if (DefaultFields.All.SelectMany(d => new[] { d, DefaultFields.DisplayName(d) })
                     .Any(d => string.Equals(d, form.Name.Trim(), StringComparison.OrdinalIgnoreCase))
                 && !await db.CustomFields.AnyAsync(f => f.Id == id && f.Name == form.Name, cancellationToken))
        {
            // Mappings name their targets: a custom field called "Description" would be taken for the default field.
            errors.Invalid(nameof(CustomFieldForm.Name), $"\"{form.Name}\" is the name of a default field: choose another name.");
        }
        else
        {
            if (await db.CustomFields.Where(f => f.Id != id).AnyAsync(IgnoringCase.Equal<CustomField>(f => f.Name, form.Name), cancellationToken))
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

    /// <summary>The option and its new name (trimmed), if the rename may go ahead.</summary>
    private async Task<Result<(CustomFieldOption Option, string Name)>> CheckRenameOptionAsync(
        ClaimsPrincipal user, CustomField field, int optionId, string? name, CancellationToken cancellationToken)
    {
        var errors = await rule.RefusalForFieldAsync(user, field.Id, cancellationToken);
        if (errors.Failed)
        {
            return errors.Problem;
        }

        var option = field.Options.SingleOrDefault(o => o.Id == optionId);
        if (option is null)
        {
            return Problem.Invalid("This option no longer exists.");
        }

        var clean = CheckOption(field, name, optionId, errors);
        return errors.ToResult((option, clean));
    }

    /// <summary>"A field can have at most 1,000 options, and 1,200 were entered. …" (a new field's list).</summary>
    private static string TooManyOptions(int count) =>
        $"A field can have at most {ImportNumbers.N(CustomField.MaxOptions)} options, and {ImportNumbers.N(count)} were entered. Keep the list to the values " +
        "people choose from; for free text, use a Multi-Selection without options or an Input field.";

    /// <summary>The trimmed name (blank when refused as blank).</summary>
    private static string CheckOption(CustomField field, string? name, int optionId, ProblemList errors)
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
        else if (SettingsNames.LineBreakOrControl(clean, "An option name") is { } broken)
        {
            errors.Invalid("OptionName", broken);
        }
        else if (field.Options.FirstOrDefault(o => o.Id != optionId && string.Equals(o.Name, clean, StringComparison.OrdinalIgnoreCase))
                 is { } same)
        {
            errors.Conflict("OptionName", same.Name == clean
                ? $"The field already has the option \"{clean}\"."
                : $"The field already has the option \"{same.Name}\", which differs only by case.");
        }

        return clean ?? "";
    }
}
