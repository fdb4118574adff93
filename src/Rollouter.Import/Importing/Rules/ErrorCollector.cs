namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Collects the errors of one pass row by row: counts every error and every failed row, and lists whole rows: every
/// error of the first <c>maxListedRows</c> failed rows is kept (until taken, to be recorded), and a failed row is no
/// longer listed once <c>maxListedErrors</c> errors are, so that a file failing in many cells of each row stays bounded.
/// A row listed keeps all its errors (at most one a column, bounded by <see cref="Reading.ReaderLimits.MaxColumns"/>,
/// and those that belong to no column), so the list never holds half a row.
/// </summary>
internal sealed class ErrorCollector(int maxListedRows, int maxListedErrors)
{
    private const int MaxMessageLength = 2_000;

    private List<RowError> _errors = [];
    private readonly HashSet<int> _listedRows = [];
    private int _rowErrors;
    private bool _rowListed;

    public int Row { get; private set; }

    public int Total { get; private set; }

    public int FailedRows { get; private set; }

    /// <summary>Failed rows whose errors are kept.</summary>
    public int ListedRows => _listedRows.Count;

    /// <summary>Errors kept, taken or not.</summary>
    public int ListedErrors { get; private set; }

    public bool RowHasErrors => _rowErrors > 0;

    public int RowErrorCount => _rowErrors;

    /// <summary>Errors kept and not taken yet.</summary>
    public int Pending => _errors.Count;

    public void BeginRow(int row)
    {
        Row = row;
        _rowErrors = 0;
        _rowListed = false;
    }

    /// <summary>An error of the current row; <paramref name="column"/> null for one that belongs to no column of the file.</summary>
    public void Add(ColumnPlan? column, string? value, string message)
    {
        if (_rowErrors++ == 0)
        {
            FailedRows++;
            _rowListed = TryList(Row);
        }

        Store(_rowListed, Row, column, value, message);
    }

    /// <summary>An error of an earlier row, found by a later one (two linked clients that disagree).</summary>
    public void AddToEarlierRow(int row, ColumnPlan column, string? value, string message, bool rowAlreadyFailed)
    {
        bool listed;
        if (rowAlreadyFailed)
        {
            listed = _listedRows.Contains(row);
        }
        else
        {
            FailedRows++;
            listed = TryList(row);
        }

        Store(listed, row, column, value, message);
    }

    /// <summary>Whether a row failing now is listed: while fewer rows and errors than the bounds are.</summary>
    private bool TryList(int row) =>
        _listedRows.Count < maxListedRows && ListedErrors < maxListedErrors && _listedRows.Add(row);

    private void Store(bool listed, int row, ColumnPlan? column, string? value, string message)
    {
        Total++;
        if (listed)
        {
            ListedErrors++;
            _errors.Add(new RowError(row, column?.Letter, column?.Header,
                ErrorText.Truncate(value, ImportChecker.MaxErrorValueLength),
                ErrorText.Truncate(message, MaxMessageLength)));
        }
    }

    /// <summary>The errors kept so far, sorted by row, then column; the collector keeps none of them.</summary>
    public IReadOnlyList<RowError> Take()
    {
        var taken = _errors;
        _errors = [];
        return
        [
            .. taken.OrderBy(e => e.Row)
                .ThenBy(e => e.Column is null ? int.MaxValue : e.Column.Length)
                .ThenBy(e => e.Column, StringComparer.Ordinal),
        ];
    }
}
