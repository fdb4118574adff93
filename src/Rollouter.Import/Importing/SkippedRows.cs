using System.Globalization;
using System.Text;

namespace Rollouter.Import.Importing;

/// <summary>
/// The rows a Completed run skipped, their values all in columns not imported (decision 0069): stored on the import as
/// their count and the first <see cref="Data.Entities.ClientImport.SkippedRowsListed"/> row numbers ("4,9,12"), and
/// said on its page and in the API (decision 0081).
/// </summary>
public static class SkippedRows
{
    /// <summary>"4,9,12": the row numbers as the column keeps them; null for none.</summary>
    public static string? Format(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Count == 0 ? null : string.Join(",", rows.Select(r => r.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The row numbers <see cref="Format"/> wrote; none for null or a value it did not write.</summary>
    public static IReadOnlyList<int> Parse(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return [];
        }

        var rows = new List<int>();
        foreach (var part in stored.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var row))
            {
                return [];
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// "Row 4 had nothing to import and was skipped: its values are only in columns that are not imported.", "Rows 4–6, 9
    /// and 12 had nothing …" (three or more in a row as a range), "Rows 4, 9, 12 and 1,203 more had nothing …" when
    /// more were skipped than listed; null when none was.
    /// </summary>
    public static string? Sentence(int count, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (count <= 0)
        {
            return null;
        }

        const string Why = "had nothing to import and";
        if (rows.Count == 0)
        {
            return count == 1
                ? $"1 row {Why} was skipped: its values are only in columns that are not imported."
                : string.Create(CultureInfo.InvariantCulture, $"{count:N0} rows {Why} were skipped: their values are only in columns that are not imported.");
        }

        if (count == 1)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Row {rows[0]} {Why} was skipped: its values are only in columns that are not imported.");
        }

        var parts = Ranges(rows);
        var more = count - rows.Count;
        var text = new StringBuilder("Rows ");
        if (more > 0)
        {
            text.AppendJoin(", ", parts).Append(string.Create(CultureInfo.InvariantCulture, $" and {more:N0} more"));
        }
        else if (parts.Count == 1)
        {
            text.Append(parts[0]);
        }
        else
        {
            text.AppendJoin(", ", parts.Take(parts.Count - 1)).Append(" and ").Append(parts[^1]);
        }

        return text.Append(" " + Why + " were skipped: their values are only in columns that are not imported.").ToString();
    }

    /// <summary>"4", "9", "12–20": each row alone, three or more consecutive rows as a range.</summary>
    private static List<string> Ranges(IReadOnlyList<int> rows)
    {
        var parts = new List<string>();
        for (var i = 0; i < rows.Count;)
        {
            var end = i;
            while (end + 1 < rows.Count && rows[end + 1] == rows[end] + 1)
            {
                end++;
            }

            if (end - i >= 2)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{rows[i]}–{rows[end]}"));
                i = end + 1;
            }
            else
            {
                parts.Add(rows[i].ToString(CultureInfo.InvariantCulture));
                i++;
            }
        }

        return parts;
    }
}
