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
    /// already changes nothing. How many would change is <see cref="ToChange"/>.
    /// </summary>
    public required int ToUpdate { get; init; }

    /// <summary>The names of the first existing clients the file matches (<see cref="ToUpdate"/>), at most <see cref="UpdatedClientsShown"/>.</summary>
    public IReadOnlyList<string> UpdatedClients { get; init; } = [];

    /// <summary>
    /// The dry run's count of existing clients the run would change, compared value by value as the writer compares
    /// (decision 0091): the matched clients whose row (or a linked partner's row) sets a value they do not hold, and
    /// clients changed only through an advanced link. What the run's <c>UpdatedCount</c> then says. Null for a real
    /// run's pass, whose writer compares.
    /// </summary>
    public int? ToChange { get; init; }

    /// <summary>
    /// The dry run's matched clients that already hold every value their row sets (<see cref="ToUpdate"/> less those
    /// that would change): the run's "rows unchanged". Null for a real run's pass.
    /// </summary>
    public int? Unchanged { get; init; }

    /// <summary>
    /// The names of the first matched clients that would change (<see cref="ToChange"/>), at most
    /// <see cref="UpdatedClientsShown"/>; empty for a real run's pass.
    /// </summary>
    public IReadOnlyList<string> ChangedClients { get; init; } = [];

    /// <summary>Of <see cref="ToChange"/>, the clients without a row of their own, changed through an advanced link.</summary>
    public int ChangedThroughLinksOnly => (ToChange ?? 0) - ((ToUpdate - (Unchanged ?? ToUpdate)));

    public const int UpdatedClientsShown = 5;

    /// <summary>
    /// The names of the first clients the file's rows without errors would create (<see cref="ToCreate"/>), at most
    /// <see cref="UpdatedClientsShown"/>: with "Update existing clients", the names no client of the inventory has
    /// (decision 0104).
    /// </summary>
    public IReadOnlyList<string> CreatedClients { get; init; } = [];

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
