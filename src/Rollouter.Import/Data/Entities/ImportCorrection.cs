namespace Rollouter.Import.Data.Entities;

/// <summary>
/// A value typed in the browser (or sent by the API) for one cell of an import's file. The uploaded file is never
/// changed: Check and the run read it with the corrections applied (<see cref="Importing.Corrections.CellCorrections"/>).
/// </summary>
public class ImportCellCorrection
{
    public long Id { get; set; }

    public int ImportId { get; set; }

    public ClientImport Import { get => field ?? throw Navigation.NotLoaded(this, nameof(Import)); set; }

    /// <summary>The row as the spreadsheet numbers it (as the failed rows and the error report do).</summary>
    public int Row { get; set; }

    /// <summary>The column letter ("B").</summary>
    public required string Column { get; set; }

    /// <summary>The value used instead of the file's; "" empties the cell.</summary>
    public required string Value { get; set; }

    /// <summary>The file's value when the correction was made (null for an empty cell), shown as old → new.</summary>
    public string? Original { get; set; }

    public int ById { get; set; }

    public User By { get => field ?? throw Navigation.NotLoaded(this, nameof(By)); set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>
/// "Replace every 'Shipped' in column B with 'Done'": a value mapping for every cell of a column whose value (spaces
/// around it ignored) is exactly <see cref="From"/>. A cell corrected on its own keeps its own correction.
/// </summary>
public class ImportValueReplacement
{
    public long Id { get; set; }

    public int ImportId { get; set; }

    public ClientImport Import { get => field ?? throw Navigation.NotLoaded(this, nameof(Import)); set; }

    public required string Column { get; set; }

    /// <summary>The value replaced, trimmed; "" stands for empty cells.</summary>
    public required string From { get; set; }

    public required string To { get; set; }

    public int ById { get; set; }

    public User By { get => field ?? throw Navigation.NotLoaded(this, nameof(By)); set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>
/// One corrected value of a row, as the history of the client that row created or changed records it: "value corrected
/// in the browser by …: 'Shipped' → 'Done'".
/// </summary>
public sealed record CorrectionNote(string Column, string? Field, string? Original, string? Value, int ById, DateTimeOffset At);
