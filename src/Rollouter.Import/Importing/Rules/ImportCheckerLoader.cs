using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Reads what the rules need from the database once per check, one query per kind and nothing per row: the
/// inventory (statuses, fields and options), the active users a user column looks up, the rollout's client names and
/// inventories, and the advanced links of the inventory's clients.
/// </summary>
public static class ImportCheckerLoader
{
    private const int MaxHeaderLength = 400;

    /// <summary>
    /// The most rows of a file whose check reads only the clients its names name (<see cref="LoadForRowsAsync"/>); a
    /// larger file's check reads every name of the rollout, once.
    /// </summary>
    public const int MaxRowsLookedUpByName = 10_000;

    /// <summary>The names looked up in one statement, through the rollout's (RolloutId, NameKey) index.</summary>
    private const int NamesPerLookup = 500;

    /// <summary>The most ranges of names read for the names with a lost letter of a small file (decision 0184).</summary>
    private const int MaxLostLetterRanges = 200;

    /// <param name="compareValues">The dry run's: an update also reads what the inventory's clients hold in the mapped
    /// columns (<see cref="CurrentValues"/>), in the query of the rollout's clients, to count the matched clients the
    /// file would change (<see cref="CheckResult.ToChange"/>). A real run does not (its writer compares), unless it maps a
    /// field with a pattern: a cell holding its client's value is then no change (decision 0165).</param>
    public static Task<ImportChecker> LoadAsync(RolloutDbContext db, int inventoryId, ImportMapping mapping,
        IReadOnlyList<SheetColumn> columns, CancellationToken cancellationToken = default, bool compareValues = false) =>
        LoadAsync(db, inventoryId, mapping, columns, null, compareValues, cancellationToken);

    /// <summary>
    /// The checker of a small file (at most <see cref="MaxRowsLookedUpByName"/> rows, as the dry run reads it): the
    /// rollout's clients are looked up by the names in <paramref name="rows"/> instead of all read, so that checking a
    /// few rows costs the same among a million clients as among a hundred (issue 13; decision 0090). The client limit
    /// is checked against the inventories' kept counts, which commit with their clients.
    /// </summary>
    /// <param name="compareValues">As <see cref="LoadAsync(RolloutDbContext, int, ImportMapping, IReadOnlyList{SheetColumn}, CancellationToken, bool)"/>'s:
    /// the values of the clients the names name only.</param>
    public static Task<ImportChecker> LoadForRowsAsync(RolloutDbContext db, int inventoryId, ImportMapping mapping,
        IReadOnlyList<SheetColumn> columns, IEnumerable<SourceRow> rows, CancellationToken cancellationToken = default,
        bool compareValues = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return LoadAsync(db, inventoryId, mapping, columns, rows, compareValues, cancellationToken);
    }

    private static async Task<ImportChecker> LoadAsync(RolloutDbContext db, int inventoryId, ImportMapping mapping,
        IReadOnlyList<SheetColumn> columns, IEnumerable<SourceRow>? rows, bool compareValues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(columns);
        var inventory = await InventoryDefinition.LoadAsync(db, inventoryId, cancellationToken);
        var fields = inventory.CustomFields.Select((f, i) => new FieldPlan(f, i)).ToArray();
        var validation = MappingValidation.Validate(mapping, columns, inventory);
        if (!validation.CanApprove)
        {
            return ImportChecker.Unusable(inventory, mapping, fields, [.. validation.Errors.Select(e => e.Message)]);
        }

        var setupErrors = new List<string>();
        var plans = Plan(mapping, columns, fields, setupErrors);
        await LoadUsersAsync(db, inventory.RolloutId, plans, cancellationToken);

        var inventories = await db.Inventories.AsNoTracking().Where(i => i.RolloutId == inventory.RolloutId)
            .Select(i => new { i.Id, i.Name, i.ClientCount })
            .ToListAsync(cancellationToken);
        var inventoryNames = inventories.ToDictionary(i => i.Id, i => i.Name);
        // Sized up front, from the inventories' kept counts rather than a count of the rollout's clients (tens of
        // milliseconds among a million): growing a large array leaves the old one on the large object heap until a full
        // collection. The client limit is checked against the clients read.
        // An update that maps a user column also reads each client's assignee and client user, in the same query: a
        // cell naming the user its client already has is no change (UserRule, decision 0088). No query per row.
        var userColumns = plans.Where(p => p.Kind is ColumnKind.Assignee or ColumnKind.ClientUser).ToList();
        var keepUsers = mapping.UpdateExisting && userColumns.Count > 0;
        var existing = new ExistingNames(inventories.Sum(i => i.ClientCount), keepUsers);
        var existingCount = 0;
        var name = plans.FirstOrDefault(c => c.Kind == ColumnKind.Name) ?? ColumnPlan.Unmapped;
        var named = rows is null ? null : await NamedClientsAsync(db, inventory.RolloutId, inventory.InventoryId, rows, name, cancellationToken);
        if (named is not null)
        {
            existing = new ExistingNames(Math.Min(inventories.Sum(i => i.ClientCount), MaxRowsLookedUpByName), keepUsers);
        }

        List<IQueryable<Client>> sources = named ?? [db.Clients.AsNoTracking().Where(c => c.RolloutId == inventory.RolloutId)];
        CurrentValues? current = null;
        // The run too where a mapped field has a pattern: a cell holding the value its client already has is no change,
        // whatever the pattern says (decision 0165), in the run as in the Check.
        if ((compareValues || fields.Any(f => f.Column is not null && f.Pattern is not null)) && mapping.UpdateExisting)
        {
            // The inventory's clients with what they hold, the others of the rollout by name only: each client read
            // once, in two queries a source instead of one (decision 0091).
            var inventoryClientId = inventory.InventoryId;
            var expected = inventories.SingleOrDefault(i => i.Id == inventoryClientId)?.ClientCount ?? 0;
            current = new CurrentValues(named is null ? expected : Math.Min(expected, MaxRowsLookedUpByName),
                [.. fields.Where(f => f.Column is not null)],
                plans.Any(p => p.Kind == ColumnKind.Description), plans.Any(p => p.Kind == ColumnKind.Flag));
            var assignees = new HashSet<int>();
            var clientUsers = new HashSet<int>();
            await foreach (var client in sources.ToAsyncEnumerable().SelectMany(source => source
                               .Where(c => c.InventoryId == inventoryClientId)
                               .Select(c => new { c.Id, c.Name, c.AssigneeId, c.ClientUserId, c.StatusId, c.Description, c.Flag, c.Values })
                               .AsAsyncEnumerable())
                               .WithCancellation(cancellationToken))
            {
                existing.TryAdd(client.Id, inventoryClientId, client.Name, client.AssigneeId, client.ClientUserId);
                current.Add(client.Id, client.StatusId, client.Description, client.Flag, client.Values);
                existingCount++;
                if (client.AssigneeId is { } assignee)
                {
                    assignees.Add(assignee);
                }

                if (client.ClientUserId is { } clientUser)
                {
                    clientUsers.Add(clientUser);
                }
            }

            await foreach (var client in sources.ToAsyncEnumerable().SelectMany(source => source
                               .Where(c => c.InventoryId != inventoryClientId)
                               .Select(c => new { c.Id, c.Name, c.InventoryId }).AsAsyncEnumerable())
                               .WithCancellation(cancellationToken))
            {
                existing.TryAdd(client.Id, client.InventoryId, client.Name);
                existingCount++;
            }

            if (keepUsers)
            {
                await LoadCurrentUsersAsync(db, userColumns, assignees, clientUsers, cancellationToken);
            }
        }
        else if (keepUsers)
        {
            var assignees = new HashSet<int>();
            var clientUsers = new HashSet<int>();
            await foreach (var client in sources.ToAsyncEnumerable().SelectMany(source => source
                               .Select(c => new { c.Id, c.Name, c.InventoryId, c.AssigneeId, c.ClientUserId }).AsAsyncEnumerable())
                               .WithCancellation(cancellationToken))
            {
                existing.TryAdd(client.Id, client.InventoryId, client.Name, client.AssigneeId, client.ClientUserId);
                existingCount++;
                if (client.InventoryId == inventory.InventoryId)
                {
                    if (client.AssigneeId is { } assignee)
                    {
                        assignees.Add(assignee);
                    }

                    if (client.ClientUserId is { } clientUser)
                    {
                        clientUsers.Add(clientUser);
                    }
                }
            }

            await LoadCurrentUsersAsync(db, userColumns, assignees, clientUsers, cancellationToken);
        }
        else
        {
            await foreach (var client in sources.ToAsyncEnumerable().SelectMany(source => source
                               .Select(c => new { c.Id, c.Name, c.InventoryId }).AsAsyncEnumerable())
                               .WithCancellation(cancellationToken))
            {
                existing.TryAdd(client.Id, client.InventoryId, client.Name);
                existingCount++;
            }
        }

        if (named is not null)
        {
            // Only the file's names were read: the rollout's clients are the inventories' kept counts.
            existingCount = inventories.Sum(i => i.ClientCount);
        }

        await LoadPatternExamplesAsync(db, inventory, fields, cancellationToken);
        var links = mapping.UpdateExisting
            ? await LoadLinksAsync(db, inventory, fields, cancellationToken)
            : [];
        return new ImportChecker(inventory, mapping, [.. plans], fields, setupErrors,
            new NameRule(name, existing, inventoryNames, inventory.InventoryId, mapping.UpdateExisting),
            new StatusRule(inventory),
            new RequiredFieldsRule(fields, mapping.UpdateExisting ? inventory.InventoryName : null),
            new ClientLimitRule(inventory.ClientLimit, existingCount, inventory.RolloutName),
            new AdvancedLinkRule(links))
        {
            Current = current,
        };
    }

    /// <summary>
    /// The clients of the rollout whose name key is the key of a name in <paramref name="rows"/> (as the name rule reads
    /// the cell: as seen, trimmed), a few hundred keys a statement through the (RolloutId, NameKey) index; and those
    /// the name-key rewrite kept on an older key (decision 0064, nearly always none), as a full read would find them by
    /// their name. Null when the name column is not mapped.
    /// </summary>
    private static async Task<List<IQueryable<Client>>?> NamedClientsAsync(RolloutDbContext db, int rolloutId, int inventoryId, IEnumerable<SourceRow> rows, ColumnPlan name,
        CancellationToken cancellationToken)
    {
        if (name.Index < 0)
        {
            return null;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        var lostLetterPrefixes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (PlainText.AsSeen(row[name.Index])?.Trim() is { Length: > 0 and <= ImportChecker.MaxNameLength } seen)
            {
                var key = Client.KeyOf(seen);
                keys.Add(key);
                if (LostLetterScan.HoldsLostLetter(seen))
                {
                    lostLetterPrefixes.Add(key[..key.IndexOf('?', StringComparison.Ordinal)]);
                }
            }
        }

        var inRollout = db.Clients.AsNoTracking().Where(c => c.RolloutId == rolloutId);
        List<IQueryable<Client>> queries = [.. keys.Chunk(NamesPerLookup).Select(chunk =>
        {
            var some = chunk.ToList();
            return inRollout.Where(c => some.Contains(c.NameKey));
        })];
        queries.AddRange(LostLetterCandidates(db, inventoryId, lostLetterPrefixes));
        // The kept ones by their ids, read first: a join would have the rollout's clients probed one by one.
        var kept = await db.NameKeysKept.Select(k => k.ClientId).ToListAsync(cancellationToken);
        if (kept.Count > 0)
        {
            queries.Add(inRollout.Where(c => kept.Contains(c.Id)));
        }

        return queries;
    }

    /// <summary>
    /// The clients of the inventory that a name with a lost letter ("wroc?aw-07", decision 0184) may be: those whose name
    /// key starts with the name's key up to its first "?" ("wroc"), a range of the (InventoryId, NameKey) index each,
    /// compared in memory by the name rule. Nothing for a file without such a name. A prefix that another one starts is
    /// read once; past <see cref="MaxLostLetterRanges"/> ranges, or for a name starting with "?", the inventory's clients.
    /// </summary>
    private static IEnumerable<IQueryable<Client>> LostLetterCandidates(RolloutDbContext db, int inventoryId,
        SortedSet<string> prefixes)
    {
        if (prefixes.Count == 0)
        {
            return [];
        }

        var inInventory = db.Clients.AsNoTracking().Where(c => c.InventoryId == inventoryId);
        var ranges = new List<string>();
        foreach (var prefix in prefixes)
        {
            // Sorted ordinally: a prefix that starts with the one kept last is inside its range.
            if (ranges.Count > 0 && prefix.StartsWith(ranges[^1], StringComparison.Ordinal))
            {
                continue;
            }

            ranges.Add(prefix);
        }

        if (ranges[0].Length == 0 || ranges.Count > MaxLostLetterRanges)
        {
            return [inInventory];
        }

        return ranges.Select(prefix =>
        {
            // Every key that starts with the prefix sorts between it and the prefix followed by the last code point,
            // as SQLite (BINARY), PostgreSQL ("C") and SQL Server (BIN2) compare the column.
            var end = prefix + char.ConvertFromUtf32(0x10FFFF);
            return inInventory.Where(c => string.Compare(c.NameKey, prefix) >= 0 && string.Compare(c.NameKey, end) < 0);
        });
    }

    /// <summary>One plan per mapped column; a field's pattern that does not compile is an error of the whole import.</summary>
    private static List<ColumnPlan> Plan(ImportMapping mapping, IReadOnlyList<SheetColumn> columns, FieldPlan[] fields,
        List<string> setupErrors)
    {
        var sheetColumns = columns.ToDictionary(c => c.Letter, StringComparer.OrdinalIgnoreCase);
        var plans = new List<ColumnPlan>();
        foreach (var column in mapping.Columns.Where(c => !string.IsNullOrEmpty(c.Target)))
        {
            var sheetColumn = sheetColumns[column.Letter];
            var plan = new ColumnPlan(sheetColumn.Index, sheetColumn.Letter,
                ErrorText.Truncate(sheetColumn.Header, MaxHeaderLength),
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
                Ordinal = plans.Count,
            };
            if (plan.Kind == ColumnKind.Field)
            {
                var field = fields.Single(f => f.Field.Name == column.Target);
                plan.Field = field;
                field.Column = plan;
                if (field.Field.ValidationRegex is { Length: > 0 } pattern)
                {
                    // Saving a field refuses what does not compile here; a pattern stored before that is reported,
                    // not run with backtracking (a Check would stall on a hostile pattern).
                    if (FieldPattern.Problem(pattern) is { } problem)
                    {
                        setupErrors.Add($"Field \"{field.Field.Name}\" has the pattern {pattern}, which the importer cannot use. " +
                                        $"{problem} Change the pattern under Settings → Custom fields.");
                    }
                    else
                    {
                        field.Pattern = FieldPattern.Create(pattern);
                    }
                }
            }

            plans.Add(plan);
        }

        return plans;
    }

    /// <summary>
    /// Gives each user column the rollout's active members by its lookup, one directory per lookup. A user outside the
    /// rollout is not found, as in the failed rows' editor: an import neither assigns nor reveals users the rollout's
    /// managers do not manage (decision 0018).
    /// </summary>
    private static async Task LoadUsersAsync(RolloutDbContext db, int rolloutId, List<ColumnPlan> plans,
        CancellationToken cancellationToken)
    {
        var userColumns = plans.Where(p => p.Kind is ColumnKind.Assignee or ColumnKind.ClientUser).ToList();
        if (userColumns.Count == 0)
        {
            return;
        }

        var users = await db.RolloutMembers.AsNoTracking().Where(m => m.RolloutId == rolloutId && m.User.IsActive)
            .Select(m => new UserRecord(m.User.Id, m.User.DisplayName, m.User.Email, m.User.UserCode, m.User.Role))
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

    /// <summary>
    /// The users the inventory's clients have as assignee and client user, whoever they are now (a member or not, active
    /// or not, any role), one query by their ids: an update row's cell naming its client's own is no change.
    /// </summary>
    private static async Task LoadCurrentUsersAsync(RolloutDbContext db, List<ColumnPlan> userColumns, HashSet<int> assignees,
        HashSet<int> clientUsers, CancellationToken cancellationToken)
    {
        var ids = assignees.Union(clientUsers).ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new UserRecord(u.Id, u.DisplayName, u.Email, u.UserCode, u.Role))
            .ToDictionaryAsync(u => u.Id, cancellationToken);
        foreach (var column in userColumns)
        {
            var mine = column.Kind == ColumnKind.Assignee ? assignees : clientUsers;
            column.CurrentUsers = users.Where(u => mine.Contains(u.Key)).ToDictionary(u => u.Key, u => u.Value);
        }
    }

    /// <summary>
    /// For each mapped field with a pattern, a value of an existing client of the inventory that matches it: the example a
    /// failing cell's message shows ("for example "SN100101""). The newest clients are asked, a few dozen rows in one
    /// query, so that a large inventory costs no more; without a match the message does without.
    /// </summary>
    private static async Task LoadPatternExamplesAsync(RolloutDbContext db, InventoryDefinition inventory, FieldPlan[] fields,
        CancellationToken cancellationToken)
    {
        var patterned = new List<(FieldPlan Field, Regex Pattern)>();
        foreach (var field in fields)
        {
            if (field is { Column: not null, Pattern: { } pattern })
            {
                patterned.Add((field, pattern));
            }
        }

        if (patterned.Count == 0)
        {
            return;
        }

        const int looked = 50;
        var inventoryId = inventory.InventoryId;
        var values = await db.Clients.AsNoTracking().Where(c => c.InventoryId == inventoryId)
            .OrderByDescending(c => c.Id).Take(looked).Select(c => c.Values)
            .ToListAsync(cancellationToken);
        foreach (var (field, pattern) in patterned)
        {
            field.Example = values
                .SelectMany(v => v.TryGetValue(field.Field.Id, out var parts) ? parts : [])
                .FirstOrDefault(v => !string.IsNullOrEmpty(v) && v.Length <= 100 && pattern.IsMatch(v));
        }
    }

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
}
