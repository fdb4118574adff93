using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Assignee and Client User: exactly one active member of the rollout found by the column's lookup (name, email or user
/// ID, ignoring case); an assignee must be a Technician or higher. A user outside the rollout reads as no user at all.
/// An update row whose cell names the user its client already has in that field is no change, even when that user is
/// no longer a member, is deactivated or lost the role: nothing is written for the field, and the row does not fail
/// (decision 0088), so that an export imports back unchanged.
/// </summary>
internal static class UserRule
{
    /// <returns>The user's id, or null for an empty cell or an error.</returns>
    public static int? Read(ColumnPlan column, string? cell, ErrorCollector errors, bool assignee, ExistingClient? existing = null)
    {
        var value = cell?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!column.Users.TryFind(value, out var user, out var found))
        {
            if (KeepsCurrent(column, value, assignee, existing))
            {
                return null;
            }

            errors.Add(column, cell, (found, column.Lookup) switch
            {
                (0, UserLookup.Name) => $"No user named \"{ErrorText.Shorten(value)}\" in this rollout.",
                (0, UserLookup.UserId) => $"No user with user ID \"{ErrorText.Shorten(value)}\" in this rollout.",
                (0, _) => $"No user with email \"{ErrorText.Shorten(value)}\" in this rollout.",
                (_, UserLookup.Name) => $"{found} users are named \"{ErrorText.Shorten(value)}\": use email or user ID.",
                (_, UserLookup.UserId) => $"{found} users have a user ID \"{ErrorText.Shorten(value)}\" differing only in case: write it exactly.",
                _ => $"{found} users have email \"{ErrorText.Shorten(value)}\": use user ID.",
            });
            return null;
        }

        if (assignee && user.Role < Role.Technician)
        {
            if (KeepsCurrent(column, value, assignee, existing))
            {
                return null;
            }

            var role = user.Role == Role.ClientUser ? "a Client User" : $"a {user.Role.DisplayName()} user";
            errors.Add(column, cell, $"\"{ErrorText.Shorten(value)}\" is {role}; an assignee must be a Technician or higher.");
            return null;
        }

        return user.Id;
    }

    /// <summary>Whether the row updates a client whose user in this field is the one the cell names: no change.</summary>
    private static bool KeepsCurrent(ColumnPlan column, string value, bool assignee, ExistingClient? existing) =>
        existing is { } client
        && (assignee ? client.AssigneeId : client.ClientUserId) is { } currentId
        && column.CurrentUsers.TryGetValue(currentId, out var current)
        && UserDirectory.Names(current, column.Lookup, value);
}
