using Rollouter.Import.Data;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// One pass of the rules over a file's rows, in file order, each row read once. A real run first takes
/// <see cref="ResolvedRows"/> for the writer; when a row fails, the writer rolls back and <see cref="Failures"/> checks
/// the rows left, handing over the errors in batches as they are found, to be recorded while the check goes on.
/// The dry run (<see cref="ImportChecker.Check"/>) keeps every error instead. The rules are called directly, column by
/// column: no virtual call per cell (a million rows have twelve million cells).
/// </summary>
public sealed class CheckPass
{
    private const int ProgressInterval = 1_000;

    private readonly ImportChecker _checker;
    private readonly IEnumerator<SourceRow> _rows;
    private readonly IProgress<int>? _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly ErrorCollector _errors;
    private readonly List<string> _importErrors;
    private readonly RowBuffer _buffer;
    private int _rowCount, _emptyRows, _toCreate, _toUpdate;
    private CheckResult? _result;
    private readonly List<string> _updatedClients = new(CheckResult.UpdatedClientsShown);

    // The dry run of an update (ImportChecker.Current): the matched clients a good row would change, and the first names.
    private readonly HashSet<int> _changing = [];
    private readonly List<string> _changedClients = new(CheckResult.UpdatedClientsShown);

    private readonly List<string> _createdClients = new(CheckResult.UpdatedClientsShown);
    private readonly List<int> _skippedRows = [];
    private bool _atEnd;

    internal CheckPass(ImportChecker checker, IEnumerator<SourceRow> rows, IProgress<int>? progress, int expectedRowCount,
        int maxListedErrors, CancellationToken cancellationToken)
    {
        _errors = new ErrorCollector(ImportChecker.MaxListedRows, maxListedErrors);
        _checker = checker;
        _rows = rows;
        _progress = progress;
        _cancellationToken = cancellationToken;
        _buffer = new RowBuffer(checker.Fields.Length, checker.Columns.Length);
        _importErrors = [.. checker.SetupErrors];
        // A mapping that cannot be used fails the import before any row is read.
        _atEnd = _importErrors.Count > 0;
        foreach (var field in checker.Fields)
        {
            field.BeginPass();
        }

        checker.Name.BeginPass(expectedRowCount);
        checker.Links.BeginPass();
    }

    /// <summary>Rows checked so far (rows without a mapped value are skipped, not counted).</summary>
    public int RowCount => _rowCount;

    /// <summary>
    /// Rows read so far that hold no value in a mapped column (values only in columns not imported): skipped, neither
    /// checked by the rules nor written.
    /// </summary>
    public int EmptyRowCount => _emptyRows;

    /// <summary>
    /// Rows of the file read so far, skipped ones included: what the progress reports, so that it ends at the import's
    /// row count (the rows that hold a value, in any column).
    /// </summary>
    public int RowsRead => _rowCount + _emptyRows;

    /// <summary>Rows with at least one error so far.</summary>
    public int FailedRowCount => _errors.FailedRows;

    /// <summary>
    /// The pass's result, once the last row is checked (<see cref="ErrorCollector.Pending"/> errors then still
    /// included): after <see cref="ResolvedRows"/> or <see cref="Failures"/> went to their end.
    /// </summary>
    public CheckResult Result =>
        _result ?? throw new InvalidOperationException("The pass has rows left to check: its result comes after the last.");

    /// <summary>
    /// Yields each row as the writer stores it, for a write in one transaction, and after the last row what the file
    /// imposes on linked clients. A row that is the first to use a new option carries it
    /// (<see cref="ResolvedRow.NewOptions"/>). Throws <see cref="ImportCheckFailedException"/> as soon as a row fails or
    /// a new client goes past the rollout's client limit, or after the last row when the import as a whole fails (the client limit), so that the writer rolls back; then
    /// <see cref="Failures"/> checks the rest.
    /// </summary>
    public IEnumerable<ResolvedRow> ResolvedRows()
    {
        while (CheckNext() is { } row)
        {
            // A good row can fail an earlier one (two linked clients that disagree): any error ends the writing. So
            // does a new client past the rollout's limit: the import fails at the end anyway, and the check of the
            // rows left then reports their errors and the limit's.
            if (_errors.Total > 0 || _checker.ClientLimit.IsExceeded(_checker.Name.NewClients))
            {
                throw new ImportCheckFailedException();
            }

            yield return ToResolvedRow(row);
        }

        if (!Finish().Succeeded)
        {
            throw new ImportCheckFailedException();
        }

        foreach (var linked in _checker.Links.UpdatesOfFile())
        {
            yield return linked;
        }
    }

    /// <summary>
    /// Checks every row not checked yet and gives the errors as they are found: a batch whenever
    /// <paramref name="batchSize"/> errors have come together (whole rows, sorted by row and column), and the rest at
    /// the end, after which <see cref="Result"/> is set (its <see cref="CheckResult.Errors"/> empty: they were given).
    /// </summary>
    public IEnumerable<IReadOnlyList<RowError>> Failures(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        while (CheckNext() is not null)
        {
            if (_errors.Pending >= batchSize)
            {
                yield return _errors.Take();
            }
        }

        if (_errors.Pending > 0)
        {
            yield return _errors.Take();
        }

        Finish();
    }

    /// <summary>Checks every row left and keeps the errors in the result (the dry run).</summary>
    internal CheckResult CheckAll()
    {
        while (CheckNext() is not null)
        {
        }

        return Finish();
    }

    /// <summary>Reads the next row with a mapped value and checks it; null after the last.</summary>
    private SourceRow? CheckNext()
    {
        while (!_atEnd && _rows.MoveNext())
        {
            // Every row: a dry run inside a request stops as soon as its client leaves.
            _cancellationToken.ThrowIfCancellationRequested();
            var row = _rows.Current;
            AsSeen(row);
            if (IsEmpty(row))
            {
                _emptyRows++;
                if (_skippedRows.Count < Data.Entities.ClientImport.SkippedRowsListed)
                {
                    _skippedRows.Add(row.RowNumber);
                }

                if (RowsRead % ProgressInterval == 0)
                {
                    _progress?.Report(RowsRead);
                }

                continue;
            }

            _rowCount++;
            _errors.BeginRow(row.RowNumber);
            ReadRow(row);
            _checker.Name.CheckRepeat(row, _buffer, _errors);
            // An earlier row that fails only now was counted as an update, and may be among the names shown.
            if (_checker.Links.CheckRow(row, _buffer, _errors) is { } failedEarlier)
            {
                _toUpdate--;
                _updatedClients.Remove(failedEarlier.Name);
                if (_changing.Remove(failedEarlier.Id))
                {
                    _changedClients.Remove(failedEarlier.Name);
                }
            }

            if (!_errors.RowHasErrors)
            {
                if (_buffer.IsUpdate)
                {
                    _toUpdate++;
                    var existing = _buffer.Existing.Value;
                    if (_updatedClients.Count < CheckResult.UpdatedClientsShown)
                    {
                        _updatedClients.Add(existing.Name);
                    }

                    if (_checker.Current is { } current && current.Changes(_buffer) && _changing.Add(existing.Id)
                        && _changedClients.Count < CheckResult.UpdatedClientsShown)
                    {
                        _changedClients.Add(existing.Name);
                    }
                }
                else
                {
                    _toCreate++;
                    if (_createdClients.Count < CheckResult.UpdatedClientsShown && _buffer.Name is { } name)
                    {
                        _createdClients.Add(name);
                    }
                }
            }

            if (RowsRead % ProgressInterval == 0)
            {
                _progress?.Report(RowsRead);
            }

            return row;
        }

        _atEnd = true;
        return null;
    }

    /// <summary>The rules of the import as a whole, once every row is checked.</summary>
    private CheckResult Finish()
    {
        if (_result is { } result)
        {
            return result;
        }

        _progress?.Report(RowsRead);
        if (_checker.SetupErrors.Count == 0)
        {
            var errorsBefore = _importErrors.Count;
            _checker.ClientLimit.Check(_checker.Name.NewClients, _importErrors);
            if (_importErrors.Count > errorsBefore && _checker.Mapping.UpdateExisting && _createdClients.Count > 0)
            {
                // With Update existing clients, the new clients are names no client of the inventory has (decision 0104).
                _importErrors[^1] += $" No client of {_checker.Inventory.InventoryName} is named {string.Join(", ", _createdClients.Select(n => $"\"{ErrorText.Shorten(n)}\""))}" +
                    $"{(_checker.Name.NewClients > _createdClients.Count ? ", …" : "")}, so {(_checker.Name.NewClients == 1 ? "that row creates a client" : "those rows create clients")}.";
            }
            _checker.Status.CheckCanCreate(_checker.Name.NewClients, _importErrors);
        }

        // What the file imposes on linked clients (the writer's updates after the file's rows): a matched client whose
        // own row changed nothing changes through its partner's; a client without a row of its own is counted apart.
        int? toChange = null, unchanged = null;
        if (_checker.Current is not null)
        {
            var throughLinksOnly = 0;
            foreach (var (clientId, name, matched) in _checker.Links.ClientsChangedThroughLinks())
            {
                if (!matched)
                {
                    throughLinksOnly++;
                }
                else if (_changing.Add(clientId) && _changedClients.Count < CheckResult.UpdatedClientsShown)
                {
                    _changedClients.Add(name);
                }
            }

            toChange = _changing.Count + throughLinksOnly;
            unchanged = Math.Max(0, _toUpdate - _changing.Count);
        }

        return _result = new CheckResult
        {
            Errors = _errors.Take(),
            ErrorCount = _errors.Total,
            FailedRowCount = _errors.FailedRows,
            ListedRowCount = _errors.ListedRows,
            ListedErrorCount = _errors.ListedErrors,
            RowCount = _rowCount,
            EmptyRowCount = _emptyRows,
            SkippedRows = _skippedRows,
            ToCreate = _toCreate,
            ToUpdate = _toUpdate,
            ToChange = toChange,
            Unchanged = unchanged,
            ChangedClients = _changedClients,
            OptionsToCreate = [.. _checker.Fields.SelectMany(f => f.CreatedOptions)],
            ImportErrors = _importErrors,
            UpdatedClients = _updatedClients,
            CreatedClients = _createdClients,
        };
    }

    /// <summary>Reads one row into the buffer, each mapped column by its rule.</summary>
    private void ReadRow(SourceRow row)
    {
        var buffer = _buffer;
        var errors = _errors;
        buffer.Clear();
        if (row.Issues.Count > 0)
        {
            foreach (var issue in row.Issues)
            {
                if (MappedColumn(issue.ColumnIndex) is { } column)
                {
                    errors.Add(column, issue.Value, issue.Message);
                    buffer.Fail(column);
                }
            }
        }

        _checker.Name.Read(row, buffer, errors);
        foreach (var column in _checker.Columns)
        {
            if (column.Kind == ColumnKind.Name || buffer.HasFailed(column))
            {
                continue;
            }

            var cell = row[column.Index];
            var errorsBefore = errors.RowErrorCount;
            switch (column.Kind)
            {
                case ColumnKind.Status:
                    _checker.Status.Read(column, cell, buffer, errors);
                    break;
                case ColumnKind.Assignee:
                    buffer.AssigneeId = UserRule.Read(column, cell, errors, assignee: true, buffer.Existing);
                    break;
                case ColumnKind.ClientUser:
                    buffer.ClientUserId = UserRule.Read(column, cell, errors, assignee: false, buffer.Existing);
                    break;
                case ColumnKind.Description:
                    buffer.Description = string.IsNullOrWhiteSpace(cell) ? null : cell;
                    break;
                case ColumnKind.Flag:
                    buffer.Flag = string.IsNullOrWhiteSpace(cell) ? null : cell;
                    break;
                case ColumnKind.Field:
                {
                    var field = column.Field;
                    if (field.Pattern is not null && buffer.IsUpdate && _checker.Current is { } current
                        && FieldValueRule.AsRead(column, field, cell) is { } value && current.Holds(buffer, field, value))
                    {
                        // The value the client already has, which a pattern set since may refuse: no change, nothing
                        // to write or check, so that an export imports back (decision 0165).
                        break;
                    }

                    buffer.Values[field.Index] = FieldValueRule.Read(column, field, cell, buffer, errors);
                    break;
                }
            }

            if (errors.RowErrorCount > errorsBefore)
            {
                buffer.Fail(column);
            }
        }

        if (buffer.IsNew)
        {
            _checker.Status.ApplyDefault(buffer);
            _checker.RequiredFields.Check(row, buffer, errors);
        }
    }

    private ResolvedRow ToResolvedRow(SourceRow row)
    {
        var buffer = _buffer;
        var fields = _checker.Fields;
        var count = 0;
        foreach (var value in buffer.Values)
        {
            if (value is not null)
            {
                count++;
            }
        }

        var values = new Dictionary<int, string[]>(count);
        for (var i = 0; i < fields.Length; i++)
        {
            if (buffer.Values[i] is { } value)
            {
                values[fields[i].Field.Id] = value;
            }
        }

        return new ResolvedRow
        {
            RowNumber = row.RowNumber,
            ExistingClientId = buffer.Existing?.Id,
            InAdvancedLink = _checker.Links.IsLinked(buffer.Existing?.Id),
            // An update keeps the stored spelling of the name: the name only identifies the client here.
            Name = buffer.Existing?.Name ?? buffer.Name ?? throw new InvalidOperationException($"Row {row.RowNumber} has no name, yet no error."),
            StatusId = buffer.StatusId,
            AssigneeId = buffer.AssigneeId,
            ClientUserId = buffer.ClientUserId,
            Description = buffer.Description,
            Flag = buffer.Flag,
            Values = values,
            NewOptions = buffer.NewOptions.Count > 0 ? [.. buffer.NewOptions] : [],
        };
    }

    /// <summary>
    /// The mapped cells as a person sees them (<see cref="PlainText.AsSeen"/>), in place: every rule, the stored value
    /// and the failed row then see "Jörg" typed on a Mac as the same name as on Windows, and a zero-width space no
    /// more than the user does (decision 0041). One vectorised scan per cell that is plain ASCII.
    /// </summary>
    private void AsSeen(SourceRow row)
    {
        var cells = row.Cells;
        foreach (var column in _checker.Columns)
        {
            if (column.Index < cells.Length && cells[column.Index] is { } cell && !PlainText.IsAsSeen(cell))
            {
                cells[column.Index] = PlainText.AsSeen(cell);
            }
        }
    }

    private bool IsEmpty(SourceRow row)
    {
        foreach (var column in _checker.Columns)
        {
            if (!string.IsNullOrWhiteSpace(row[column.Index]))
            {
                return false;
            }
        }

        if (row.Issues.Count > 0)
        {
            foreach (var issue in row.Issues)
            {
                if (MappedColumn(issue.ColumnIndex) is not null)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private ColumnPlan? MappedColumn(int index)
    {
        foreach (var column in _checker.Columns)
        {
            if (column.Index == index)
            {
                return column;
            }
        }

        return null;
    }
}
