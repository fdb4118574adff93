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
        var sharing = new Dictionary<string, List<string>>(StringComparer.Ordinal);

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
                if (!sharing.TryGetValue(target, out var letters))
                {
                    sharing[target] = letters = [targetColumns[target]];
                }

                letters.Add(sheetColumn.Letter);
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

        // One message per field that several columns are mapped to, naming all of them.
        foreach (var (target, letters) in sharing)
        {
            var targetName = inventory.FindField(target)?.Name ?? DefaultFields.DisplayName(target);
            var named = string.Join(", ", letters.Select(l => $"{l} (\"{byLetter[l].Header}\")").SkipLast(1))
                + $" and {letters[^1]} (\"{byLetter[letters[^1]].Header}\")";
            errors.Add(new MappingIssue(letters[1],
                $"Columns {named} are {(letters.Count == 2 ? "both" : "all")} mapped to {targetName}: a field takes one column, so choose \"Do not import\" for all but one."));
        }

        var hasName = targetColumns.ContainsKey(DefaultFields.Name);
        if (!hasName)
        {
            errors.Add(new MappingIssue(null, "No column is mapped to Name: every client needs a name." + OneColumnHint(columns)));
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

    /// <summary>
    /// For a file read as one column whose header holds a likely delimiter ("Name:Department"): the columns were not
    /// found, rather than not mapped. The file's warnings name the delimiter where its rows agree.
    /// </summary>
    private static string OneColumnHint(IReadOnlyList<SheetColumn> columns)
    {
        if (columns.Count != 1 || columns[0].Header is not { Length: > 0 } header)
        {
            return "";
        }

        var at = header.IndexOfAny(Reading.Csv.CsvSource.LikelyDelimiters);
        if (at < 0)
        {
            return "";
        }

        var shown = Rules.ErrorText.Truncate(header, 60);
        var delimiter = header[at] == '\t' ? "a tab" : $"\"{header[at]}\"";
        return $" The file was read as one column, \"{shown}\": if {delimiter} separates its columns, choose it as the delimiter under File settings.";
    }
}
