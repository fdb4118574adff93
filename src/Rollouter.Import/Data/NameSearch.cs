namespace Rollouter.Import.Data;

/// <summary>
/// The LIKE pattern of a search by name (the lower-case <c>NameKey</c>) or description: the text anywhere, its own
/// <c>%</c>, <c>_</c> and <c>\</c> taken literally (escaped with <see cref="Escape"/>), and on SQL Server its <c>[</c>,
/// which opens a character class there (<c>[1]</c> would match "1").
/// </summary>
public static class NameSearch
{
    public const string Escape = "\\";

    /// <summary>
    /// A typed or pasted search text as searched: without control characters (<see cref="PlainText"/>), as seen
    /// (<see cref="PlainText.AsSeen"/>, as names are stored), trimmed; null when nothing is left.
    /// </summary>
    public static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var cleaned = PlainText.AsSeen(PlainText.WithoutControlCharacters(text)).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    /// <param name="text">The text, in lower case in the pattern.</param>
    /// <param name="bracketsAreWildcards">SQL Server's LIKE: <c>[</c> is escaped too.</param>
    public static string Containing(string text, bool bracketsAreWildcards = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return AsWritten(text.ToLowerInvariant(), bracketsAreWildcards);
    }

    /// <summary>The LIKE pattern of a value containing <paramref name="text"/> exactly as written (no case folded).</summary>
    /// <param name="text">The text.</param>
    /// <param name="bracketsAreWildcards">SQL Server's LIKE: <c>[</c> is escaped too.</param>
    public static string AsWritten(string text, bool bracketsAreWildcards = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
        return "%" + (bracketsAreWildcards ? escaped.Replace("[", "\\[") : escaped) + "%";
    }

    /// <summary>
    /// <paramref name="text"/> in each spelling of its letters' cases, lower case first: "ün" gives "ün", "Ün", "üN", "ÜN".
    /// For a LIKE that folds ASCII letters only (SQLite's), the spellings that differ in other letters; one spelling for
    /// an ASCII text. Meant for short texts: a text of n such letters has 2^n spellings.
    /// </summary>
    public static IReadOnlyList<string> Spellings(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spellings = new List<string> { text.ToLowerInvariant() };
        for (var i = 0; i < text.Length; i++)
        {
            var lower = char.ToLowerInvariant(text[i]);
            var upper = char.ToUpperInvariant(text[i]);
            if (lower == upper || char.IsAscii(lower) && char.IsAscii(upper))
            {
                continue;
            }

            var count = spellings.Count;
            for (var j = 0; j < count; j++)
            {
                var chars = spellings[j].ToCharArray();
                chars[i] = upper;
                spellings.Add(new string(chars));
            }
        }

        return spellings;
    }
}
