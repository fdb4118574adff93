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
