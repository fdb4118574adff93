using System.Globalization;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// A custom field's value: for a selection each value is one of the field's options (its stored spelling), or a new
/// option when the column may create options; multi-selections are split at the column's separator; where the field
/// has a pattern, each value must match it.
/// </summary>
internal static class FieldValueRule
{
    /// <returns>The value to store, or null for an empty cell or an error.</returns>
    public static string[]? Read(ColumnPlan column, FieldPlan field, string? cell, RowBuffer buffer, ErrorCollector errors)
    {
        if (string.IsNullOrWhiteSpace(cell))
        {
            return null;
        }

        switch (field.Field.Type)
        {
            case CustomFieldType.Selection:
            {
                var value = cell.Trim();
                var option = FindOption(field, column, value, cell, buffer, errors, multi: false);
                return option is null || !MatchesPattern(field, column, value, cell, errors) ? null : field.Single(option);
            }
            case CustomFieldType.MultiSelection:
            case CustomFieldType.MultiSelectionFree:
            {
                var parts = cell.Split(column.Separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0)
                {
                    return null;
                }

                var count = 0;
                var failed = false;
                // An error names the failing part and keeps the whole cell as its value: the failed row's editor then
                // starts from every value of the cell (correcting only "Teamz" lost "Office" of "Office;Teamz"), and
                // "Replace every …", which compares whole cells, finds it.
                foreach (var part in parts)
                {
                    var value = field.Field.Type == CustomFieldType.MultiSelectionFree
                        ? part
                        : FindOption(field, column, part, cell, buffer, errors, multi: true);
                    if (value is null || !MatchesPattern(field, column, part, cell, errors))
                    {
                        failed = true;
                        continue;
                    }

                    if (Array.IndexOf(parts, value, 0, count) < 0)
                    {
                        parts[count++] = value;
                    }
                }

                return failed ? null : count == parts.Length ? parts : parts[..count];
            }
            case CustomFieldType.TextArea:
                return MatchesPattern(field, column, cell, cell, errors) ? [cell] : null;
            default:
            {
                var value = cell.Trim();
                return MatchesPattern(field, column, value, cell, errors) ? [value] : null;
            }
        }
    }

    /// <summary>
    /// The cell's value as the rule reads it before options and pattern (a multi-selection split at the column's
    /// separator, an Input or Selection trimmed, a Text Area as written), to compare with the value a client already
    /// has; null for an empty cell.
    /// </summary>
    public static string[]? AsRead(ColumnPlan column, FieldPlan field, string? cell)
    {
        if (string.IsNullOrWhiteSpace(cell))
        {
            return null;
        }

        return field.Field.Type switch
        {
            CustomFieldType.MultiSelection or CustomFieldType.MultiSelectionFree =>
                cell.Split(column.Separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            CustomFieldType.TextArea => [cell],
            _ => [cell.Trim()],
        };
    }

    /// <summary>The option's stored spelling, or a new option (once per name and pass) when the column may create options.</summary>
    private static string? FindOption(FieldPlan field, ColumnPlan column, string value, string cell, RowBuffer buffer,
        ErrorCollector errors, bool multi)
    {
        if (field.TryFind(value, out var option))
        {
            return option;
        }

        if (!column.CreateOptions)
        {
            field.OptionsByLooseKey ??= field.Field.Options.GroupBy(o => ErrorText.Loose(o.Name)).ToDictionary(g => g.Key, g => g.First().Name);
            var meant = ErrorText.DidYouMean(field.OptionsByLooseKey, value);
            var separator = multi ? OtherSeparatorHint(column, value) : "";
            errors.Add(column, cell, meant.Length == 0 && separator.Length == 0
                ? $"\"{ErrorText.Shorten(value)}\" is not an option of field \"{field.Field.Name}\"; add it to the field's options or enable \"Create option if not exists\"."
                : $"\"{ErrorText.Shorten(value)}\" is not an option of field \"{field.Field.Name}\".{meant}{separator} Otherwise add it to the field's options or enable \"Create option if not exists\".");
            return null;
        }

        if (PlainText.IndexOfLineBreakOrControl(value) is >= 0 and var at)
        {
            // The settings take an option a line (SettingsNames.Lines): a created one must not hold a line break, which
            // is most likely an Excel list (Alt+Enter) of several values, nor a tab or another control character, which
            // no option name holds (decision 0174).
            var what = PlainText.DescribeLineBreakOrControl(value[at]);
            var lineBreak = PlainText.IsLineBreak(value[at]);
            var hint = multi && lineBreak ? OtherSeparatorHint(column, value) : "";
            errors.Add(column, cell, lineBreak
                ? $"\"{ErrorText.Shorten(value)}\" holds a line break, which an option of field \"{field.Field.Name}\" cannot.{(hint.Length > 0 ? hint : " Put each value on a row of its own.")}"
                : $"\"{ErrorText.Shorten(value)}\" holds {what}, which an option of field \"{field.Field.Name}\" cannot. Remove it from the cell, or use one of the field's options.");
            return null;
        }

        if (value.Length > ImportChecker.MaxOptionLength)
        {
            errors.Add(column, cell,
                $"\"{ErrorText.Shorten(value)}\" is too long for an option of field \"{field.Field.Name}\": {value.Length} characters, at most {ImportChecker.MaxOptionLength}.");
            return null;
        }

        if (field.Field.Options.Count + field.CreatedOptions.Count >= CustomField.MaxOptions)
        {
            // The settings refuse a field of more options (docs/decisions/0098): an import does not go past them either.
            errors.Add(column, cell, string.Create(CultureInfo.InvariantCulture,
                $"\"{ErrorText.Shorten(value)}\" would be a new option of field \"{field.Field.Name}\", which can have at most {CustomField.MaxOptions:N0} options " +
                $"({field.Field.Options.Count:N0} now, {field.CreatedOptions.Count:N0} more created by earlier rows of this file). Use one of its options, or remove options no client uses first."));
            return null;
        }

        buffer.NewOptions.Add(field.Create(value));
        return value;
    }

    /// <summary>
    /// For a multi-selection value that is no option but holds another common separator (a line break from Excel's
    /// Alt+Enter, ",", ";", "|"): " It contains line breaks: if they separate its values, choose Line break as the
    /// separator of column D ("Software")." Else "". Built for a failing value only.
    /// </summary>
    internal static string OtherSeparatorHint(ColumnPlan column, string value)
    {
        var name = string.IsNullOrEmpty(column.Header) ? $"column {column.Letter}" : $"column {column.Letter} (\"{ErrorText.Shorten(column.Header, 60)}\")";
        if (value.Contains('\n', StringComparison.Ordinal) && !column.Separator.Contains('\n', StringComparison.Ordinal))
        {
            return $" It contains line breaks: if they separate its values, choose Line break as the separator of {name}.";
        }

        foreach (var other in (ReadOnlySpan<string>)[",", ";", "|"])
        {
            if (value.Contains(other, StringComparison.Ordinal) && !column.Separator.Contains(other, StringComparison.Ordinal))
            {
                return $" It contains \"{other}\": if that separates its values, choose \"{other}\" as the separator of {name}.";
            }
        }

        return "";
    }

    private static bool MatchesPattern(FieldPlan field, ColumnPlan column, string value, string cell, ErrorCollector errors)
    {
        if (field.Pattern is null)
        {
            return true;
        }

        // The engine does not backtrack (FieldPattern): no value takes long, whatever the pattern.
        if (field.Pattern.IsMatch(value))
        {
            return true;
        }

        errors.Add(column, cell, PatternMessage(field, value));
        return false;
    }

    /// <summary>
    /// The pattern, then what it means in people's words where the field has them: its description, and a value of an
    /// existing client that matches ("for example "SN100101""). Built only for a failing cell.
    /// </summary>
    private static string PatternMessage(FieldPlan field, string value)
    {
        var message = $"\"{ErrorText.Shorten(value)}\" does not match the pattern of field \"{field.Field.Name}\" ({ErrorText.Shorten(field.Field.ValidationRegex)})";
        var description = field.Field.Description?.Trim().TrimEnd('.');
        var example = field.Example is null ? null : $"for example \"{ErrorText.Shorten(field.Example)}\"";
        return (string.IsNullOrEmpty(description), example is null) switch
        {
            (false, false) => $"{message}: {ErrorText.Shorten(description, 300)}, {example}.",
            (false, true) => $"{message}: {ErrorText.Shorten(description, 300)}.",
            (true, false) => $"{message}, {example}.",
            _ => message + ".",
        };
    }
}
