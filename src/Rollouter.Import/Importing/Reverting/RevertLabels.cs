using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Reverting;

/// <summary>
/// Reads a value back from what a client's history shows (<see cref="ClientHistoryFields"/>): a status by its name in
/// the client's workflow, a user by email (or display name, for users without one), a custom field by name, and "#id"
/// where the writer knew no name. Several values of a multi-selection come from the entry's
/// <see cref="FieldChange.OldValues"/>, exactly; an entry written before they were kept has only the label, values
/// joined by "; ", which is read as the field's options where no option holding "; " appears in it (the one way to
/// split it) and otherwise refused, as one of the values may hold "; " itself. A value that no longer tells one status,
/// user or set of values is a reason to refuse the revert, never a guess.
/// </summary>
internal sealed class RevertLabels
{
    private readonly Dictionary<int, int> _workflowOfInventory;
    private readonly Dictionary<(int Workflow, string Name), int> _statuses;
    private readonly Dictionary<string, CustomField> _fields;
    private readonly Dictionary<string, int?> _users;
    private readonly Dictionary<int, HashSet<string>> _options;

    private RevertLabels(Dictionary<int, int> workflowOfInventory, Dictionary<(int, string), int> statuses,
        Dictionary<string, CustomField> fields, Dictionary<string, int?> users, Dictionary<int, HashSet<string>> options)
    {
        _workflowOfInventory = workflowOfInventory;
        _statuses = statuses;
        _fields = fields;
        _users = users;
        _options = options;
    }

    /// <summary>Loads the statuses, fields and the users that <paramref name="userLabels"/> name (null: not one user).</summary>
    public static async Task<RevertLabels> LoadAsync(RolloutDbContext db, IEnumerable<string?> userLabels, CancellationToken cancellationToken)
    {
        var workflows = await db.Inventories.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.WorkflowId, cancellationToken);
        var statuses = (await db.WorkflowStatuses.AsNoTracking().Select(s => new { s.WorkflowId, s.Name, s.Id }).ToListAsync(cancellationToken))
            .ToDictionary(s => (s.WorkflowId, s.Name), s => s.Id);
        var fields = await db.CustomFields.AsNoTracking().ToDictionaryAsync(f => f.Name, StringComparer.Ordinal, cancellationToken);
        // The options of the multi-selections: the only way to read a label of several values written without them.
        var multiIds = fields.Values.Where(f => f.IsMultiValued && f.HasOptions).Select(f => f.Id).ToList();
        var options = (await db.CustomFieldOptions.AsNoTracking().Where(o => multiIds.Contains(o.CustomFieldId))
                .Select(o => new { o.CustomFieldId, o.Name }).ToListAsync(cancellationToken))
            .GroupBy(o => o.CustomFieldId)
            .ToDictionary(g => g.Key, g => g.Select(o => o.Name).ToHashSet(StringComparer.Ordinal));
        var labels = userLabels.OfType<string>().Where(l => !IsId(l, out _)).Distinct(StringComparer.Ordinal).ToList();
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

        return new RevertLabels(workflows, statuses, fields, users, options);
    }

    /// <summary>
    /// Sets <paramref name="field"/> of <paramref name="client"/> back to <paramref name="value"/> (a label), or to
    /// <paramref name="values"/> where the history kept them; why it cannot, or null.
    /// </summary>
    public string? Restore(Client client, string field, string? value, IReadOnlyList<string>? values = null)
    {
        switch (field)
        {
            case ClientHistoryFields.Status:
                if (value is null)
                {
                    return "its status before the import is not known";
                }

                if (IsId(value, out var statusId))
                {
                    client.StatusId = statusId;
                    return null;
                }

                if (!_workflowOfInventory.TryGetValue(client.InventoryId, out var workflow) ||
                    !_statuses.TryGetValue((workflow, value), out var status))
                {
                    return $"the status \"{value}\" it had before the import is no longer a status of its workflow";
                }

                client.StatusId = status;
                return null;
            case ClientHistoryFields.Assignee:
            case ClientHistoryFields.ClientUser:
                int? user = null;
                if (value is not null)
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

                return null;
            case ClientHistoryFields.Description:
                client.Description = value;
                return null;
            case ClientHistoryFields.Flag:
                client.Flag = value;
                return null;
            default:
                if (!_fields.TryGetValue(field, out var customField))
                {
                    return $"the custom field \"{field}\" no longer exists";
                }

                string[] restored;
                if (values is not null)
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
                    return $"its {field} value \"{value}\" before the import cannot be told back exactly: the history joins several " +
                           "values with \"; \" and " + (customField.HasOptions
                               ? "the label does not split into the field's options in exactly one way"
                               : "a value of this field (without options) may hold \"; \" itself") +
                           ". Set the value by hand if needed, or keep the import";
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
                return null;
        }
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
            || options.Any(o => o.Contains(separator, StringComparison.Ordinal) && label.Contains(o, StringComparison.Ordinal)))
        {
            return null;
        }

        var parts = label.Split(separator);
        return parts.All(options.Contains) ? parts : null;
    }

    /// <summary>"#12": the writer's label for an id it had no name for.</summary>
    private static bool IsId(string label, out int id)
    {
        id = 0;
        return label.Length > 1 && label[0] == '#' &&
               int.TryParse(label.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }
}
