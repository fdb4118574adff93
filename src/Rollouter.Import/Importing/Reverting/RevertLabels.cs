using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Reverting;

/// <summary>
/// Reads a value back from what a client's history keeps (<see cref="ClientHistoryFields"/>): a status, a user and the
/// options of a custom field by the ids the entry kept (<see cref="FieldChange.OldId"/>, <see
/// cref="FieldChange.OldOptionIds"/>; decision 0061), whatever they are called now: a status no longer in the client's
/// workflow or a user who no longer exists is a reason to refuse, an option removed since is looked for by its name
/// as below. An entry written before the ids were kept is read by its labels: a status by its name in
/// the client's workflow, a user by email (or display name, for users without one), a custom field by its id (an entry
/// written before the id was kept: by its name among the fields of the client's inventory now, never another field of
/// that name), and "#id" where the writer knew no name. Several values of a multi-selection come from the entry's
/// <see cref="FieldChange.OldValues"/>, exactly; an entry written before they were kept has only the label, values
/// joined by "; ", which is read as the field's options where no option holding "; " appears in it (the one way to
/// split it) and otherwise refused, as one of the values may hold "; " itself. A value of a field with options must be
/// one of its options now (matched as the importer matches: exactly, then ignoring case, and stored as the option is
/// spelled). A value that no longer tells one status, user, field or set of values, or that is no option, is a reason
/// to refuse the revert, never a guess.
/// </summary>
internal sealed class RevertLabels
{
    private readonly Dictionary<int, int> _workflowOfInventory;
    private readonly Dictionary<(int Workflow, string Name), int> _statuses;
    private readonly Dictionary<int, (int Workflow, string Name)> _statusesById;
    private readonly Dictionary<int, CustomField> _fields;
    private readonly Dictionary<(int Inventory, string Name), CustomField> _fieldsOfInventories;
    private readonly Dictionary<string, int?> _users;
    private readonly Dictionary<int, string> _usersById;
    private readonly Dictionary<int, FieldOptions> _options;

    private RevertLabels(Dictionary<int, int> workflowOfInventory, Dictionary<(int, string), int> statuses,
        Dictionary<int, (int, string)> statusesById, Dictionary<int, CustomField> fields,
        Dictionary<(int, string), CustomField> fieldsOfInventories, Dictionary<string, int?> users,
        Dictionary<int, string> usersById, Dictionary<int, FieldOptions> options)
    {
        _workflowOfInventory = workflowOfInventory;
        _statuses = statuses;
        _statusesById = statusesById;
        _fields = fields;
        _fieldsOfInventories = fieldsOfInventories;
        _users = users;
        _usersById = usersById;
        _options = options;
    }

    /// <summary>
    /// Loads the statuses, fields and options, and the users that <paramref name="userChanges"/> (the Assignee and Client
    /// User changes to restore) name: by the id they kept, or else by their label (null: not one user).
    /// </summary>
    public static async Task<RevertLabels> LoadAsync(RolloutDbContext db, IEnumerable<FieldChange> userChanges, CancellationToken cancellationToken)
    {
        var workflows = await db.Inventories.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.WorkflowId, cancellationToken);
        var allStatuses = await db.WorkflowStatuses.AsNoTracking().Select(s => new { s.WorkflowId, s.Name, s.Id }).ToListAsync(cancellationToken);
        var statuses = allStatuses.ToDictionary(s => (s.WorkflowId, s.Name), s => s.Id);
        var statusesById = allStatuses.ToDictionary(s => s.Id, s => (s.WorkflowId, s.Name));
        var fields = await db.CustomFields.AsNoTracking().ToDictionaryAsync(f => f.Id, cancellationToken);
        // Field names are unique, so one name names at most one field of an inventory.
        var fieldsOfInventories = (await db.InventoryCustomFields.AsNoTracking()
                .Select(f => new { f.InventoryId, f.CustomFieldId }).ToListAsync(cancellationToken))
            .Where(f => fields.ContainsKey(f.CustomFieldId))
            .ToDictionary(f => (f.InventoryId, fields[f.CustomFieldId].Name), f => fields[f.CustomFieldId]);
        // The options of the fields with options, in their order: a value restored must be one of them, and a label of
        // several values written without them is read by them.
        var optionIds = fields.Values.Where(f => f.HasOptions).Select(f => f.Id).ToList();
        var options = (await db.CustomFieldOptions.AsNoTracking().Where(o => optionIds.Contains(o.CustomFieldId))
                .OrderBy(o => o.Position).ThenBy(o => o.Id)
                .Select(o => new { o.CustomFieldId, o.Name, o.Id }).ToListAsync(cancellationToken))
            .GroupBy(o => o.CustomFieldId)
            .ToDictionary(g => g.Key, g => new FieldOptions(g.Select(o => (o.Name, o.Id))));
        var changes = userChanges.ToList();
        var ids = changes.Select(c => c.OldId).OfType<int>().Distinct().ToList();
        var usersById = new Dictionary<int, string>();
        foreach (var chunk in ids.Chunk(500))
        {
            // Named as the writer names them in the history: by email, or display name for a user without one.
            foreach (var user in await db.Users.AsNoTracking().Where(u => chunk.Contains(u.Id))
                         .Select(u => new { u.Id, u.Email, u.DisplayName }).ToListAsync(cancellationToken))
            {
                usersById[user.Id] = string.IsNullOrEmpty(user.Email) ? user.DisplayName : user.Email;
            }
        }

        var labels = changes.Where(c => c.OldId is null).Select(c => c.Old).OfType<string>()
            .Where(l => !IsId(l, out _)).Distinct(StringComparer.Ordinal).ToList();
        var users = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var chunk in labels.Chunk(500))
        {
            // string?, as the column is: the query needs no '!' and its SQL stays the same.
            var normalized = chunk.Select(string? (l) => l.ToUpperInvariant()).ToList();
            var found = await db.Users.AsNoTracking()
                .Where(u => normalized.Contains(u.NormalizedEmail) || chunk.Contains(u.DisplayName))
                .Select(u => new { u.Id, u.NormalizedEmail, u.DisplayName })
                .ToListAsync(cancellationToken);
            foreach (var label in chunk)
            {
                var byEmail = found.Where(u => u.NormalizedEmail == label.ToUpperInvariant()).ToList();
                var byName = found.Where(u => u.DisplayName == label).ToList();
                users[label] = byEmail.Count == 1 ? byEmail[0].Id
                    : byEmail.Count == 0 && byName.Count == 1 ? byName[0].Id
                    : null;
            }
        }

        return new RevertLabels(workflows, statuses, statusesById, fields, fieldsOfInventories, users, usersById, options);
    }

    /// <summary>
    /// Sets the field of <paramref name="before"/> (the import's first change of it) of <paramref name="client"/> back to
    /// its old label, or to its old values where the history kept them, and adds the change back to
    /// <paramref name="changes"/> (from <paramref name="current"/>, the label the import left, under the field's name
    /// now); why it cannot, or null.
    /// </summary>
    public string? Restore(Client client, FieldChange before, string? current, List<FieldChange> changes)
    {
        var field = before.Field;
        var value = before.Old;
        if (before.FieldId is null)
        {
            switch (field)
            {
                case ClientHistoryFields.Status:
                    if (value is null)
                    {
                        return "its status before the import is not known";
                    }

                    var restoredStatus = value;
                    if (before.OldId is { } oldStatus)
                    {
                        // The status the client had, whatever it is called now; another one that took its name is not it.
                        if (!_workflowOfInventory.TryGetValue(client.InventoryId, out var workflowNow) ||
                            !_statusesById.TryGetValue(oldStatus, out var had) || had.Workflow != workflowNow)
                        {
                            return $"the status \"{value}\" it had before the import was removed from its workflow since, so it " +
                                   "cannot be put back (a status given that name since is another one); keep the import";
                        }

                        client.StatusId = oldStatus;
                        restoredStatus = had.Name;
                    }
                    else if (IsId(value, out var statusId))
                    {
                        client.StatusId = statusId;
                    }
                    else if (_workflowOfInventory.TryGetValue(client.InventoryId, out var workflow) &&
                             _statuses.TryGetValue((workflow, value), out var status))
                    {
                        client.StatusId = status;
                    }
                    else
                    {
                        return $"the status \"{value}\" it had before the import is no longer a status of its workflow";
                    }

                    changes.Add(new FieldChange(field, current, restoredStatus));
                    return null;
                case ClientHistoryFields.Assignee:
                case ClientHistoryFields.ClientUser:
                    int? user = null;
                    var restoredUser = value;
                    if (before.OldId is { } oldUser)
                    {
                        // The user the client had, whatever their email or name is now.
                        if (!_usersById.TryGetValue(oldUser, out var label))
                        {
                            return $"the {field} \"{value}\" it had before the import no longer exists";
                        }

                        user = oldUser;
                        restoredUser = label;
                    }
                    else if (value is not null)
                    {
                        if (IsId(value, out var id))
                        {
                            user = id;
                        }
                        else if (_users.GetValueOrDefault(value) is { } found)
                        {
                            user = found;
                        }
                        else
                        {
                            return $"the {field} \"{value}\" it had before the import is no longer one user";
                        }
                    }

                    if (field == ClientHistoryFields.Assignee)
                    {
                        client.AssigneeId = user;
                    }
                    else
                    {
                        client.ClientUserId = user;
                    }

                    changes.Add(new FieldChange(field, current, restoredUser));
                    return null;
                case ClientHistoryFields.Description:
                    client.Description = value;
                    changes.Add(new FieldChange(field, current, value));
                    return null;
                case ClientHistoryFields.Flag:
                    client.Flag = value;
                    changes.Add(new FieldChange(field, current, value));
                    return null;
            }
        }

        // A custom field: by its id, or (an entry written before the id was kept) by its name among the fields of the
        // client's inventory now. Another field may have taken the name since: never any other field.
        CustomField? customField;
        if (before.FieldId is { } fieldId)
        {
            if (!_fields.TryGetValue(fieldId, out customField))
            {
                return $"the custom field \"{field}\" no longer exists";
            }

            if (!_fieldsOfInventories.TryGetValue((client.InventoryId, customField.Name), out var onInventory) ||
                onInventory.Id != fieldId)
            {
                return $"the custom field \"{customField.Name}\" is no longer a field of its inventory";
            }
        }
        else if (!_fieldsOfInventories.TryGetValue((client.InventoryId, field), out customField))
        {
            return $"the custom field \"{field}\" is no longer a field of its inventory by that name (renamed or removed " +
                   "since the import, and the history of this import names the field only by its name)";
        }

        string[] restored;
        if (before.OldValues is { } values)
        {
            restored = [.. values];
        }
        else if (string.IsNullOrEmpty(value))
        {
            restored = [];
        }
        else if (!customField.IsMultiValued || !value.Contains(ClientHistoryFields.ValueSeparator, StringComparison.Ordinal))
        {
            restored = [value];
        }
        else if (SplitIntoOptions(customField, value) is { } split)
        {
            restored = split;
        }
        else
        {
            return $"its {customField.Name} value \"{value}\" before the import cannot be told back exactly: the history joins several " +
                   "values with \"; \" and " + (customField.HasOptions
                       ? "the label does not split into the field's options in exactly one way"
                       : "a value of this field (without options) may hold \"; \" itself") +
                   ". Keep the import; to set the client's " + customField.Name + " yourself, import a file with the client and " +
                   "that column, \"Update existing clients\" ticked";
        }

        if (customField.HasOptions)
        {
            var options = _options.GetValueOrDefault(customField.Id);
            // The options the client held, by the ids the entry kept, whatever they are called now; one removed since
            // is looked for by its name, as in an entry written before the ids were kept.
            var ids = before.OldOptionIds is { } kept && kept.Count == restored.Length ? kept : null;
            for (var i = 0; i < restored.Length; i++)
            {
                if (ids is not null && options?.Named(ids[i]) is { } byId)
                {
                    restored[i] = byId;
                    continue;
                }

                if (options?.Find(restored[i]) is not { } option)
                {
                    return $"its {customField.Name} value \"{restored[i]}\" before the import is no longer an option of that field " +
                           $"(renamed or removed since). Add \"{restored[i]}\" to the options of {customField.Name} again " +
                           "(Settings, Custom fields) and revert again, or keep the import";
                }

                restored[i] = option;
            }
        }

        // A new dictionary, so the change tracker sees the JSON column change.
        var updated = new Dictionary<int, string[]>(client.Values);
        if (restored.Length == 0)
        {
            updated.Remove(customField.Id);
        }
        else
        {
            updated[customField.Id] = restored;
        }

        client.Values = updated;
        changes.Add(new FieldChange(customField.Name, current,
            restored.Length == 0 ? null : string.Join(ClientHistoryFields.ValueSeparator, restored), FieldId: customField.Id));
        return null;
    }

    /// <summary>
    /// A label of several values ("a; b; c", written without <see cref="FieldChange.OldValues"/>) as the field's options:
    /// split at every separator when each part is an option and no option holding "; " itself appears in the label (then
    /// that is the one way to read it), otherwise null.
    /// </summary>
    private string[]? SplitIntoOptions(CustomField field, string label)
    {
        var separator = ClientHistoryFields.ValueSeparator;
        if (!_options.TryGetValue(field.Id, out var options)
            || options.Names.Any(o => o.Contains(separator, StringComparison.Ordinal) && label.Contains(o, StringComparison.Ordinal)))
        {
            return null;
        }

        var parts = label.Split(separator);
        return parts.All(options.Names.Contains) ? parts : null;
    }

    /// <summary>The options of a field, found as the importer finds them (FieldPlan): exactly, then ignoring case.</summary>
    private sealed class FieldOptions
    {
        private readonly Dictionary<string, string> _ignoringCase = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<int, string> _byId = [];

        public FieldOptions(IEnumerable<(string Name, int Id)> options)
        {
            foreach (var (name, id) in options)
            {
                Names.Add(name);
                _ignoringCase.TryAdd(name, name);
                _byId[id] = name;
            }
        }

        /// <summary>The name of the option <paramref name="id"/> now; null when it is no option of the field (any more).</summary>
        public string? Named(int id) => _byId.GetValueOrDefault(id);

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        /// <summary>The option <paramref name="value"/> is, as the option is spelled; null when it is none.</summary>
        public string? Find(string value) =>
            Names.Contains(value) ? value : _ignoringCase.GetValueOrDefault(value);
    }

    /// <summary>"#12": the writer's label for an id it had no name for.</summary>
    private static bool IsId(string label, out int id)
    {
        id = 0;
        return label.Length > 1 && label[0] == '#' &&
               int.TryParse(label.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }
}
