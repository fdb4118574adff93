using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>How a failing cell is edited in place: a free text, a choice of the valid values, or a search of users.</summary>
public enum CellEditorKind
{
    Text = 1,

    /// <summary>A status or a selection: a dropdown of the valid values.</summary>
    Choice,

    /// <summary>A multi-selection: text (values split by <see cref="CellEditor.Separator"/>) with the options suggested.</summary>
    Multi,

    /// <summary>Assignee or Client User: the rollout's users, searched by the attribute the column finds them by.</summary>
    User,
}

/// <summary>
/// The editor of one mapped column's cells; <see cref="Values"/> are the valid values (choices, or users as "value — label").
/// A page lists a column's values once (<c>_CellEditorLists.cshtml</c>, a <c>&lt;datalist&gt;</c> the editors refer to),
/// never once per cell; only a short list of choices (<see cref="MaxDropdownChoices"/>) is a dropdown in every editor.
/// </summary>
public sealed record CellEditor(string Letter, string? Field, CellEditorKind Kind, IReadOnlyList<CellChoice> Values, string? Separator = null)
{
    /// <summary>
    /// A choice of at most this many values is a dropdown in each editor (a workflow's statuses, a short selection); a
    /// longer one is a search in the column's one list, so a page's size does not grow with options × failing cells.
    /// </summary>
    public const int MaxDropdownChoices = 25;

    /// <summary>The id of the page's list of suggestions for this column (users, options of a selection).</summary>
    public string ListId => $"cell-values-{Letter}";

    /// <summary>A selection that creates missing options accepts any value: it gets the options suggested instead of a dropdown.</summary>
    public bool FreeText => Kind is CellEditorKind.Text or CellEditorKind.Multi or CellEditorKind.User;

    /// <summary>A choice short enough to be a dropdown in every editor (<see cref="MaxDropdownChoices"/>).</summary>
    public bool Dropdown => Kind == CellEditorKind.Choice && Values.Count <= MaxDropdownChoices;

    /// <summary>A choice too long for a dropdown: a box that searches the column's list; the value must be one of it.</summary>
    public bool SearchedChoice => Kind == CellEditorKind.Choice && !Dropdown;

    /// <summary>The page lists this column's values once (<see cref="ListId"/>): every editor but a dropdown's that has values.</summary>
    public bool Listed => Values.Count > 0 && !Dropdown;
}

/// <summary>A value to choose and what the person reads for it.</summary>
public sealed record CellChoice(string Value, string Label);

/// <summary>Builds the editors of the mapped columns (what a correction can be) from the mapping and the inventory.</summary>
public static class CellEditors
{
    /// <summary>At most this many users are suggested for a user column.</summary>
    private const int MaxUsers = 2_000;

    public static async Task<IReadOnlyDictionary<string, CellEditor>> LoadAsync(RolloutDbContext db, int rolloutId,
        ImportMapping mapping, InventoryDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(definition);
        var editors = new Dictionary<string, CellEditor>(StringComparer.OrdinalIgnoreCase);
        List<(string Name, string? Email, string Code, Role Role)>? members = null;
        foreach (var column in mapping.Columns)
        {
            if (column.Target is not { } target)
            {
                continue;
            }

            var field = definition.FindField(target);
            var label = DefaultFields.IsDefault(target) ? DefaultFields.DisplayName(target) : target;
            if (target == DefaultFields.Status)
            {
                editors[column.Letter] = new CellEditor(column.Letter, label, CellEditorKind.Choice,
                    [.. definition.Statuses.Select(s => new CellChoice(s.Name, s.Name))]);
            }
            else if (DefaultFields.IsUser(target))
            {
                members ??= (await db.RolloutMembers.AsNoTracking()
                        .Where(m => m.RolloutId == rolloutId && m.User.IsActive)
                        .OrderBy(m => m.User.DisplayName)
                        .Select(m => new { m.User.DisplayName, m.User.Email, m.User.UserCode, m.User.Role })
                        .Take(MaxUsers)
                        .ToListAsync(cancellationToken))
                    .Select(u => (u.DisplayName, u.Email, u.UserCode, u.Role)).ToList();
                var lookup = column.Lookup ?? ColumnMapping.DefaultLookup;
                var users = members.Where(u => target != DefaultFields.Assignee || u.Role >= Role.Technician)
                    .Select(u => new CellChoice(
                        lookup switch { UserLookup.Name => u.Name, UserLookup.UserId => u.Code, _ => u.Email ?? "" },
                        lookup == UserLookup.Email ? u.Name : $"{u.Name}, {u.Email}"))
                    .Where(c => c.Value.Length > 0);
                editors[column.Letter] = new CellEditor(column.Letter, label, CellEditorKind.User, [.. users]);
            }
            else if (field is { HasOptions: true })
            {
                var options = field.Options.Select(o => new CellChoice(o.Name, o.Name)).ToList();
                editors[column.Letter] = field.IsMultiValued
                    ? new CellEditor(column.Letter, label, CellEditorKind.Multi, options, column.Separator ?? ColumnMapping.DefaultSeparator)
                    : new CellEditor(column.Letter, label, column.CreateOptions ? CellEditorKind.Text : CellEditorKind.Choice, options);
            }
            else
            {
                editors[column.Letter] = new CellEditor(column.Letter, label,
                    field is { IsMultiValued: true } ? CellEditorKind.Multi : CellEditorKind.Text, [],
                    field is { IsMultiValued: true } ? column.Separator ?? ColumnMapping.DefaultSeparator : null);
            }
        }

        return editors;
    }
}
