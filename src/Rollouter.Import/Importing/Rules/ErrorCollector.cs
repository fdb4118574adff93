namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Collects the errors of one pass row by row: keeps the first <see cref="ImportChecker.MaxStoredErrors"/> (until they
/// are taken, to be recorded), counts every error and every failed row.
/// </summary>
internal sealed class ErrorCollector
{
    private const int MaxMessageLength = 2_000;

    private List<RowError> _errors = [];
    private int _stored;
    private int _rowErrors;

    public int Row { get; private set; }

    public int Total { get; private set; }

    public int FailedRows { get; private set; }

    public bool RowHasErrors => _rowErrors > 0;

    public int RowErrorCount => _rowErrors;

    /// <summary>Errors kept and not taken yet.</summary>
    public int Pending => _errors.Count;

    public void BeginRow(int row)
    {
        Row = row;
        _rowErrors = 0;
    }

    /// <summary>An error of the current row; <paramref name="column"/> null for one that belongs to no column of the file.</summary>
    public void Add(ColumnPlan? column, string? value, string message)
    {
        if (_rowErrors++ == 0)
        {
            FailedRows++;
        }

        Store(Row, column, value, message);
    }

    /// <summary>An error of an earlier row, found by a later one (two linked clients that disagree).</summary>
    public void AddToEarlierRow(int row, ColumnPlan column, string? value, string message, bool rowAlreadyFailed)
    {
        if (!rowAlreadyFailed)
        {
            FailedRows++;
        }

        Store(row, column, value, message);
    }

    private void Store(int row, ColumnPlan? column, string? value, string message)
    {
        Total++;
        if (_stored < ImportChecker.MaxStoredErrors)
        {
            _stored++;
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
