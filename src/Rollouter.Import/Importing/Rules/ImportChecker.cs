using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Applies every import rule to a file's rows. <see cref="LoadAsync"/> reads what the rules need from the database
/// once (statuses, fields, users, the rollout's client names, advanced links); <see cref="Check"/> then streams the
/// rows and reports every failing one without writing anything (the dry run); <see cref="CheckAndResolve"/> is the real
/// run's single pass, which also turns the rows into what the writer stores while no row has failed.
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
    private readonly ImportMapping _mapping;
    private readonly ColumnPlan[] _columns;
    private readonly ColumnPlan _name;
    private readonly FieldPlan[] _fields;
    private readonly Dictionary<string, WorkflowStatus> _statuses;
    private readonly Dictionary<string, ExistingClient>.AlternateLookup<ReadOnlySpan<char>> _existing;
    private readonly int _existingCount;
    private readonly Dictionary<int, LinkEnd> _links;
    private readonly List<string> _setupErrors;
    private Dictionary<int, string> _inventoryNames = [];
    private Dictionary<int, LinkedRow>? _linkedRows;
    private CheckResult? _lastCheck;
    private Dictionary<string, string>? _statusesByLooseKey;

    // Filled at the end of a CheckAndResolve pass; the writer reads it after the last row.
    private readonly List<NewOption> _pendingOptions = [];

    private ImportChecker(InventoryDefinition inventory, ImportMapping mapping, ColumnPlan[] columns,
        FieldPlan[] fields, Dictionary<string, ExistingClient> existing, int existingCount,
        Dictionary<int, LinkEnd> links, List<string> setupErrors)
    {
        _inventory = inventory;
        _mapping = mapping;
        _columns = columns;
        _name = columns.FirstOrDefault(c => c.Kind == ColumnKind.Name) ?? ColumnPlan.Unmapped;
        _fields = fields;
        _existing = existing.GetAlternateLookup<ReadOnlySpan<char>>();
        _existingCount = existingCount;
        _links = links;
        _setupErrors = setupErrors;
        _statuses = new Dictionary<string, WorkflowStatus>(StringComparer.Ordinal);
        foreach (var status in inventory.Statuses)
        {
            _statuses.TryAdd(status.Name, status);
        }
    }

    public InventoryDefinition Inventory => _inventory;

    public ImportMapping Mapping => _mapping;

    /// <summary>Reads everything the rules need, one query per kind; nothing per row.</summary>
    public static async Task<ImportChecker> LoadAsync(RolloutDbContext db, int inventoryId, ImportMapping mapping,
        IReadOnlyList<SheetColumn> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(columns);
        var inventory = await InventoryDefinition.LoadAsync(db, inventoryId, cancellationToken);
        var setupErrors = new List<string>();
        var validation = MappingValidation.Validate(mapping, columns, inventory);
        if (!validation.CanApprove)
        {
            setupErrors.AddRange(validation.Errors.Select(e => e.Message));
            return new ImportChecker(inventory, mapping, [], [], [], 0, [], setupErrors);
        }

        var sheetColumns = columns.ToDictionary(c => c.Letter, StringComparer.OrdinalIgnoreCase);
        var plans = new List<ColumnPlan>();
        var fields = inventory.CustomFields.Select((f, i) => new FieldPlan(f, i)).ToArray();
        foreach (var column in mapping.Columns.Where(c => !string.IsNullOrEmpty(c.Target)))
        {
            var sheetColumn = sheetColumns[column.Letter];
            var plan = new ColumnPlan(sheetColumn.Index, sheetColumn.Letter, Truncate(sheetColumn.Header, 400),
                column.Target switch
                {
                    DefaultFields.Name => ColumnKind.Name,
                    DefaultFields.Status => ColumnKind.Status,
                    DefaultFields.Assignee => ColumnKind.Assignee,
                    DefaultFields.ClientUser => ColumnKind.ClientUser,
                    DefaultFields.Description => ColumnKind.Description,
                    DefaultFields.ClientFlag => ColumnKind.Flag,
                    _ => ColumnKind.Field,
                })
            {
                Lookup = column.Lookup ?? ColumnMapping.DefaultLookup,
                CreateOptions = column.CreateOptions,
                Separator = column.Separator is { Length: > 0 } separator ? separator : ColumnMapping.DefaultSeparator,
            };
            if (plan.Kind == ColumnKind.Field)
            {
                plan.Field = fields.Single(f => f.Field.Name == column.Target);
                plan.Field.Column = plan;
                if (plan.Field.Field.ValidationRegex is { Length: > 0 } pattern)
                {
                    try
                    {
                        plan.Field.Regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled,
                            RegexTimeout);
                    }
                    catch (ArgumentException e)
                    {
                        setupErrors.Add($"The pattern of field \"{plan.Field.Field.Name}\" ({pattern}) is not a valid regular expression: {e.Message}");
                    }
                }
            }

            plans.Add(plan);
        }

        var userColumns = plans.Where(p => p.Kind is ColumnKind.Assignee or ColumnKind.ClientUser).ToList();
        if (userColumns.Count > 0)
        {
            var users = await db.Users.AsNoTracking().Where(u => u.IsActive)
                .Select(u => new UserRecord(u.Id, u.DisplayName, u.Email, u.UserCode, u.Role))
                .ToListAsync(cancellationToken);
            var directories = new Dictionary<UserLookup, UserDirectory>();
            foreach (var column in userColumns)
            {
                if (!directories.TryGetValue(column.Lookup, out var directory))
                {
                    directories[column.Lookup] = directory = new UserDirectory(users, column.Lookup);
                }

                column.Users = directory;
            }
        }

        var inventoryNames = await db.Inventories.AsNoTracking().Where(i => i.RolloutId == inventory.RolloutId)
            .ToDictionaryAsync(i => i.Id, i => i.Name, cancellationToken);
        // Sized up front: growing a large dictionary leaves its old arrays on the large object heap until a full collection.
        var existingCount = await db.Clients.CountAsync(c => c.RolloutId == inventory.RolloutId, cancellationToken);
        var existing = new Dictionary<string, ExistingClient>(existingCount, NameKeyComparer.Instance);
        await foreach (var client in db.Clients.AsNoTracking().Where(c => c.RolloutId == inventory.RolloutId)
                           .Select(c => new { c.Id, c.Name, c.InventoryId }).AsAsyncEnumerable()
                           .WithCancellation(cancellationToken))
        {
            existing.TryAdd(client.Name, new ExistingClient(client.Id, client.InventoryId, client.Name));
        }

        await LoadPatternExamplesAsync(db, inventory, fields, cancellationToken);
        var links = mapping.UpdateExisting
            ? await LoadLinksAsync(db, inventory, fields, cancellationToken)
            : [];
        return new ImportChecker(inventory, mapping, [.. plans], fields, existing, existingCount, links, setupErrors)
        {
            _inventoryNames = inventoryNames,
        };
    }

    /// <summary>
    /// For each mapped field with a pattern, a value of an existing client of the inventory that matches it: the example a
    /// failing cell's message shows ("for example "SN100101""). The newest clients are asked, a few dozen rows in one
    /// query, so that a large inventory costs no more; without a match the message does without.
    /// </summary>
    private static async Task LoadPatternExamplesAsync(RolloutDbContext db, InventoryDefinition inventory, FieldPlan[] fields,
        CancellationToken cancellationToken)
    {
        var patterned = fields.Where(f => f.Column is not null && f.Regex is not null).ToList();
        if (patterned.Count == 0)
        {
            return;
        }

        const int looked = 50;
        var inventoryId = inventory.InventoryId;
        var values = await db.Clients.AsNoTracking().Where(c => c.InventoryId == inventoryId)
            .OrderByDescending(c => c.Id).Take(looked).Select(c => c.Values)
            .ToListAsync(cancellationToken);
        foreach (var field in patterned)
        {
            field.Example = values
                .SelectMany(v => v.TryGetValue(field.Field.Id, out var parts) ? parts : [])
                .FirstOrDefault(v => !string.IsNullOrEmpty(v) && v.Length <= 100 && IsMatchWithin(field.Regex!, v));
        }
    }

    private static bool IsMatchWithin(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// A text as loosely as people mistype it: case and every space ignored ("new " and "N ew" are "new"), for
    /// suggestions in messages only — the rules themselves compare as they always did.
    /// </summary>
    internal static string Loose(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>"Did you mean "New"?" where the value differs from a valid one only in case or spaces; else "".</summary>
    private static string DidYouMean(Dictionary<string, string> byLooseKey, string value) =>
        byLooseKey.TryGetValue(Loose(value), out var meant) && meant != value ? $" Did you mean \"{Shorten(meant)}\"?" : "";

    private static async Task<Dictionary<int, LinkEnd>> LoadLinksAsync(RolloutDbContext db, InventoryDefinition inventory,
        FieldPlan[] fields, CancellationToken cancellationToken)
    {
        var mapped = fields.Where(f => f.Column is not null).ToDictionary(f => f.Field.Id);
        var links = new Dictionary<int, LinkEnd>();
        if (mapped.Count == 0)
        {
            return links;
        }

        var sharedByType = (await db.ClientLinkTypes.AsNoTracking().Where(t => t.IsAdvanced)
                .Select(t => new { t.Id, Fields = t.SharedFields.Select(f => f.CustomFieldId).ToList() })
                .ToListAsync(cancellationToken))
            .ToDictionary(t => t.Id, t => t.Fields.Where(mapped.ContainsKey).Select(id => mapped[id]).ToArray());
        var typeIds = sharedByType.Where(t => t.Value.Length > 0).Select(t => t.Key).ToList();
        if (typeIds.Count == 0)
        {
            return links;
        }

        var inventoryId = inventory.InventoryId;
        var rows = await db.ClientLinks.AsNoTracking()
            .Where(l => typeIds.Contains(l.ClientLinkTypeId) &&
                        (l.SourceClient.InventoryId == inventoryId || l.TargetClient.InventoryId == inventoryId))
            .Select(l => new
            {
                l.ClientLinkTypeId,
                Source = new LinkedClient(l.SourceClientId, l.SourceClient.InventoryId, l.SourceClient.Name, l.SourceClient.Values),
                Target = new LinkedClient(l.TargetClientId, l.TargetClient.InventoryId, l.TargetClient.Name, l.TargetClient.Values),
            })
            .ToListAsync(cancellationToken);
        foreach (var link in rows)
        {
            var shared = sharedByType[link.ClientLinkTypeId];
            if (link.Source.InventoryId == inventoryId)
            {
                links.TryAdd(link.Source.Id, new LinkEnd(link.Target, shared));
            }

            if (link.Target.InventoryId == inventoryId)
            {
                links.TryAdd(link.Target.Id, new LinkEnd(link.Source, shared));
            }
        }

        return links;
    }

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
    /// with the full <see cref="CheckResult"/>, so that the writer rolls back. The options to create fill
    /// <see cref="CreateWriteContext"/>'s list when the pass ends, before the writer creates them.
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
        _pendingOptions.Clear();
        foreach (var field in _fields)
        {
            field.ResetCreatedOptions();
        }

        var errors = new ErrorCollector();
        var importErrors = new List<string>(_setupErrors);
        _linkedRows = [];
        _lastCheck = null;
        if (_setupErrors.Count > 0)
        {
            _lastCheck = Result(errors, importErrors, 0, 0, 0, 0, 0);
            if (resolve)
            {
                throw new ImportCheckFailedException(_lastCheck);
            }

            yield break;
        }

        var namesInFile = new NameIndex(expectedRowCount);
        var buffer = new RowBuffer(_fields.Length);
        int rowCount = 0, emptyRows = 0, toCreate = 0, toUpdate = 0, newClients = 0;
        var updatedClients = new List<string>(CheckResult.UpdatedClientsShown);
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
            if (buffer.Name is not null)
            {
                if (!namesInFile.TryAdd(buffer.Key, row.RowNumber, out var firstRow))
                {
                    errors.Add(_name, row[_name.Index],
                        $"Name \"{Shorten(buffer.Name)}\" appears again in row {row.RowNumber}; it is first used in row {firstRow}.");
                }
                else if (buffer.IsNew)
                {
                    newClients++;
                }
            }

            if (buffer.IsUpdate && _links.TryGetValue(buffer.Existing!.Value.Id, out var link))
            {
                // An earlier row that now fails was counted as an update.
                toUpdate -= CheckLinkedRow(row, buffer, link, errors);
            }

            if (errors.RowHasErrors)
            {
                continue;
            }

            if (buffer.IsUpdate)
            {
                toUpdate++;
                if (updatedClients.Count < CheckResult.UpdatedClientsShown)
                {
                    updatedClients.Add(buffer.Existing!.Value.Name);
                }
            }
            else
            {
                toCreate++;
            }

            // Once any row has failed nothing will be written: the rest is only checked.
            if (resolve && errors.Total == 0)
            {
                yield return ToResolvedRow(row, buffer, []);
            }
        }

        progress?.Report(rowCount);
        if (_inventory.ClientLimit is { } limit && _existingCount + newClients > limit)
        {
            importErrors.Add(string.Create(CultureInfo.InvariantCulture,
                $"The import would exceed the client limit ({_existingCount + newClients:N0} of {limit:N0}): the rollout holds {_existingCount:N0} clients and the file would create {newClients:N0}. The limit of {limit:N0} clients is set on rollout \"{_inventory.RolloutName}\"; an administrator can raise it under Settings → Rollouts → {_inventory.RolloutName}."));
        }

        if (newClients > 0 && _inventory.Statuses.Count == 0)
        {
            importErrors.Add($"Workflow \"{_inventory.WorkflowName}\" has no statuses, so no client can be created.");
        }

        _lastCheck = Result(errors, importErrors, rowCount, emptyRows, toCreate, toUpdate, errors.FailedRows) with
        {
            UpdatedClients = updatedClients,
        };
        if (!resolve)
        {
            yield break;
        }

        if (!_lastCheck.Succeeded)
        {
            throw new ImportCheckFailedException(_lastCheck);
        }

        _pendingOptions.AddRange(_lastCheck.OptionsToCreate);
        foreach (var linked in LinkedUpdatesOfFile())
        {
            yield return linked;
        }
    }

    /// <summary>
    /// The first advanced-link scenario, once the whole file is known: for each file row of a linked client, what
    /// the file imposes on its partner (unless the partner's own row sets the field), as an update of nothing else.
    /// </summary>
    private IEnumerable<ResolvedRow> LinkedUpdatesOfFile()
    {
        foreach (var (clientId, row) in _linkedRows!)
        {
            if (!_links.TryGetValue(clientId, out var link))
            {
                continue;
            }

            var buffer = new RowBuffer(_fields.Length);
            for (var i = 0; i < link.SharedFields.Length; i++)
            {
                buffer.Values[link.SharedFields[i].Index] = row.Values[i];
            }

            var updates = LinkedUpdates(buffer, link);
            if (updates.Count > 0)
            {
                yield return new ResolvedRow
                {
                    RowNumber = row.Row,
                    ExistingClientId = clientId,
                    Name = row.Name,
                    LinkedUpdates = updates,
                };
            }
        }
    }

    /// <summary>What the writer needs besides the rows, from the last successful check.</summary>
    public WriteContext CreateWriteContext(int importId, int? userId) => new()
    {
        ImportId = importId,
        RolloutId = _inventory.RolloutId,
        InventoryId = _inventory.InventoryId,
        UserId = userId,
        OptionsToCreate = _lastCheck is { Succeeded: true } check ? check.OptionsToCreate : _pendingOptions,
        FieldNames = _inventory.CustomFields.ToDictionary(f => f.Id, f => f.Name),
    };

    private ResolvedRow ToResolvedRow(SourceRow row, RowBuffer buffer, IReadOnlyList<LinkedClientUpdate> linkedUpdates)
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
            LinkedUpdates = linkedUpdates,
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

    /// <summary>Reads one row into <paramref name="buffer"/>, reporting what breaks a rule (in the write pass: throwing).</summary>
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

        ReadName(row, buffer, errors);
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
                    ReadStatus(column, cell, buffer, errors);
                    break;
                case ColumnKind.Assignee:
                    buffer.AssigneeId = ReadUser(column, cell, errors, assignee: true);
                    break;
                case ColumnKind.ClientUser:
                    buffer.ClientUserId = ReadUser(column, cell, errors, assignee: false);
                    break;
                case ColumnKind.Description:
                    buffer.Description = string.IsNullOrWhiteSpace(cell) ? null : cell;
                    break;
                case ColumnKind.Flag:
                    buffer.Flag = string.IsNullOrWhiteSpace(cell) ? null : cell;
                    break;
                case ColumnKind.Field:
                    var field = column.Field!;
                    buffer.Values[field.Index] = ReadField(column, field, cell, errors);
                    break;
            }

            if (errors.RowErrorCount > errorsBefore)
            {
                buffer.FailedColumns.Add(column.Index);
            }
        }

        if (buffer.IsNew)
        {
            buffer.StatusId ??= _inventory.Statuses.Count > 0 ? _inventory.Statuses[0].Id : null;
            foreach (var field in _fields)
            {
                if (!field.Field.Required || buffer.Values[field.Index] is not null ||
                    (field.Column is { } c && buffer.FailedColumns.Contains(c.Index)))
                {
                    continue;
                }

                var message = $"Field \"{field.Field.Name}\" is required.";
                if (field.Column is null)
                {
                    errors.Add(null, null, message);
                }
                else
                {
                    errors.Add(field.Column, NullIfEmpty(row[field.Column.Index]), message);
                }
            }
        }
    }

    private void ReadName(SourceRow row, RowBuffer buffer, ErrorCollector errors)
    {
        if (buffer.FailedColumns.Contains(_name.Index))
        {
            return;
        }

        var cell = row[_name.Index];
        var name = cell?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(_name, NullIfEmpty(cell), "Name is required.");
            return;
        }

        if (name.Length > MaxNameLength)
        {
            errors.Add(_name, cell, $"Name is too long: {name.Length} characters, at most {MaxNameLength}.");
            return;
        }

        buffer.Name = name;
        if (!_existing.TryGetValue(buffer.SetKey(name), out var existing))
        {
            buffer.IsNew = true;
            return;
        }

        if (existing.InventoryId != _inventory.InventoryId)
        {
            errors.Add(_name, cell,
                $"Name \"{Shorten(name)}\" already exists in this rollout (inventory \"{_inventoryNames.GetValueOrDefault(existing.InventoryId)}\").");
        }
        else if (!_mapping.UpdateExisting)
        {
            errors.Add(_name, cell,
                $"Name \"{Shorten(name)}\" already exists in this inventory; enable \"Update existing clients\" to update it.");
        }
        else
        {
            buffer.Existing = existing;
            buffer.IsUpdate = true;
        }
    }

    private void ReadStatus(ColumnPlan column, string? cell, RowBuffer buffer, ErrorCollector errors)
    {
        var value = cell?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (_statuses.TryGetValue(value, out var status))
        {
            buffer.StatusId = status.Id;
            return;
        }

        const int shown = 20;
        var names = string.Join(", ", _inventory.Statuses.Take(shown).Select(s => s.Name));
        if (_inventory.Statuses.Count > shown)
        {
            names += ", …";
        }

        // Built at the first failing cell, never for a file whose statuses are right.
        _statusesByLooseKey ??= _inventory.Statuses.GroupBy(s => Loose(s.Name)).ToDictionary(g => g.Key, g => g.First().Name);
        errors.Add(column, cell,
            $"\"{Shorten(value)}\" is not a status of workflow \"{_inventory.WorkflowName}\" ({names}).{DidYouMean(_statusesByLooseKey, value)}");
    }

    private static int? ReadUser(ColumnPlan column, string? cell, ErrorCollector errors, bool assignee)
    {
        var value = cell?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var directory = column.Users!;
        var found = directory.Find(value, out var user);
        if (found == 0)
        {
            errors.Add(column, cell, column.Lookup switch
            {
                UserLookup.Name => $"No user named \"{Shorten(value)}\".",
                UserLookup.UserId => $"No user with user ID \"{Shorten(value)}\".",
                _ => $"No user with email \"{Shorten(value)}\".",
            });
            return null;
        }

        if (found > 1)
        {
            errors.Add(column, cell, column.Lookup switch
            {
                UserLookup.Name => $"{found} users are named \"{Shorten(value)}\": use email or user ID.",
                UserLookup.UserId => $"{found} users have a user ID \"{Shorten(value)}\" differing only in case: write it exactly.",
                _ => $"{found} users have email \"{Shorten(value)}\": use user ID.",
            });
            return null;
        }

        if (assignee && user.Role < Role.Technician)
        {
            var role = user.Role == Role.ClientUser ? "a Client User" : $"a {user.Role.DisplayName()} user";
            errors.Add(column, cell, $"\"{Shorten(value)}\" is {role}; an assignee must be a Technician or higher.");
            return null;
        }

        return user.Id;
    }

    private static string[]? ReadField(ColumnPlan column, FieldPlan field, string? cell, ErrorCollector errors)
    {
        if (string.IsNullOrWhiteSpace(cell))
        {
            return null;
        }

        switch (field.Field.Type)
        {
            case CustomFieldType.Selection:
            {
                var value = cell.Trim();
                var option = field.FindOption(value, column.CreateOptions, column, cell, errors);
                return option is null || !MatchesPattern(field, column, value, cell, errors) ? null : field.Single(option);
            }
            case CustomFieldType.MultiSelection:
            case CustomFieldType.MultiSelectionFree:
            {
                var parts = cell.Split(column.Separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0)
                {
                    return null;
                }

                var count = 0;
                var failed = false;
                foreach (var part in parts)
                {
                    var value = field.Field.Type == CustomFieldType.MultiSelectionFree
                        ? part
                        : field.FindOption(part, column.CreateOptions, column, part, errors);
                    if (value is null || !MatchesPattern(field, column, part, part, errors))
                    {
                        failed = true;
                        continue;
                    }

                    if (Array.IndexOf(parts, value, 0, count) < 0)
                    {
                        parts[count++] = value;
                    }
                }

                return failed ? null : count == parts.Length ? parts : parts[..count];
            }
            case CustomFieldType.TextArea:
                return MatchesPattern(field, column, cell, cell, errors) ? [cell] : null;
            default:
            {
                var value = cell.Trim();
                return MatchesPattern(field, column, value, cell, errors) ? [value] : null;
            }
        }
    }

    /// <summary>
    /// The pattern, then what it means in people's words where the field has them: its description, and a value of an
    /// existing client that matches ("for example "SN100101""). Built only for a failing cell.
    /// </summary>
    private static string PatternMessage(FieldPlan field, string value)
    {
        var message = $"\"{Shorten(value)}\" does not match the pattern of field \"{field.Field.Name}\" ({Shorten(field.Field.ValidationRegex)})";
        var description = field.Field.Description?.Trim().TrimEnd('.');
        var example = field.Example is null ? null : $"for example \"{Shorten(field.Example)}\"";
        return (string.IsNullOrEmpty(description), example is null) switch
        {
            (false, false) => $"{message}: {Shorten(description, 300)}, {example}.",
            (false, true) => $"{message}: {Shorten(description, 300)}.",
            (true, false) => $"{message}, {example}.",
            _ => message + ".",
        };
    }

    private static bool MatchesPattern(FieldPlan field, ColumnPlan column, string value, string cell, ErrorCollector errors)
    {
        if (field.Regex is null)
        {
            return true;
        }

        try
        {
            if (field.Regex.IsMatch(value))
            {
                return true;
            }

            errors.Add(column, cell, PatternMessage(field, value));
        }
        catch (RegexMatchTimeoutException)
        {
            errors.Add(column, cell,
                $"Checking \"{Shorten(value)}\" against the pattern of field \"{field.Field.Name}\" took too long; the value or the pattern needs to be simpler.");
        }

        return false;
    }

    /// <summary>
    /// The second advanced-link scenario: two rows of the file for directly linked clients must agree on each shared
    /// field they both set. The earlier row is remembered (row number and its shared values only) until its partner comes.
    /// </summary>
    /// <returns>1 when the partner's earlier row failed only now, else 0.</returns>
    private int CheckLinkedRow(SourceRow row, RowBuffer buffer, LinkEnd link, ErrorCollector errors)
    {
        var newlyFailed = 0;
        var clientId = buffer.Existing!.Value.Id;
        var values = new string[]?[link.SharedFields.Length];
        for (var i = 0; i < link.SharedFields.Length; i++)
        {
            values[i] = buffer.Values[link.SharedFields[i].Index];
        }

        var current = new LinkedRow(row.RowNumber, buffer.Name!, values) { Failed = errors.RowHasErrors };
        if (_linkedRows!.TryGetValue(link.Partner.Id, out var partner))
        {
            for (var i = 0; i < link.SharedFields.Length; i++)
            {
                if (values[i] is not { } mine || partner.Values[i] is not { } theirs || SameValue(mine, theirs))
                {
                    continue;
                }

                var field = link.SharedFields[i];
                var column = field.Column!;
                errors.Add(column, Display(mine, column),
                    $"Field \"{field.Field.Name}\" is shared with the linked client \"{Shorten(partner.Name)}\" in row {partner.Row}, which gives \"{Shorten(Display(theirs, column))}\"; directly linked clients must have the same value.");
                errors.AddToEarlierRow(partner.Row, column, Display(theirs, column),
                    $"Field \"{field.Field.Name}\" is shared with the linked client \"{Shorten(current.Name)}\" in row {row.RowNumber}, which gives \"{Shorten(Display(mine, column))}\"; directly linked clients must have the same value.",
                    rowAlreadyFailed: partner.Failed);
                newlyFailed += partner.Failed ? 0 : 1;
                partner.Failed = true;
            }
        }

        current.Failed = errors.RowHasErrors;
        _linkedRows[clientId] = current;
        return newlyFailed;
    }

    /// <summary>The first advanced-link scenario: the file wins, and the directly linked client takes its value.</summary>
    private List<LinkedClientUpdate> LinkedUpdates(RowBuffer buffer, LinkEnd link)
    {
        var updates = new List<LinkedClientUpdate>();
        var partnerRow = _linkedRows!.GetValueOrDefault(link.Partner.Id);
        for (var i = 0; i < link.SharedFields.Length; i++)
        {
            var field = link.SharedFields[i];
            if (buffer.Values[field.Index] is not { } value || partnerRow?.Values[i] is not null)
            {
                // Nothing imposed, or the partner's own row sets the field (to the same value, or the check failed).
                continue;
            }

            if (link.Partner.Values.TryGetValue(field.Field.Id, out var current) && SameValue(current, value))
            {
                continue;
            }

            updates.Add(new LinkedClientUpdate(link.Partner.Id, field.Field.Id, value));
        }

        return updates;
    }

    private static bool SameValue(string[] a, string[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        // Multi-selections are sets: the order of the values does not matter.
        foreach (var value in a)
        {
            if (Array.IndexOf(b, value) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string Display(string[] value, ColumnPlan column) =>
        string.Join(column.Field!.Field.IsMultiValued ? column.Separator : "", value);

    private CheckResult Result(ErrorCollector errors, List<string> importErrors, int rowCount, int emptyRows,
        int toCreate, int toUpdate, int failedRows) => new()
    {
        Errors = errors.Sorted(),
        ErrorCount = errors.Total,
        FailedRowCount = failedRows,
        RowCount = rowCount,
        EmptyRowCount = emptyRows,
        ToCreate = toCreate,
        ToUpdate = toUpdate,
        OptionsToCreate = [.. _fields.SelectMany(f => f.CreatedOptions)],
        ImportErrors = importErrors,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string Shorten(string? value, int max = 100) =>
        value is null ? "" : value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");

    internal static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : string.Concat(value.AsSpan(0, max - 1), "…");

    private enum ColumnKind
    {
        Name,
        Status,
        Assignee,
        ClientUser,
        Description,
        Flag,
        Field,
    }

    private sealed class ColumnPlan(int index, string letter, string? header, ColumnKind kind)
    {
        public static readonly ColumnPlan Unmapped = new(-1, "", null, ColumnKind.Name);

        public int Index { get; } = index;

        public string Letter { get; } = letter;

        public string? Header { get; } = header;

        public ColumnKind Kind { get; } = kind;

        public UserLookup Lookup { get; init; }

        public bool CreateOptions { get; init; }

        public string Separator { get; init; } = ColumnMapping.DefaultSeparator;

        public FieldPlan? Field { get; set; }

        public UserDirectory? Users { get; set; }
    }

    /// <summary>One custom field of the inventory: its options (exact, then ignoring case) and the options rows add.</summary>
    private sealed class FieldPlan
    {
        private readonly Dictionary<string, string> _exact = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _ignoringCase = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _created = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<NewOption> _createdList = [];

        public FieldPlan(CustomField field, int index)
        {
            Field = field;
            Index = index;
            foreach (var option in field.Options)
            {
                _exact.TryAdd(option.Name, option.Name);
                _ignoringCase.TryAdd(option.Name, option.Name);
            }
        }

        public CustomField Field { get; }

        public int Index { get; }

        public ColumnPlan? Column { get; set; }

        public Regex? Regex { get; set; }

        /// <summary>A value of an existing client that matches <see cref="Regex"/>, shown in the pattern's message.</summary>
        public string? Example { get; set; }

        public IReadOnlyList<NewOption> CreatedOptions => _createdList;

        private Dictionary<string, string>? _optionsByLooseKey;

        private readonly Dictionary<string, string[]> _singles = new(StringComparer.Ordinal);

        /// <summary>The one-element value of an option, shared by every row that selects it (values are never modified).</summary>
        public string[] Single(string option)
        {
            if (!_singles.TryGetValue(option, out var single))
            {
                single = [option];
                _singles.Add(option, single);
            }

            return single;
        }

        public void ResetCreatedOptions()
        {
            _created.Clear();
            _createdList.Clear();
        }

        /// <summary>
        /// The option's stored spelling: exact first, then ignoring case (so "model 3" is stored as "Model 3" and no
        /// near-duplicate option appears); or a new option, once per name, when the column may create options.
        /// </summary>
        public string? FindOption(string value, bool create, ColumnPlan column, string cell, ErrorCollector errors)
        {
            if (_exact.TryGetValue(value, out var option) || _ignoringCase.TryGetValue(value, out option) ||
                _created.TryGetValue(value, out option))
            {
                return option;
            }

            if (!create)
            {
                _optionsByLooseKey ??= Field.Options.GroupBy(o => Loose(o.Name)).ToDictionary(g => g.Key, g => g.First().Name);
                var meant = DidYouMean(_optionsByLooseKey, value);
                errors.Add(column, cell, meant.Length == 0
                    ? $"\"{Shorten(value)}\" is not an option of field \"{Field.Name}\"; add it to the field's options or enable \"Create option if not exists\"."
                    : $"\"{Shorten(value)}\" is not an option of field \"{Field.Name}\".{meant} Otherwise add it to the field's options or enable \"Create option if not exists\".");
                return null;
            }

            if (value.Length > MaxOptionLength)
            {
                errors.Add(column, cell,
                    $"\"{Shorten(value)}\" is too long for an option of field \"{Field.Name}\": {value.Length} characters, at most {MaxOptionLength}.");
                return null;
            }

            _created[value] = value;
            _createdList.Add(new NewOption(Field.Id, value));
            return value;
        }
    }

    private sealed class RowBuffer(int fieldCount)
    {
        public string? Name { get; set; }

        private readonly char[] _key = new char[MaxNameLength];
        private int _keyLength;

        /// <summary>The name's <see cref="Client.KeyOf"/>, without allocating a string per row.</summary>
        public ReadOnlySpan<char> Key => _key.AsSpan(0, _keyLength);

        public ReadOnlySpan<char> SetKey(string name)
        {
            _keyLength = Client.KeyOf(name, _key);
            return Key;
        }

        public ExistingClient? Existing { get; set; }

        /// <summary>The name is valid and new: the row creates a client.</summary>
        public bool IsNew { get; set; }

        /// <summary>The name is that of a client of this inventory and "Update existing clients" is on.</summary>
        public bool IsUpdate { get; set; }

        public int? StatusId { get; set; }

        public int? AssigneeId { get; set; }

        public int? ClientUserId { get; set; }

        public string? Description { get; set; }

        public string? Flag { get; set; }

        public string[]?[] Values { get; } = new string[]?[fieldCount];

        public HashSet<int> FailedColumns { get; } = [];

        public void Clear()
        {
            Name = Description = Flag = null;
            _keyLength = 0;
            Existing = null;
            IsNew = IsUpdate = false;
            StatusId = AssigneeId = ClientUserId = null;
            Array.Clear(Values);
            FailedColumns.Clear();
        }
    }

    private readonly record struct ExistingClient(int Id, int InventoryId, string Name);

    private sealed record LinkedClient(int Id, int InventoryId, string Name, Dictionary<int, string[]> Values);

    /// <summary>A client of this inventory in an advanced link: its partner and the shared fields the file maps.</summary>
    private sealed record LinkEnd(LinkedClient Partner, FieldPlan[] SharedFields);

    private sealed class LinkedRow(int row, string name, string[]?[] values)
    {
        public int Row { get; } = row;

        public string Name { get; } = name;

        public string[]?[] Values { get; } = values;

        public bool Failed { get; set; }
    }

    private sealed record UserRecord(int Id, string DisplayName, string? Email, string UserCode, Role Role);

    /// <summary>Active users by one attribute, ignoring case; an exact spelling settles a tie between case variants.</summary>
    private sealed class UserDirectory
    {
        private readonly Dictionary<string, UserRecord[]> _users = new(StringComparer.OrdinalIgnoreCase);
        private readonly UserLookup _lookup;

        public UserDirectory(IEnumerable<UserRecord> users, UserLookup lookup)
        {
            _lookup = lookup;
            foreach (var group in users.Where(u => !string.IsNullOrWhiteSpace(Key(u)))
                         .GroupBy(u => Key(u)!.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                _users[group.Key] = [.. group];
            }
        }

        private string? Key(UserRecord user) => _lookup switch
        {
            UserLookup.Name => user.DisplayName,
            UserLookup.UserId => user.UserCode,
            _ => user.Email,
        };

        /// <summary>How many users the value names; <paramref name="user"/> is set when exactly one.</summary>
        public int Find(string value, out UserRecord user)
        {
            user = null!;
            if (!_users.TryGetValue(value, out var matches))
            {
                return 0;
            }

            if (matches.Length > 1)
            {
                var exact = matches.Where(u => string.Equals(Key(u)?.Trim(), value, StringComparison.Ordinal)).ToList();
                if (exact.Count != 1 || _lookup == UserLookup.Name)
                {
                    return matches.Length;
                }

                matches = [exact[0]];
            }

            user = matches[0];
            return 1;
        }
    }

    /// <summary>Collects the errors of the check, keeping the first <see cref="MaxStoredErrors"/> and counting failed rows.</summary>
    private sealed class ErrorCollector
    {
        private readonly List<RowError> _errors = [];
        private int _rowErrors;

        public int Row { get; private set; }

        public int Total { get; private set; }

        public int FailedRows { get; private set; }

        public bool RowHasErrors => _rowErrors > 0;

        public int RowErrorCount => _rowErrors;

        public void BeginRow(int row)
        {
            Row = row;
            _rowErrors = 0;
        }

        public void Add(ColumnPlan? column, string? value, string message)
        {
            if (_rowErrors++ == 0)
            {
                FailedRows++;
            }

            Store(Row, column, value, message);
        }

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
            if (_errors.Count < MaxStoredErrors)
            {
                _errors.Add(new RowError(row, column?.Letter, column?.Header, Truncate(value, MaxErrorValueLength),
                    Truncate(message, 2000)!));
            }
        }

        public IReadOnlyList<RowError> Sorted() =>
        [
            .. _errors.OrderBy(e => e.Row)
                .ThenBy(e => e.Column is null ? int.MaxValue : e.Column.Length)
                .ThenBy(e => e.Column, StringComparer.Ordinal),
        ];
    }
}
