using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Which attribute a user column's values are, when its header does not say ("Assignee" rather than "Assignee Email"):
/// the one by which the rollout's active members — the users an import may assign (decision 0018) — whose role may hold
/// the column's field find the most of the column's first values. A column of names is then looked up by name, not by
/// email, where every row would fail; a column of Service Desk users' names is not guessed as Assignee names, since no
/// row could be imported that way either.
/// Without a value any such member has, the mapping keeps its default (email).
/// </summary>
internal static class UserLookupGuess
{
    /// <summary>Email first: of attributes finding as many values, the default wins, then the user ID.</summary>
    private static readonly UserLookup[] Lookups = [UserLookup.Email, UserLookup.UserId, UserLookup.Name];

    /// <summary>The rows read at most for one column's values: a column empty at the top is still guessed.</summary>
    internal const int MaxRows = 100;

    /// <summary>The values that are enough for a guess: reading stops at them, before <see cref="MaxRows"/>.</summary>
    internal const int EnoughValues = 20;

    /// <summary>
    /// The guess for a column of <paramref name="file"/> by its position in <see cref="SpreadsheetFile.Columns"/> and its
    /// target (<see cref="DefaultFields.Assignee"/> or <see cref="DefaultFields.ClientUser"/>).
    /// </summary>
    public static Task<Func<int, string, UserLookup?>> ForAsync(RolloutDbContext db, int inventoryId, SpreadsheetFile file,
        CancellationToken cancellationToken) =>
        ForAsync(db, inventoryId, FirstValuesOf(file), cancellationToken);

    /// <summary>
    /// As <see cref="ForAsync(RolloutDbContext, int, SpreadsheetFile, CancellationToken)"/>, with the columns' first values
    /// read by <paramref name="firstValues"/> (<see cref="FirstValuesOf"/>), which other guesses of the same upload share.
    /// </summary>
    public static async Task<Func<int, string, UserLookup?>> ForAsync(RolloutDbContext db, int inventoryId,
        Func<List<string>[]> firstValues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(firstValues);
        var members = await db.RolloutMembers.AsNoTracking()
            .Where(m => m.User.IsActive && db.Inventories.Any(i => i.Id == inventoryId && i.RolloutId == m.RolloutId))
            .Select(m => new UserRecord(m.User.Id, m.User.DisplayName, m.User.Email, m.User.UserCode, m.User.Role))
            .ToListAsync(cancellationToken);

        // An assignee must be a Technician or higher (UserRule); a client user may have any role.
        var assignees = Directories(members.Where(m => m.Role >= Role.Technician));
        var everyone = Directories(members);
        return (position, target) =>
        {
            var values = firstValues()[position];
            var directories = target == DefaultFields.Assignee ? assignees : everyone;
            var best = directories
                .Select(d => (d.Lookup, Found: values.Count(v => d.Directory.TryFind(v, out _, out var found) || found > 1)))
                .MaxBy(d => d.Found);
            return best.Found > 0 ? best.Lookup : null;
        };
    }

    /// <summary>
    /// The columns' first values (<see cref="Values"/>), read once, when the first guess asks for them: every user column
    /// and every multi-selection column of an upload from one read of its first rows.
    /// </summary>
    public static Func<List<string>[]> FirstValuesOf(SpreadsheetFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        List<string>[]? values = null;
        return () => values ??= Values(file);
    }

    private static List<(UserLookup Lookup, UserDirectory Directory)> Directories(IEnumerable<UserRecord> members)
    {
        var list = members.ToList();
        return [.. Lookups.Select(lookup => (lookup, new UserDirectory(list, lookup)))];
    }

    /// <summary>
    /// The non-empty values of each column (by its position in <see cref="SpreadsheetFile.Columns"/>) as a user sees
    /// them, from one read of the first data rows: until each column has <see cref="EnoughValues"/> or
    /// <see cref="MaxRows"/> rows are read, so a column empty in its first rows is guessed too, a large file is not read
    /// through, and a file with several user columns is read once for all of them.
    /// </summary>
    private static List<string>[] Values(SpreadsheetFile file)
    {
        var columns = file.Columns;
        var values = columns.Select(_ => new List<string>()).ToArray();
        var open = columns.Count;
        try
        {
            foreach (var row in file.ReadRows().Take(MaxRows))
            {
                for (var position = 0; position < columns.Count; position++)
                {
                    var found = values[position];
                    if (found.Count < EnoughValues && PlainText.AsSeen(row[columns[position].Index])?.Trim() is { Length: > 0 } value)
                    {
                        found.Add(value);
                        open -= found.Count == EnoughValues ? 1 : 0;
                    }
                }

                if (open == 0)
                {
                    break;
                }
            }
        }
        catch (ImportFileException)
        {
            // The rows read so far make the guess; counting the rows has said what is wrong with the file.
        }

        return values;
    }
}
