namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// One reason one row fails: the row number as the spreadsheet shows it, the column (letter and header; null for a
/// reason that belongs to no column of the file, such as a required field no column is mapped to), the cell's value
/// and a message a rollout manager understands.
/// </summary>
public sealed record RowError(int Row, string? Column, string? Header, string? Value, string Message);

/// <summary>The outcome of checking every row of a file: the dry run, and the first half of a real run.</summary>
public sealed record CheckResult
{
    /// <summary>
    /// The stored errors, sorted by row, then column: every error of the rows listed (<see cref="ListedRowCount"/>), at
    /// most <see cref="ImportChecker.MaxStoredErrors"/> in the dry run, plus the last row's. Empty after a real run's
    /// <see cref="CheckPass.Failures"/>, which gave them as they were found.
    /// </summary>
    public required IReadOnlyList<RowError> Errors { get; init; }

    /// <summary>Every error found, including those beyond the stored ones.</summary>
    public required int ErrorCount { get; init; }

    public bool ErrorsTruncated => ErrorCount > Errors.Count;

    /// <summary>Rows with at least one error.</summary>
    public required int FailedRowCount { get; init; }

    /// <summary>
    /// Failed rows whose every error is kept: all of them, or the first <see cref="ImportChecker.MaxListedRows"/>, fewer
    /// when the errors reached their bound first.
    /// </summary>
    public int ListedRowCount { get; init; }

    /// <summary>The errors of the <see cref="ListedRowCount"/> rows.</summary>
    public int ListedErrorCount { get; init; }

    /// <summary>Whether every failed row is listed.</summary>
    public bool ListsEveryFailedRow => ListedRowCount == FailedRowCount;

    /// <summary>Rows checked; rows whose mapped cells are all empty are skipped and not counted.</summary>
    public required int RowCount { get; init; }

    /// <summary>
    /// Rows of the file whose mapped cells are all empty, their values only in columns not imported: skipped, neither
    /// checked nor written. (A row empty in every column is no row of the file: neither counted at the upload nor read.)
    /// </summary>
    public required int EmptyRowCount { get; init; }

    /// <summary>
    /// The first <see cref="Data.Entities.ClientImport.SkippedRowsListed"/> of the <see cref="EmptyRowCount"/> rows, by
    /// their number in the spreadsheet, ascending: what a Completed run records (decision 0081).
    /// </summary>
    public IReadOnlyList<int> SkippedRows { get; init; } = [];

    /// <summary>Every row of the file the pass read, <see cref="RowCount"/> and <see cref="EmptyRowCount"/>: the import's row count.</summary>
    public int RowsRead => RowCount + EmptyRowCount;

    /// <summary>
    /// "; 1 more row, which holds values only in columns that are not imported, was skipped" ("is", unless
    /// <paramref name="done"/>), so that the counts of a message add up to the file's rows; empty when none was skipped.
    /// </summary>
    public string SkippedNote(bool done = true) => EmptyRowCount switch
    {
        0 => "",
        1 => $"; 1 more row, which holds values only in columns that are not imported, {(done ? "was" : "is")} skipped",
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"; {EmptyRowCount:N0} more rows, which hold values only in columns that are not imported, {(done ? "were" : "are")} skipped"),
    };

    /// <summary>Rows without errors that create a client.</summary>
    public required int ToCreate { get; init; }

    /// <summary>
    /// Rows without errors that match an existing client of the inventory ("Update existing clients"). The run writes
    /// only the values that differ from the client's, so it may update fewer: a row whose values are the client's
    /// already changes nothing. The dry run does not compare them: that would hold every matched client's values.
    /// </summary>
    public required int ToUpdate { get; init; }

    /// <summary>The names of the first existing clients the file matches (<see cref="ToUpdate"/>), at most <see cref="UpdatedClientsShown"/>.</summary>
    public IReadOnlyList<string> UpdatedClients { get; init; } = [];

    public const int UpdatedClientsShown = 5;

    /// <summary>Options that "Create option if not exists" adds when the import commits, once per field and name.</summary>
    public required IReadOnlyList<Writing.NewOption> OptionsToCreate { get; init; }

    /// <summary>Problems of the import as a whole (the client limit, an unusable mapping), shown above the rows.</summary>
    public required IReadOnlyList<string> ImportErrors { get; init; }

    public bool Succeeded => ErrorCount == 0 && ImportErrors.Count == 0;
}

/// <summary>
/// Thrown by <see cref="CheckPass.ResolvedRows"/> when a row fails, or after the last row when the import as a whole
/// fails, so that a writer consuming the rows rolls back: nothing may be written. <see cref="CheckPass.Failures"/> then
/// checks the rest and gives every error.
/// </summary>
public sealed class ImportCheckFailedException() : Exception("The file failed the check; nothing is written.");
