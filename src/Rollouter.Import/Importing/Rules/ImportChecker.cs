using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Applies every import rule to a file's rows in one pass. <see cref="ImportCheckerLoader.LoadAsync"/> reads what
/// the rules need; <see cref="Check"/> then streams the rows and reports every failing one without writing anything
/// (the dry run); <see cref="CheckAndResolve"/> is the real run's single pass, which also turns the rows into what
/// the writer stores while no row has failed. Each rule lives in a class of its own; the pass calls them directly,
/// column by column (no virtual call per cell: a million rows have twelve million cells).
/// Rows are never held: only the names seen so far (to find repeats) and the few rows of linked clients.
/// </summary>
public sealed class ImportChecker
{
    /// <summary>Errors beyond this many are counted, not kept.</summary>
    public const int MaxStoredErrors = 100_000;

    public const int MaxNameLength = 400;

    public const int MaxOptionLength = 400;

    /// <summary>Longer values are cut in errors: the error report shows the row as the file holds it anyway.</summary>
    public const int MaxErrorValueLength = 1_000;

    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private const int ProgressInterval = 1_000;

    private readonly InventoryDefinition _inventory;
    private readonly ColumnPlan[] _columns;
    private readonly FieldPlan[] _fields;
    private readonly List<string> _setupErrors;
    private readonly NameRule _name;
    private readonly StatusRule _status;
    private readonly RequiredFieldsRule _required;
    private readonly ClientLimitRule _clientLimit;
    private readonly AdvancedLinkRule _links;
    private CheckResult? _lastCheck;

    internal ImportChecker(InventoryDefinition inventory, ImportMapping mapping, ColumnPlan[] columns, FieldPlan[] fields,
        List<string> setupErrors, NameRule name, StatusRule status, RequiredFieldsRule required,
        ClientLimitRule clientLimit, AdvancedLinkRule links)
    {
        _inventory = inventory;
        Mapping = mapping;
        _columns = columns;
        _fields = fields;
        _setupErrors = setupErrors;
        _name = name;
        _status = status;
        _required = required;
        _clientLimit = clientLimit;
        _links = links;
    }

    /// <summary>A checker whose every pass fails with <paramref name="errors"/> (the mapping cannot be used).</summary>
    internal static ImportChecker Unusable(InventoryDefinition inventory, ImportMapping mapping, FieldPlan[] fields,
        List<string> errors) =>
        new(inventory, mapping, [], fields, errors,
            new NameRule(ColumnPlan.Unmapped, [], new Dictionary<int, string>(), inventory.InventoryId, false),
            new StatusRule(inventory), new RequiredFieldsRule(fields), new ClientLimitRule(null, 0),
            new AdvancedLinkRule([]));

    public InventoryDefinition Inventory => _inventory;

    public ImportMapping Mapping { get; }

    /// <summary>
    /// Checks every row against every rule and writes nothing: the dry run, and exactly the errors a real run gives.
    /// </summary>
    /// <param name="rows">The file's data rows, streamed.</param>
    /// <param name="progress">Told the number of rows checked so far, every thousand rows and at the end.</param>
    /// <param name="expectedRowCount">The file's row count when known (e.g. from the upload); sizes the name index once.</param>
    /// <param name="cancellationToken">Checked every thousand rows.</param>
    public CheckResult Check(IEnumerable<SourceRow> rows, IProgress<int>? progress = null, int expectedRowCount = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var _ in Pass(rows, progress, expectedRowCount, resolve: false, cancellationToken))
        {
        }

        return _lastCheck!;
    }

    /// <summary>
    /// Checks and resolves in one pass over the file, for a write in one transaction: yields each row as the writer
    /// stores it for as long as no row has failed, keeps checking every row after a failure (to report all of them),
    /// and at the end yields what the file imposes on linked clients — or throws <see cref="ImportCheckFailedException"/>
    /// with the full <see cref="CheckResult"/>, so that the writer rolls back. A row that is the first to use a new
    /// option carries it (<see cref="ResolvedRow.NewOptions"/>), for the writer to create.
    /// </summary>
    public IEnumerable<ResolvedRow> CheckAndResolve(IEnumerable<SourceRow> rows, IProgress<int>? progress = null,
        int expectedRowCount = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Pass(rows, progress, expectedRowCount, resolve: true, cancellationToken);
    }

    /// <summary>The result of the last <see cref="Check"/> or <see cref="CheckAndResolve"/> that ran to its end.</summary>
    public CheckResult? LastResult => _lastCheck;

    private IEnumerable<ResolvedRow> Pass(IEnumerable<SourceRow> rows, IProgress<int>? progress, int expectedRowCount,
        bool resolve, CancellationToken cancellationToken)
    {
        foreach (var field in _fields)
        {
            field.BeginPass();
        }

        _name.BeginPass(expectedRowCount);
        _links.BeginPass();
        var errors = new ErrorCollector();
        var importErrors = new List<string>(_setupErrors);
        _lastCheck = null;
        if (_setupErrors.Count > 0)
        {
            _lastCheck = Result(errors, importErrors, 0, 0, 0, 0);
            if (resolve)
            {
                throw new ImportCheckFailedException(_lastCheck);
            }

            yield break;
        }

        var buffer = new RowBuffer(_fields.Length);
        int rowCount = 0, emptyRows = 0, toCreate = 0, toUpdate = 0;
        foreach (var row in rows)
        {
            if (IsEmpty(row))
            {
                emptyRows++;
                continue;
            }

            rowCount++;
            if (rowCount % ProgressInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(rowCount);
            }

            errors.BeginRow(row.RowNumber);
            ReadRow(row, buffer, errors);
            _name.CheckRepeat(row, buffer, errors);
            // An earlier row that now fails was counted as an update.
            toUpdate -= _links.CheckRow(row, buffer, errors);
            if (errors.RowHasErrors)
            {
                continue;
            }

            if (buffer.IsUpdate)
            {
                toUpdate++;
            }
            else
            {
                toCreate++;
            }

            // Once any row has failed nothing will be written: the rest is only checked.
            if (resolve && errors.Total == 0)
            {
                yield return ToResolvedRow(row, buffer);
            }
        }

        progress?.Report(rowCount);
        _clientLimit.Check(_name.NewClients, importErrors);
        _status.CheckCanCreate(_name.NewClients, importErrors);
        _lastCheck = Result(errors, importErrors, rowCount, emptyRows, toCreate, toUpdate);
        if (!resolve)
        {
            yield break;
        }

        if (!_lastCheck.Succeeded)
        {
            throw new ImportCheckFailedException(_lastCheck);
        }

        foreach (var linked in _links.UpdatesOfFile())
        {
            yield return linked;
        }
    }

    /// <summary>What the writer needs besides the rows.</summary>
    public WriteContext CreateWriteContext(int importId, int? userId) => new()
    {
        ImportId = importId,
        RolloutId = _inventory.RolloutId,
        InventoryId = _inventory.InventoryId,
        UserId = userId,
        FieldNames = _inventory.CustomFields.ToDictionary(f => f.Id, f => f.Name),
    };

    /// <summary>Reads one row into <paramref name="buffer"/>, each mapped column by its rule.</summary>
    private void ReadRow(SourceRow row, RowBuffer buffer, ErrorCollector errors)
    {
        buffer.Clear();
        if (row.Issues.Count > 0)
        {
            foreach (var issue in row.Issues)
            {
                if (MappedColumn(issue.ColumnIndex) is { } column)
                {
                    errors.Add(column, issue.Value, issue.Message);
                    buffer.FailedColumns.Add(column.Index);
                }
            }
        }

        _name.Read(row, buffer, errors);
        foreach (var column in _columns)
        {
            if (column.Kind == ColumnKind.Name || buffer.FailedColumns.Contains(column.Index))
            {
                continue;
            }

            var cell = row[column.Index];
            var errorsBefore = errors.RowErrorCount;
            switch (column.Kind)
            {
                case ColumnKind.Status:
                    _status.Read(column, cell, buffer, errors);
                    break;
                case ColumnKind.Assignee:
                    buffer.AssigneeId = UserRule.Read(column, cell, errors, assignee: true);
                    break;
                case ColumnKind.ClientUser:
                    buffer.ClientUserId = UserRule.Read(column, cell, errors, assignee: false);
                    break;
                case ColumnKind.Description:
                    buffer.Description = string.IsNullOrWhiteSpace(cell) ? null : cell;
                    break;
                case ColumnKind.Flag:
                    buffer.Flag = string.IsNullOrWhiteSpace(cell) ? null : cell;
                    break;
                case ColumnKind.Field:
                    buffer.Values[column.Field!.Index] = FieldValueRule.Read(column, cell, buffer, errors);
                    break;
            }

            if (errors.RowErrorCount > errorsBefore)
            {
                buffer.FailedColumns.Add(column.Index);
            }
        }

        if (buffer.IsNew)
        {
            _status.ApplyDefault(buffer);
            _required.Check(row, buffer, errors);
        }
    }

    private ResolvedRow ToResolvedRow(SourceRow row, RowBuffer buffer)
    {
        var count = 0;
        foreach (var value in buffer.Values)
        {
            if (value is not null)
            {
                count++;
            }
        }

        var values = new Dictionary<int, string[]>(count);
        for (var i = 0; i < _fields.Length; i++)
        {
            if (buffer.Values[i] is { } value)
            {
                values[_fields[i].Field.Id] = value;
            }
        }

        return new ResolvedRow
        {
            RowNumber = row.RowNumber,
            ExistingClientId = buffer.Existing?.Id,
            // An update keeps the stored spelling of the name: the name only identifies the client here.
            Name = buffer.Existing?.Name ?? buffer.Name!,
            StatusId = buffer.StatusId,
            AssigneeId = buffer.AssigneeId,
            ClientUserId = buffer.ClientUserId,
            Description = buffer.Description,
            Flag = buffer.Flag,
            Values = values,
            NewOptions = buffer.NewOptions.Count > 0 ? [.. buffer.NewOptions] : [],
        };
    }

    private bool IsEmpty(SourceRow row)
    {
        foreach (var column in _columns)
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
        foreach (var column in _columns)
        {
            if (column.Index == index)
            {
                return column;
            }
        }

        return null;
    }

    private CheckResult Result(ErrorCollector errors, List<string> importErrors, int rowCount, int emptyRows,
        int toCreate, int toUpdate) => new()
    {
        Errors = errors.Sorted(),
        ErrorCount = errors.Total,
        FailedRowCount = errors.FailedRows,
        RowCount = rowCount,
        EmptyRowCount = emptyRows,
        ToCreate = toCreate,
        ToUpdate = toUpdate,
        OptionsToCreate = [.. _fields.SelectMany(f => f.CreatedOptions)],
        ImportErrors = importErrors,
    };
}
