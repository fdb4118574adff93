using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Mapping;

/// <summary>
/// The separator suggested for a multi-selection column, checked against the column's first values (decision 0113). The
/// suggestion is the separator the inventory's last import used for the field, or the default ";"; a file whose values
/// are separated otherwise ("Office|Teams", or an Excel list made with Alt+Enter) was split by it into nothing: each
/// whole cell became one value, which failed as no option, or, with "Create option if not exists" ticked, became one new
/// option "Office|Teams" without a word. So when none of the first values holds the suggested separator and some hold
/// one of the other common ones (";", ",", "|", a line break), that one is suggested instead: the one the most values
/// hold, the first of the list on a tie. A value that is itself an option of the field ("Adobe Reader, Pro") says
/// nothing. A separator the header names ("Software (separated by ~)") is kept, as is one the values hold.
/// </summary>
public static class SeparatorGuess
{
    /// <summary>The separators a value may show, in the order the page lists them.</summary>
    internal static readonly string[] Common = [";", ",", "|", "\n"];

    /// <param name="mapping">The suggested mapping, changed in place.</param>
    /// <param name="columns">The file's columns, in the order of <paramref name="firstValues"/>' lists.</param>
    /// <param name="firstValues">Each column's first non-empty values, as seen (read once, when first asked).</param>
    public static void Adjust(ImportMapping mapping, IReadOnlyList<SheetColumn> columns, InventoryDefinition inventory,
        Func<List<string>[]> firstValues)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(firstValues);
        for (var position = 0; position < columns.Count; position++)
        {
            var column = columns[position];
            var mapped = mapping.Columns.FirstOrDefault(c => string.Equals(c.Letter, column.Letter, StringComparison.OrdinalIgnoreCase));
            if (mapped?.Target is not { } target || inventory.FindField(target) is not { IsMultiValued: true } field
                || SeparatorHeader.TryParse(column.Header, out _, out _))
            {
                continue;
            }

            var values = firstValues()[position];
            if (Guess(values, field, mapped.Separator is { Length: > 0 } current ? current : ColumnMapping.DefaultSeparator) is { } better)
            {
                mapped.Separator = better;
            }
        }
    }

    /// <summary>The separator <paramref name="values"/> show instead of <paramref name="current"/>, or null to keep it.</summary>
    internal static string? Guess(IReadOnlyList<string> values, CustomField field, string current)
    {
        var options = field.Type == CustomFieldType.MultiSelection
            ? field.Options.Select(o => PlainText.AsSeen(o.Name) ?? "").ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
        var telling = values.Where(v => !options.Contains(v)).ToList();
        if (telling.Count == 0 || telling.Any(v => Holds(v, current)))
        {
            return null;
        }

        string? best = null;
        var most = 0;
        foreach (var separator in Common)
        {
            var count = telling.Count(v => Holds(v, separator));
            if (count > most)
            {
                (best, most) = (separator, count);
            }
        }

        return best;
    }

    private static bool Holds(string value, string separator) =>
        separator == "\n" || separator == "\r\n"
            ? value.AsSpan().IndexOfAny('\r', '\n') >= 0
            : value.Contains(separator, StringComparison.Ordinal);
}
