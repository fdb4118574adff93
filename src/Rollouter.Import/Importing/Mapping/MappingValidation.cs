using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Mapping;

/// <summary>A problem with the mapping of one column (<see cref="Column"/> = its letter) or of the whole mapping.</summary>
public sealed record MappingIssue(string? Column, string Message);

/// <summary>
/// The verdict on a mapping: errors keep the import from being approved; warnings are shown but allow it.
/// </summary>
public sealed record MappingValidation(IReadOnlyList<MappingIssue> Errors, IReadOnlyList<MappingIssue> Warnings)
{
    public bool HasName { get; init; }

    /// <summary>A Name column is mapped and the mapping holds no error (see <see cref="ImportStatusRules.AfterMapping"/>).</summary>
    public bool CanApprove => HasName && Errors.Count == 0;

    /// <summary>Checks a mapping against the file's columns and the inventory's fields.</summary>
    public static MappingValidation Validate(ImportMapping mapping, IReadOnlyList<SheetColumn> columns,
        InventoryDefinition inventory)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(inventory);
        var errors = new List<MappingIssue>();
        var warnings = new List<MappingIssue>();
        var byLetter = columns.ToDictionary(c => c.Letter, StringComparer.OrdinalIgnoreCase);
        var seenLetters = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var targetColumns = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var column in mapping.Columns)
        {
            var letter = column.Letter;
            if (!byLetter.TryGetValue(letter ?? "", out var sheetColumn))
            {
                errors.Add(new MappingIssue(letter, $"Column {letter} is not in the file."));
                continue;
            }

            var label = $"Column {sheetColumn.Letter} (\"{sheetColumn.Header}\")";
            if (!seenLetters.Add(sheetColumn.Letter))
            {
                errors.Add(new MappingIssue(sheetColumn.Letter, $"{label} is mapped more than once."));
                continue;
            }

            var target = column.Target;
            if (string.IsNullOrEmpty(target))
            {
                continue;
            }

            var field = DefaultFields.IsDefault(target) ? null : inventory.FindField(target);
            if (!DefaultFields.IsDefault(target) && field is null)
            {
                errors.Add(new MappingIssue(sheetColumn.Letter,
                    $"{label}: \"{target}\" is neither a default field nor a custom field of inventory \"{inventory.InventoryName}\"."));
                continue;
            }

            var targetName = field?.Name ?? DefaultFields.DisplayName(target);
            if (!targetColumns.TryAdd(target, sheetColumn.Letter))
            {
                var first = byLetter[targetColumns[target]];
                errors.Add(new MappingIssue(sheetColumn.Letter,
                    $"{label}: {targetName} is already mapped from column {first.Letter} (\"{first.Header}\"); a field takes one column."));
            }

            if (column.Lookup is { } lookup && !DefaultFields.IsUser(target))
            {
                errors.Add(new MappingIssue(sheetColumn.Letter,
                    $"{label}: a lookup attribute ({lookup}) applies only to Assignee and Client User, not to {targetName}."));
            }

            if (column.CreateOptions && field is not { HasOptions: true })
            {
                errors.Add(new MappingIssue(sheetColumn.Letter,
                    $"{label}: \"Create option if not exists\" applies only to selection fields with options, not to {targetName}."));
            }

            if (column.Separator is { } separator)
            {
                if (field is not { IsMultiValued: true })
                {
                    errors.Add(new MappingIssue(sheetColumn.Letter,
                        $"{label}: a value separator applies only to multi-selection fields, not to {targetName}."));
                }
                else if (separator.Length == 0)
                {
                    errors.Add(new MappingIssue(sheetColumn.Letter, $"{label}: the value separator cannot be empty."));
                }
            }
        }

        var hasName = targetColumns.ContainsKey(DefaultFields.Name);
        if (!hasName)
        {
            errors.Add(new MappingIssue(null, "No column is mapped to Name: every client needs a name."));
        }

        foreach (var field in inventory.CustomFields)
        {
            if (field.Required && !targetColumns.ContainsKey(field.Name))
            {
                warnings.Add(new MappingIssue(null,
                    $"Field \"{field.Name}\" is required but no column is mapped to it: rows that create clients will fail."));
            }
        }

        return new MappingValidation(errors, warnings) { HasName = hasName };
    }
}
