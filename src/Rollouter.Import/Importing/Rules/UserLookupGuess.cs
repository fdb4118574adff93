using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Which attribute a user column's values are, when its header does not say ("Assignee" rather than "Assignee Email"):
/// the one by which the rollout's active members — the users an import may assign (decision 0018) — find the most of
/// the file's first values. A column of names is then looked up by name, not by email, where every row would fail.
/// Without a value any member has, the mapping keeps its default (email).
/// </summary>
internal static class UserLookupGuess
{
    /// <summary>Email first: of attributes finding as many values, the default wins, then the user ID.</summary>
    private static readonly UserLookup[] Lookups = [UserLookup.Email, UserLookup.UserId, UserLookup.Name];

    /// <summary>The guess for each column of <paramref name="file"/> by its position in <see cref="SpreadsheetFile.Columns"/>.</summary>
    public static async Task<Func<int, UserLookup?>> ForAsync(RolloutDbContext db, int inventoryId, SpreadsheetFile file,
        CancellationToken cancellationToken)
    {
        var samples = file.SampleRows;
        if (samples.Count == 0)
        {
            return _ => null;
        }

        var members = await db.RolloutMembers.AsNoTracking()
            .Where(m => m.User.IsActive && db.Inventories.Any(i => i.Id == inventoryId && i.RolloutId == m.RolloutId))
            .Select(m => new UserRecord(m.User.Id, m.User.DisplayName, m.User.Email, m.User.UserCode, m.User.Role))
            .ToListAsync(cancellationToken);
        var directories = Lookups.Select(lookup => (Lookup: lookup, Directory: new UserDirectory(members, lookup))).ToList();
        return position =>
        {
            var column = file.Columns[position].Index;
            var values = samples.Select(row => PlainText.AsSeen(row[column])?.Trim()).OfType<string>().Where(v => v.Length > 0).ToList();
            var best = directories
                .Select(d => (d.Lookup, Found: values.Count(v => d.Directory.TryFind(v, out _, out var found) || found > 1)))
                .MaxBy(d => d.Found);
            return best.Found > 0 ? best.Lookup : null;
        };
    }
}
