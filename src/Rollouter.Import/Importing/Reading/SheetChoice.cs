namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// Which sheet of a workbook is read: the one the options name, or else the first visible sheet that holds a table
/// (a header with a row below it that would be imported). Sheets are passed over when they are empty, hold one row (a
/// title, or a header without rows), or look like a cover page: named "Read me", "Instructions" and the like, holding
/// sentences in one column, or the "Export Summary" that Apple Numbers puts first when it exports a document (a
/// sentence, then a table of its sheets: "Numbers Sheet Name | Numbers Table Name | Excel Worksheet Name"). A header
/// without rows (a template not filled in) wins over a cover sheet's table, so that its refusal ("has a header but no
/// rows below it") is what the user reads, not the help sheet imported. When no sheet holds a table, the first one with
/// rows is read, and the mapping step says why nothing is imported (every row hidden, say), so that File settings can fix it.
/// </summary>
internal static class SheetChoice
{
    private static readonly string[] CoverNames =
    [
        "readme", "read me", "instruction", "help", "cover", "info", "about", "notes", "legend", "contents", "changelog",
        "export summary", "anleitung", "hinweis", "deckblatt", "legende", "inhalt", "erläuterung", "erlaeuterung",
    ];

    public static (int Sheet, IReadOnlyList<FileWarning> Warnings) Choose(WorkbookFile workbook, ParseOptions options, ReaderLimits limits)
    {
        var sheets = workbook.Sheets;
        if (options.Sheet is { } wanted)
        {
            var index = IndexOf(sheets, s => s.Name == wanted);
            if (index < 0)
            {
                index = IndexOf(sheets, s => string.Equals(s.Name.Trim(), wanted.Trim(), StringComparison.OrdinalIgnoreCase));
            }

            if (index < 0)
            {
                throw new ImportFileException(new FileProblem(FileProblemKind.InvalidOption,
                    $"The workbook has no sheet named \"{wanted}\"; its sheets are {string.Join(", ", sheets.Select(s => $"\"{s.Name}\""))}.") { Field = "sheet" });
            }

            // The sheet detection chose, or one behind sheets without a table: the mapping step says so on every visit.
            var before = Enumerable.Range(0, index).Where(i => !sheets[i].Hidden).ToList();
            var ranks = before.ToDictionary(i => i, i => Rank(workbook, i, options.IncludeHiddenRows, limits));
            return before.Count > 0 && !sheets[index].Hidden && ranks.Values.All(r => r.Rank < MaxRank)
                ? (index, [Passed(sheets, before, index, ranks)])
                : (index, []);
        }

        var candidates = Enumerable.Range(0, sheets.Count).Where(i => !sheets[i].Hidden).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. Enumerable.Range(0, sheets.Count)];
        }

        if (candidates.Count == 1)
        {
            return (candidates[0], []);
        }

        var best = candidates[0];
        var bestRank = -1;
        var ranked = new Dictionary<int, (int Rank, bool NumbersSummary)>();
        foreach (var i in candidates)
        {
            ranked[i] = Rank(workbook, i, options.IncludeHiddenRows, limits);
            var rank = ranked[i].Rank;
            if (rank > bestRank)
            {
                (best, bestRank) = (i, rank);
            }

            if (rank == MaxRank)
            {
                break;
            }
        }

        if (best == candidates[0])
        {
            return (best, []);
        }

        return (best, [Passed(sheets, [.. candidates.TakeWhile(i => i != best)], best, ranked)]);
    }

    /// <summary>Why the sheets before the chosen one were passed over: Numbers' export summary by name, the others hold no table.</summary>
    private static FileWarning Passed(IReadOnlyList<SheetInfo> sheets, List<int> before, int chosen, Dictionary<int, (int Rank, bool NumbersSummary)> ranked)
    {
        const string Summary = "the summary Apple Numbers adds when it exports a document";
        bool IsSummary(int i) => ranked.TryGetValue(i, out var r) && r.NumbersSummary;
        var reason = before.Count == 1
            ? IsSummary(before[0])
                ? $"the sheet before it, \"{sheets[before[0]].Name}\", is {Summary}, not a table to import"
                : $"the sheet before it, \"{sheets[before[0]].Name}\", holds no table to import"
            : $"the sheets before it, {string.Join(", ", before.Select(i => IsSummary(i) ? $"\"{sheets[i].Name}\" ({Summary})" : $"\"{sheets[i].Name}\""))}, hold no table to import";
        return new FileWarning(FileWarningKind.SheetChosen,
            $"Sheet \"{sheets[chosen].Name}\" is read: {reason}. Choose another sheet under File settings if that is wrong.");
    }

    private const int MaxRank = 4;

    /// <summary>
    /// 4: a table; 3: a header without rows (two or more column names, on a sheet not named as a cover); 2: a table on a
    /// cover-like sheet; 1: rows but no table (all hidden, say); 0: nothing. And whether the sheet is the export summary
    /// of Apple Numbers.
    /// </summary>
    private static (int Rank, bool NumbersSummary) Rank(WorkbookFile workbook, int sheet, bool includeHidden, ReaderLimits limits)
    {
        if (workbook.Sheets[sheet].Rows is 0)
        {
            return (0, false);
        }

        var window = HeaderDetection.Window(workbook.Rows(sheet, limits.MaxColumns + 1));
        if (window.Count == 0)
        {
            return (0, false);
        }

        var summary = IsNumbersSummary(workbook.Sheets[sheet].Name, window);
        var cover = summary || IsCoverName(workbook.Sheets[sheet].Name);
        var (hasTable, _) = HeaderDetection.Table(window, includeHidden);
        if (!hasTable)
        {
            // A header without rows on a sheet not named as a cover (a template not filled in yet) is the sheet meant
            // for the data: read, it gives the refusal that says so, rather than the help sheet's table behind it.
            return (window.Count > 1 ? 1 : !cover && IsHeaderOnly(window) ? 3 : 0, summary);
        }

        return (cover || IsProse(window) ? 2 : MaxRank, summary);
    }

    /// <summary>One row of at least two texts (column names), nothing below it: a title or a logo is one cell.</summary>
    private static bool IsHeaderOnly(List<RowSnapshot> window) =>
        window.Count == 1 && window[0].Cells.Count(c => !c.IsError && !string.IsNullOrWhiteSpace(c.Text)) >= 2;

    /// <summary>
    /// The sheet Apple Numbers puts first when it exports a document to Excel: named "Export Summary" (in English), a
    /// first row "This document was exported from Numbers. …", and a table "Numbers Sheet Name | Numbers Table Name |
    /// Excel Worksheet Name" listing where each table went.
    /// </summary>
    private static bool IsNumbersSummary(string name, List<RowSnapshot> window) =>
        name.Trim().Equals("Export Summary", StringComparison.OrdinalIgnoreCase)
        || window.Any(r => r.Cells.Any(c =>
            c.Text.Trim().Equals("Numbers Sheet Name", StringComparison.OrdinalIgnoreCase)
            || c.Text.TrimStart().StartsWith("This document was exported from Numbers", StringComparison.OrdinalIgnoreCase)));

    private static bool IsCoverName(string name)
    {
        var normal = name.Trim().ToLowerInvariant().Replace('_', ' ').Replace('-', ' ');
        return CoverNames.Any(c => normal.StartsWith(c, StringComparison.Ordinal));
    }

    /// <summary>Sentences down one column: every row holds one cell, and some of them are long.</summary>
    private static bool IsProse(List<RowSnapshot> window) =>
        window.All(r => r.Cells.Count(c => !string.IsNullOrWhiteSpace(c.Text)) <= 1)
        && window.Any(r => r.Cells.Any(c => c.Text.Length > 40));

    private static int IndexOf(IReadOnlyList<SheetInfo> sheets, Func<SheetInfo, bool> match)
    {
        for (var i = 0; i < sheets.Count; i++)
        {
            if (match(sheets[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
