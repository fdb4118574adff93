using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Reverting;

/// <summary>
/// Reads a value back from what a client's history shows (<see cref="ClientHistoryFields"/>): a status by its name in
/// the client's workflow, a user by email (or display name, for users without one), a custom field by name with
/// several values joined by "; ", and "#id" where the writer knew no name. A value that no longer tells one status or
/// user is a reason to refuse the revert, never a guess.
/// </summary>
internal sealed class RevertLabels
{
    private readonly Dictionary<int, int> _workflowOfInventory;
    private readonly Dictionary<(int Workflow, string Name), int> _statuses;
    private readonly Dictionary<string, CustomField> _fields;
    private readonly Dictionary<string, int?> _users;

    private RevertLabels(Dictionary<int, int> workflowOfInventory, Dictionary<(int, string), int> statuses,
        Dictionary<string, CustomField> fields, Dictionary<string, int?> users)
    {
        _workflowOfInventory = workflowOfInventory;
        _statuses = statuses;
        _fields = fields;
        _users = users;
    }

    /// <summary>Loads the statuses, fields and the users that <paramref name="userLabels"/> name (null: not one user).</summary>
    public static async Task<RevertLabels> LoadAsync(RolloutDbContext db, IEnumerable<string?> userLabels, CancellationToken cancellationToken)
    {
        var workflows = await db.Inventories.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.WorkflowId, cancellationToken);
        var statuses = (await db.WorkflowStatuses.AsNoTracking().Select(s => new { s.WorkflowId, s.Name, s.Id }).ToListAsync(cancellationToken))
            .ToDictionary(s => (s.WorkflowId, s.Name), s => s.Id);
        var fields = await db.CustomFields.AsNoTracking().ToDictionaryAsync(f => f.Name, StringComparer.Ordinal, cancellationToken);
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

        return new RevertLabels(workflows, statuses, fields, users);
    }

    /// <summary>Sets <paramref name="field"/> of <paramref name="client"/> back to <paramref name="value"/>; why it cannot, or null.</summary>
    public string? Restore(Client client, string field, string? value)
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

                // A new dictionary, so the change tracker sees the JSON column change.
                var values = new Dictionary<int, string[]>(client.Values);
                if (string.IsNullOrEmpty(value))
                {
                    values.Remove(customField.Id);
                }
                else
                {
                    values[customField.Id] = customField.IsMultiValued
                        ? value.Split(ClientHistoryFields.ValueSeparator)
                        : [value];
                }

                client.Values = values;
                return null;
        }
    }

    /// <summary>"#12": the writer's label for an id it had no name for.</summary>
    private static bool IsId(string label, out int id)
    {
        id = 0;
        return label.Length > 1 && label[0] == '#' &&
               int.TryParse(label.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }
}
