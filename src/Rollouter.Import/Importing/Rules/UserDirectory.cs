using System.Diagnostics.CodeAnalysis;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Importing.Rules;

/// <summary>What the user rule needs of an active user.</summary>
internal sealed record UserRecord(int Id, string DisplayName, string? Email, string UserCode, Role Role);

/// <summary>Active users by one attribute, ignoring case; an exact spelling settles a tie between case variants.</summary>
internal sealed class UserDirectory
{
    private readonly Dictionary<string, UserRecord[]> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly UserLookup _lookup;

    public UserDirectory(IEnumerable<UserRecord> users, UserLookup lookup)
    {
        _lookup = lookup;
        // Users without the attribute fall into the group of the empty key, which no cell looks up.
        foreach (var group in users.GroupBy(u => PlainText.AsSeen(Key(u))?.Trim() ?? "", StringComparer.OrdinalIgnoreCase)
                     .Where(g => g.Key.Length > 0))
        {
            _users[group.Key] = [.. group];
        }
    }

    private string? Key(UserRecord user) => KeyOf(user, _lookup);

    private static string? KeyOf(UserRecord user, UserLookup lookup) => lookup switch
    {
        UserLookup.Name => user.DisplayName,
        UserLookup.UserId => user.UserCode,
        _ => user.Email,
    };

    /// <summary>Whether <paramref name="value"/> (a cell as seen, trimmed) names <paramref name="user"/> by <paramref name="lookup"/>, ignoring case, as a lookup would.</summary>
    public static bool Names(UserRecord user, UserLookup lookup, string value) =>
        string.Equals(PlainText.AsSeen(KeyOf(user, lookup))?.Trim(), value, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the value names exactly one user; <paramref name="found"/> is how many it names.</summary>
    public bool TryFind(string value, [NotNullWhen(true)] out UserRecord? user, out int found)
    {
        user = null;
        if (!_users.TryGetValue(value, out var matches))
        {
            found = 0;
            return false;
        }

        if (matches.Length > 1)
        {
            var exact = matches.Where(u => string.Equals(Key(u)?.Trim(), value, StringComparison.Ordinal)).ToList();
            if (exact.Count != 1 || _lookup == UserLookup.Name)
            {
                found = matches.Length;
                return false;
            }

            matches = [exact[0]];
        }

        user = matches[0];
        found = 1;
        return true;
    }
}
