namespace Rollouter.Import.Importing.Corrections;

/// <summary>
/// Corrections to add, change or remove on an import (<see cref="ImportLifecycle.CorrectAsync"/>): cells by row and
/// column letter (a null value removes the cell's correction), replacements by column and value (a null
/// <see cref="ReplacementChange.To"/> removes the replacement).
/// </summary>
public sealed record CorrectionChanges(IReadOnlyList<CellChange> Cells, IReadOnlyList<ReplacementChange> Replacements)
{
    /// <summary>At most this many cells are corrected on one import.</summary>
    public const int MaxCells = 10_000;

    /// <summary>At most this many replacements on one import.</summary>
    public const int MaxReplacements = 1_000;

    /// <summary>The longest value a replacement replaces or puts in (as long as an option's name).</summary>
    public const int MaxReplacementLength = 400;
}

/// <summary>The value to use for the cell in <paramref name="Row"/> (as the spreadsheet numbers it) and <paramref name="Column"/> (a letter).</summary>
public sealed record CellChange(int Row, string? Column, string? Value);

/// <summary>Every cell of <paramref name="Column"/> whose value is <paramref name="From"/> becomes <paramref name="To"/>.</summary>
public sealed record ReplacementChange(string? Column, string? From, string? To);

/// <summary>What a replacement would change before it is applied: how many cells, and the first rows.</summary>
public sealed record ReplacementPreview(string Column, string From, int Cells, IReadOnlyList<int> Rows);
