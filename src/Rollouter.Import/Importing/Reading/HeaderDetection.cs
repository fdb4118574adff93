namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// Finds the header among the first rows of a sheet, below what people put above a table: a title (merged across the
/// columns or not), a logo's empty rows, a date line, "Customer: ACME". Each of the first rows gets a score for how
/// well it names the table below it: the share of the table's columns it fills, its cells being text rather than
/// numbers and dates, its values being distinct, and text above columns that hold numbers or dates below; a single cell
/// with an empty row under it (a title) scores half. The header is the first row that scores at least 60 % of the best
/// (a header that leaves a third of the columns unnamed still is one); a row as wide as the rows below it is never
/// passed over, so a table that starts in its first row keeps it as the header, as before.
/// </summary>
internal static class HeaderDetection
{
    /// <summary>Non-empty rows looked at from the top of a sheet.</summary>
    public const int WindowRows = 30;

    /// <summary>Rows read from the top at most while looking for <see cref="WindowRows"/> non-empty ones.</summary>
    public const int MaxRowsRead = 1_000;

    private const int Candidates = 20;
    private const int RowsBelow = 10;

    /// <summary>
    /// The first rows of a sheet that hold something, at most <see cref="WindowRows"/> of them, hidden ones included
    /// (a table's layout does not depend on what is hidden).
    /// </summary>
    /// <remarks>
    /// A problem further down (a damaged row, bytes the encoding cannot decode) ends the window where it is found, once
    /// a row was read: it is reported when the rows are streamed, with the rows before it, as without the window.
    /// </remarks>
    public static List<RowSnapshot> Window(IEnumerable<RawRow> rows) => Window(rows, out _);

    /// <param name="problem">What ended the window early, if something did.</param>
    public static List<RowSnapshot> Window(IEnumerable<RawRow> rows, out Exception? problem)
    {
        problem = null;
        var window = new List<RowSnapshot>();
        var read = 0;
        using var enumerator = rows.GetEnumerator();
        while (true)
        {
            try
            {
                if (!enumerator.MoveNext())
                {
                    break;
                }
            }
            catch (Exception ex) when (window.Count > 0 && ex is not OutOfMemoryException)
            {
                problem = ex;
                break;
            }

            var row = enumerator.Current;
            if (row.MaxColumn >= 0)
            {
                window.Add(RowSnapshot.Of(row));
                if (window.Count >= WindowRows)
                {
                    break;
                }
            }

            if (++read >= MaxRowsRead)
            {
                break;
            }
        }

        return window;
    }

    /// <summary>The index in <paramref name="rows"/> (non-empty rows, in order) of the header; -1 when there are none.</summary>
    public static int FindHeader(IReadOnlyList<RowSnapshot> rows)
    {
        if (rows.Count <= 1)
        {
            return rows.Count - 1;
        }

        var count = Math.Min(Candidates, rows.Count - 1);
        var scores = new double[count];
        var best = 0.0;
        for (var i = 0; i < count; i++)
        {
            scores[i] = Score(rows, i);
            best = Math.Max(best, scores[i]);
        }

        if (best <= 0)
        {
            return 0;
        }

        for (var i = 0; i < count; i++)
        {
            if (scores[i] >= best * 0.6)
            {
                return i;
            }

            // A row as wide as the table below it is the table's first row, whatever the rows further down score.
            var filled = Filled(rows[i]).Count;
            var title = filled == 1 && rows[i + 1].Number > rows[i].Number + 1;
            if (!title && filled >= TypicalWidth(rows, i))
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>
    /// Whether a sheet holds a table: a header with at least one row below it that would be imported (visible, or any
    /// when hidden rows are included), and how many columns the header names.
    /// </summary>
    public static (bool HasTable, int HeaderCells) Table(IReadOnlyList<RowSnapshot> rows, bool includeHidden)
    {
        var header = FindHeader(rows);
        if (header < 0)
        {
            return (false, 0);
        }

        var data = false;
        for (var i = header + 1; i < rows.Count && !data; i++)
        {
            data = includeHidden || !rows[i].Hidden;
        }

        return (data, Filled(rows[header]).Count);
    }

    /// <summary>Whether a cell reads as a name rather than a value: it holds a letter (numbers, dates and times do not).</summary>
    public static bool IsText(string text)
    {
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    private static double Score(IReadOnlyList<RowSnapshot> rows, int index)
    {
        var candidate = Filled(rows[index]);
        if (candidate.Count == 0)
        {
            return 0;
        }

        var last = Math.Min(rows.Count, index + 1 + RowsBelow);
        var below = last - index - 1;

        // The table's columns: those filled in at least a third of the rows below (a stray cell is not a column).
        var uses = new Dictionary<int, (int Filled, int Values)>();
        for (var r = index + 1; r < last; r++)
        {
            foreach (var cell in rows[r].Cells)
            {
                if (!string.IsNullOrWhiteSpace(cell.Text))
                {
                    var use = uses.GetValueOrDefault(cell.Column);
                    uses[cell.Column] = (use.Filled + 1, use.Values + (IsText(cell.Text) ? 0 : 1));
                }
            }
        }

        var table = uses.Where(u => u.Value.Filled * 3 >= below).Select(u => u.Key).ToHashSet();
        if (table.Count == 0)
        {
            table = [.. uses.Keys];
        }

        if (table.Count == 0)
        {
            return 0;
        }

        int named = 0, outside = 0, text = 0, overValues = 0;
        var distinct = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var cell in candidate)
        {
            var isText = IsText(cell.Text);
            text += isText ? 1 : 0;
            distinct.Add(cell.Text.Trim());
            if (table.Contains(cell.Column))
            {
                named++;
                var use = uses[cell.Column];
                overValues += isText && use.Values * 2 > use.Filled ? 1 : 0;
            }
            else
            {
                outside++;
            }
        }

        var n = (double)candidate.Count;
        var cover = named / (double)table.Count;
        var score = cover * (1 - (0.5 * outside / n)) * (text / n) * (distinct.Count / n);
        if (named > 0)
        {
            score *= 1 + (0.5 * overValues / named);
        }

        // A single cell with an empty row under it is a title.
        return candidate.Count == 1 && rows[index + 1].Number > rows[index].Number + 1 ? score * 0.5 : score;
    }

    /// <summary>The median number of filled cells of the rows below row <paramref name="index"/>.</summary>
    private static int TypicalWidth(IReadOnlyList<RowSnapshot> rows, int index)
    {
        var widths = new List<int>();
        for (var r = index + 1; r < rows.Count && widths.Count < RowsBelow; r++)
        {
            widths.Add(Filled(rows[r]).Count);
        }

        widths.Sort();
        return widths.Count == 0 ? 0 : widths[widths.Count / 2];
    }

    private static List<RawCell> Filled(RowSnapshot row) => [.. row.Cells.Where(c => !string.IsNullOrWhiteSpace(c.Text))];
}
