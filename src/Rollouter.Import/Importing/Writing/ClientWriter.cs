using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Configurations;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// Writes the checked rows of one import in one transaction: the new options, the new clients, the updated clients,
/// the linked clients the file imposes shared values on, a history entry for each client changed, and one for each
/// client of a row corrected in the browser — all or nothing.
/// Rows are streamed in batches; each batch goes to the database in a few bulk statements native to the provider.
/// The clock stamps the clients' CreatedAt/UpdatedAt and their history entries: the job's, so a test can fix it.
/// The rows named when names are taken or clients deleted meanwhile are bounded as a failed check's are (decision 0054):
/// every one counted, the first <paramref name="maxListedRows"/> listed, at most <paramref name="maxListedErrors"/> errors.
/// </summary>
public sealed class ClientWriter(
    TimeProvider clock,
    int batchSize = ClientWriter.DefaultBatchSize,
    int maxListedRows = Rules.ImportChecker.MaxListedRows,
    int maxListedErrors = Rules.ImportChecker.MaxListedErrors)
{
    public const int DefaultBatchSize = 1_000;

    private const int ConflictLookupBatchSize = 1_000;

    /// <summary>
    /// New rows a store may insert in one open bulk insert (one COPY) before the writer ends it: their names are kept
    /// until then, to name the rows should the database refuse one of them.
    /// </summary>
    private const int MaxUnconfirmedRows = 20_000;

    /// <summary>
    /// Writes every row or nothing. Progress reports the number of rows written so far, once per batch.
    /// Throws <see cref="ClientNameConflictException"/> when another writer took one of the names meanwhile,
    /// <see cref="ClientsDeletedException"/> when a client the rows update was deleted meanwhile, and
    /// <see cref="ClientLimitExceededException"/> when the new clients no longer fit the rollout's client limit, and
    /// <see cref="OptionLimitExceededException"/> when the new options no longer fit their field's.
    /// <paramref name="beforeCommit"/> runs in the transaction after the last row, with what was written: whatever it
    /// records (the import's own end) commits with the clients, or not at all.
    /// </summary>
    public async Task<WriteResult> WriteAsync(
        RolloutDbContext db,
        WriteContext context,
        IEnumerable<ResolvedRow> rows,
        IProgress<int>? rowsWritten,
        CancellationToken cancellationToken,
        Func<WriteResult, CancellationToken, Task>? beforeCommit = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        await using var store = ClientStore.For(db);
        var history = new HistoryLabels(db, context);
        var now = clock.GetUtcNow();
        var batch = new List<ResolvedRow>(Math.Min(batchSize, 100_000));
        using var enumerator = rows.GetEnumerator();
        // New rows of earlier batches in the store's open bulk insert: the database may still refuse them.
        var unconfirmed = new List<(int RowNumber, string Name)>();
        var newOptions = new List<NewOption>();
        // Linked clients already counted as updated: a partner changed by its own row and then through the link (whose
        // updates come after the file's rows) is one updated client. Only clients in an advanced link are kept.
        var linkedCounted = new HashSet<int>();
        int created = 0, updated = 0, written = 0, correctionEntries = 0;

        try
        {
            await using var transaction = await store.BeginAsync(cancellationToken);
            try
            {
                await store.LockRolloutAsync(context.RolloutId, cancellationToken);
                await store.LockInventoryAsync(context.InventoryId, context.RolloutId, cancellationToken);
                // A rename or removal of an option (or a field), or a status's removal, takes this lock too, but may have
                // held it while the rows' check read the inventory: two queries, before any row is written.
                if (context.CheckedAgainst is { } checkedAgainst
                    && (checkedAgainst.ChangedField(await Mapping.InventoryDefinition.LoadFieldsAsync(db, context.InventoryId, cancellationToken))
                        ?? await checkedAgainst.ChangedStatusesAsync(db, cancellationToken)) is { } changed)
                {
                    throw new ImportSettingsChangedException(changed);
                }

                await history.LoadStatusesAsync(cancellationToken);
                await history.LoadOptionsAsync(cancellationToken);
                await store.StartInsertsAsync(cancellationToken);
                while (true)
                {
                    batch.Clear();
                    while (batch.Count < batchSize && enumerator.MoveNext())
                    {
                        var row = enumerator.Current;
                        batch.Add(row);
                        if (row.NewOptions.Count > 0)
                        {
                            newOptions.AddRange(row.NewOptions);
                        }
                    }

                    if (batch.Count == 0)
                    {
                        break;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    var (batchCreated, batchUpdated) =
                        await WriteBatchAsync(store, history, context, batch, unconfirmed, linkedCounted, now, cancellationToken);
                    created += batchCreated;
                    updated += batchUpdated;
                    written += batch.Count;
                    if (unconfirmed.Count >= MaxUnconfirmedRows)
                    {
                        await store.EndInsertAsync(cancellationToken);
                        unconfirmed.Clear();
                    }

                    rowsWritten?.Report(written);
                }

                await store.EndInsertAsync(cancellationToken);
                unconfirmed.Clear();
                await store.FinishAsync(cancellationToken);

                // Once, after the last row: one statement, and the open bulk insert of new clients is not interrupted.
                // Each field's options are counted again under its row lock: another import or a rollout manager may
                // have added some since the check read the field (decision 0100).
                if (newOptions.Count > 0)
                {
                    if (await Rules.OptionLimitRule.RecheckAsync(db, newOptions, cancellationToken) is { } tooMany)
                    {
                        throw new OptionLimitExceededException(tooMany);
                    }

                    await store.CreateOptionsAsync(context.ImportId, newOptions, cancellationToken);
                }

                // The check counted the rollout's clients when it started: an import into another inventory may have
                // committed since (the rollout's lock serialised it with this one), or the limit was lowered.
                if (await Rules.ClientLimitRule.RecheckAsync(db, context.RolloutId, created, cancellationToken) is { } exceeded)
                {
                    throw new ClientLimitExceededException(exceeded);
                }

                // The corrections' history commits with the clients it describes: once every row is written, since new
                // clients' ids come from the database and are looked up by name.
                if (context.Corrections is { } corrections)
                {
                    correctionEntries = await corrections.RecordHistoryAsync(db, store, context, now, cancellationToken);
                }

                // The inventory's client count commits with the clients; last, as it locks the inventory row.
                await ClientCounts.AddAsync(db, context.InventoryId, created, cancellationToken);
                if (beforeCommit is not null)
                {
                    await beforeCommit(new WriteResult(created, updated, correctionEntries), cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            catch
            {
                // E.g. a row failed its check while a batch was being collected: nothing more goes to the database.
                await store.AbortInsertAsync();
                throw;
            }
        }
        catch (ClientsGoneException)
        {
            // Rolled back by now. The batch that found clients gone, and the rows after it, may update deleted ones:
            // each is counted, and the first ones named, as the name conflicts are, so that one more Check shows them
            // all as new clients.
            var deleted = new DeletedRows(maxListedRows, maxListedErrors);
            await FindDeletedAsync(db, batch.Concat(Rest(enumerator)), deleted, cancellationToken);
            throw deleted.ToException();
        }
        catch (Exception e) when (store.IsNameConflict(e))
        {
            // The transaction is rolled back by now. The names taken can only be in the bulk insert that failed (its
            // batches' names are kept until it ends), the batch it failed in, or rows not yet read: the rollout lock
            // kept other writers out of the names written before.
            (List<NameConflict> Listed, int Count) conflicts;
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                conflicts = await FindConflictsAsync(store, context.RolloutId, unconfirmed, batch, enumerator,
                    Math.Min(maxListedRows, maxListedErrors), cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }

            throw new ClientNameConflictException(conflicts.Listed, conflicts.Count, e);
        }

        return new WriteResult(created, updated, correctionEntries);
    }

    private static async Task<(int Created, int Updated)> WriteBatchAsync(
        ClientStore store,
        HistoryLabels labels,
        WriteContext context,
        List<ResolvedRow> batch,
        List<(int RowNumber, string Name)> unconfirmed,
        HashSet<int> linkedCounted,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var newRows = 0;
        var updates = new Dictionary<int, PendingUpdate>();
        foreach (var row in batch)
        {
            if (row.ExistingClientId is { } id)
            {
                Pending(updates, id).Rows.Add(row);
            }
            else
            {
                newRows++;
            }

            foreach (var linked in row.LinkedUpdates)
            {
                Pending(updates, linked.ClientId).Linked.Add(linked);
            }
        }

        var entries = new List<HistoryRecord>();

        if (newRows > 0)
        {
            // New clients take their ids from the database: nothing written later in the import refers to them.
            var clients = new List<ClientState>(newRows);
            foreach (var row in batch)
            {
                if (row.ExistingClientId is not null)
                {
                    continue;
                }

                var client = new ClientState
                {
                    Name = row.Name,
                    StatusId = row.StatusId ?? throw new InvalidOperationException(
                        $"Row {row.RowNumber}: a new client needs a status."),
                    AssigneeId = row.AssigneeId,
                    ClientUserId = row.ClientUserId,
                    Description = row.Description,
                    Flag = row.Flag,
                    Values = row.Values,
                };
                // Creation is recorded on the client itself (CreatedById, CreatedByImportId): one history row per new
                // client would double what a million-row import writes.
                clients.Add(client);
            }

            await store.InsertClientsAsync(context, clients, now, cancellationToken);
            foreach (var row in batch)
            {
                if (row.ExistingClientId is null)
                {
                    unconfirmed.Add((row.RowNumber, row.Name));
                }
            }
        }

        var updatedClients = 0;
        if (updates.Count > 0)
        {
            // The store's open bulk insert ends before any other statement.
            await store.EndInsertAsync(cancellationToken);
            unconfirmed.Clear();
            var changedClients = new List<ClientState>(updates.Count);
            var current = await store.LoadForUpdateAsync(updates.Keys, cancellationToken);
            if (current.Count < updates.Count)
            {
                // The check matched these clients before the rollout's lock was taken; a revert or an inventory's
                // deletion removed some of them meanwhile. Leaving their rows out would complete the import without them.
                throw new ClientsGoneException();
            }

            // User names are only needed for the history of updates: new clients record no history rows.
            await labels.LoadUsersAsync(UserIds(updates.Values, current), cancellationToken);
            foreach (var client in current)
            {
                var pending = updates[client.Id];
                var changes = new List<FieldChange>();
                var inLink = pending.Linked.Count > 0;
                foreach (var row in pending.Rows)
                {
                    labels.Apply(client, row, changes);
                    inLink |= row.InAdvancedLink;
                }

                foreach (var linked in pending.Linked)
                {
                    labels.ApplyValue(client, linked.CustomFieldId, linked.Value, changes);
                }

                // Each client changed counts once: a linked one may be changed by its own row, then through its partner's.
                if (changes.Count > 0 && (!inLink || linkedCounted.Add(client.Id)))
                {
                    updatedClients++;
                }

                if (changes.Count > 0)
                {
                    changedClients.Add(client);
                    entries.Add(new HistoryRecord(client.Id, ClientHistoryAction.Changed, changes));
                }
            }

            if (changedClients.Count > 0)
            {
                await store.UpdateClientsAsync(changedClients, now, cancellationToken);
            }
        }

        if (entries.Count > 0)
        {
            await store.InsertHistoryAsync(context, entries, now, cancellationToken);
        }

        return (newRows, updatedClients);
    }

    private static IEnumerable<int?> UserIds(IEnumerable<PendingUpdate> updates, List<ClientState> current)
    {
        foreach (var pending in updates)
        {
            foreach (var row in pending.Rows)
            {
                yield return row.AssigneeId;
                yield return row.ClientUserId;
            }
        }

        foreach (var client in current)
        {
            yield return client.AssigneeId;
            yield return client.ClientUserId;
        }
    }

    /// <summary>Clients of a batch were missing when loaded for update; the writer names the rows once rolled back.</summary>
    private sealed class ClientsGoneException : Exception;

    private static IEnumerable<ResolvedRow> Rest(IEnumerator<ResolvedRow> remaining)
    {
        while (remaining.MoveNext())
        {
            yield return remaining.Current;
        }
    }

    /// <summary>
    /// After a rollback for deleted clients: the rows that update, or impose a shared value on, a client which no longer
    /// exists, looked up a thousand rows at a time, into <paramref name="deleted"/> (which keeps only the first).
    /// </summary>
    private static async Task FindDeletedAsync(
        RolloutDbContext db, IEnumerable<ResolvedRow> remaining, DeletedRows deleted, CancellationToken cancellationToken)
    {
        var rows = new List<ResolvedRow>(ConflictLookupBatchSize);

        async Task FlushAsync()
        {
            var ids = rows.SelectMany(r => r.LinkedUpdates.Select(l => l.ClientId).Prepend(r.ExistingClientId ?? 0)).Distinct().ToList();
            var existing = new HashSet<int>(
                await db.Clients.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken));
            foreach (var row in rows)
            {
                deleted.Add(row, existing);
            }

            rows.Clear();
        }

        foreach (var row in remaining)
        {
            if (row.ExistingClientId is not null)
            {
                rows.Add(row);
                if (rows.Count == ConflictLookupBatchSize)
                {
                    await FlushAsync();
                }
            }
        }

        if (rows.Count > 0)
        {
            await FlushAsync();
        }
    }

    private static PendingUpdate Pending(Dictionary<int, PendingUpdate> updates, int clientId)
    {
        if (!updates.TryGetValue(clientId, out var pending))
        {
            pending = new PendingUpdate();
            updates.Add(clientId, pending);
        }

        return pending;
    }

    /// <summary>
    /// The rows whose names are taken now, in row order: every one counted, the first <paramref name="maxListed"/> kept
    /// (a row has one name, so one error).
    /// </summary>
    private static async Task<(List<NameConflict> Listed, int Count)> FindConflictsAsync(
        ClientStore store,
        int rolloutId,
        List<(int RowNumber, string Name)> unconfirmed,
        List<ResolvedRow> failedBatch,
        IEnumerator<ResolvedRow> remaining,
        int maxListed,
        CancellationToken cancellationToken)
    {
        var conflicts = new List<NameConflict>();
        var count = 0;
        var lookup = new List<NameConflict>(ConflictLookupBatchSize);

        async Task FlushAsync()
        {
            if (lookup.Count == 0)
            {
                return;
            }

            var taken = new HashSet<string>(
                await store.FindTakenKeysAsync(rolloutId, lookup.Select(r => Client.KeyOf(r.Name)).ToList(), cancellationToken),
                StringComparer.Ordinal);
            foreach (var row in lookup.Where(r => taken.Contains(Client.KeyOf(r.Name))))
            {
                if (count++ < maxListed)
                {
                    conflicts.Add(row);
                }
            }

            lookup.Clear();
        }

        async Task AddNameAsync(NameConflict row)
        {
            lookup.Add(row);
            if (lookup.Count == ConflictLookupBatchSize)
            {
                await FlushAsync();
            }
        }

        async Task AddAsync(ResolvedRow row)
        {
            // Only new clients insert a name; an updated client keeps its own.
            if (row.ExistingClientId is null)
            {
                await AddNameAsync(new NameConflict(row.RowNumber, row.Name));
            }
        }

        // The rows of the bulk insert that failed (possibly several batches), then the rest of the failed batch.
        var looked = new HashSet<int>();
        foreach (var (rowNumber, name) in unconfirmed)
        {
            looked.Add(rowNumber);
            await AddNameAsync(new NameConflict(rowNumber, name));
        }

        foreach (var row in failedBatch)
        {
            if (!looked.Contains(row.RowNumber))
            {
                await AddAsync(row);
            }
        }

        while (remaining.MoveNext())
        {
            await AddAsync(remaining.Current);
        }

        await FlushAsync();
        return (conflicts, count);
    }

    private sealed class PendingUpdate
    {
        public List<ResolvedRow> Rows { get; } = [];

        public List<LinkedClientUpdate> Linked { get; } = [];
    }

    /// <summary>
    /// Turns ids into what a person reads in a client's history: status names, users by email (or display name when
    /// they have none), custom fields by name, several values joined by "; ". Each change keeps the ids of what its old
    /// value named too (the status, the user, the options), so that a revert puts back that one whatever it is called
    /// by then (decision 0061).
    /// </summary>
    private sealed class HistoryLabels(RolloutDbContext db, WriteContext context)
    {
        private const string Status = ClientHistoryFields.Status;
        private const string Assignee = ClientHistoryFields.Assignee;
        private const string ClientUser = ClientHistoryFields.ClientUser;
        private const string Description = ClientHistoryFields.Description;
        private const string Flag = ClientHistoryFields.Flag;

        private readonly Dictionary<int, string> _users = [];
        private Dictionary<int, string> _statuses = [];

        // The options of the import's fields with options, by field and name (as the clients hold them): their ids.
        private readonly Dictionary<int, Dictionary<string, int>> _options = [];

        public async Task LoadStatusesAsync(CancellationToken cancellationToken) =>
            _statuses = await db.WorkflowStatuses.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);

        /// <summary>Loads the ids of the options of the fields the import writes (under the rollout's lock: no rename meanwhile).</summary>
        public async Task LoadOptionsAsync(CancellationToken cancellationToken)
        {
            var fieldIds = context.FieldNames.Keys.ToList();
            if (fieldIds.Count == 0)
            {
                return;
            }

            var options = await db.CustomFieldOptions.AsNoTracking().Where(o => fieldIds.Contains(o.CustomFieldId))
                .Select(o => new { o.CustomFieldId, o.Name, o.Id }).ToListAsync(cancellationToken);
            foreach (var option in options)
            {
                if (!_options.TryGetValue(option.CustomFieldId, out var names))
                {
                    _options[option.CustomFieldId] = names = new Dictionary<string, int>(StringComparer.Ordinal);
                }

                names.TryAdd(option.Name, option.Id);
            }
        }

        public async Task LoadUsersAsync(IEnumerable<int?> userIds, CancellationToken cancellationToken)
        {
            var missing = new HashSet<int>();
            foreach (var id in userIds)
            {
                if (id is { } value && !_users.ContainsKey(value))
                {
                    missing.Add(value);
                }
            }

            if (missing.Count == 0)
            {
                return;
            }

            var ids = missing.ToList();
            var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
                .Select(u => new { u.Id, u.Email, u.DisplayName }).ToListAsync(cancellationToken);
            foreach (var user in users)
            {
                _users[user.Id] = string.IsNullOrEmpty(user.Email) ? user.DisplayName : user.Email;
            }
        }

        /// <summary>Applies what an update row sets (null: unchanged) and records each value that really changes.</summary>
        public void Apply(ClientState client, ResolvedRow row, List<FieldChange> changes)
        {
            if (row.StatusId is { } status && status != client.StatusId)
            {
                changes.Add(new FieldChange(Status, StatusName(client.StatusId), StatusName(status), OldId: client.StatusId));
                client.StatusId = status;
            }

            if (row.AssigneeId is { } assignee && assignee != client.AssigneeId)
            {
                changes.Add(new FieldChange(Assignee, UserName(client.AssigneeId), UserName(assignee), OldId: client.AssigneeId));
                client.AssigneeId = assignee;
            }

            if (row.ClientUserId is { } clientUser && clientUser != client.ClientUserId)
            {
                changes.Add(new FieldChange(ClientUser, UserName(client.ClientUserId), UserName(clientUser), OldId: client.ClientUserId));
                client.ClientUserId = clientUser;
            }

            if (row.Description is { } description && !ClientValues.SameText(description, client.Description))
            {
                changes.Add(new FieldChange(Description, client.Description, description));
                client.Description = description;
            }

            if (row.Flag is { } flag && !ClientValues.SameText(flag, client.Flag))
            {
                changes.Add(new FieldChange(Flag, client.Flag, flag));
                client.Flag = flag;
            }

            foreach (var (fieldId, value) in row.Values)
            {
                ApplyValue(client, fieldId, value, changes);
            }
        }

        public void ApplyValue(ClientState client, int fieldId, string[] value, List<FieldChange> changes)
        {
            client.Values.TryGetValue(fieldId, out var old);
            // A set, without the spaces around its values (decision 0164): the same selection in another order is no change.
            if (ClientValues.Same(old, value))
            {
                return;
            }

            var oldLabel = Join(old);
            // Where the label could be read back in two ways, the values themselves, so that a revert restores them exactly.
            changes.Add(new FieldChange(FieldName(fieldId), oldLabel, Join(value),
                old is not null && oldLabel is not null && oldLabel.Contains(ClientHistoryFields.ValueSeparator, StringComparison.Ordinal) ? old : null,
                fieldId, OldOptionIds: OptionIds(fieldId, old)));
            if (value.Length == 0)
            {
                client.Values.Remove(fieldId);
            }
            else
            {
                client.Values[fieldId] = value;
            }
        }

        /// <summary>The ids of the options <paramref name="values"/> are, in their order; null when one is no option (or none).</summary>
        private int[]? OptionIds(int fieldId, string[]? values)
        {
            if (values is not { Length: > 0 } || !_options.TryGetValue(fieldId, out var options))
            {
                return null;
            }

            var ids = new int[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                if (!options.TryGetValue(values[i], out ids[i]))
                {
                    return null;
                }
            }

            return ids;
        }

        private static string? Join(string[]? value) => value switch
        {
            null or [] => null,
            [var single] => single,
            _ => string.Join(ClientHistoryFields.ValueSeparator, value),
        };

        private string StatusName(int id) => _statuses.TryGetValue(id, out var name) ? name : $"#{id}";

        private string? UserName(int? id) => id is not { } value ? null
            : _users.TryGetValue(value, out var name) ? name : $"#{value}";

        private string FieldName(int fieldId) =>
            context.FieldNames.TryGetValue(fieldId, out var name) ? name : $"Field #{fieldId}";
    }
}
