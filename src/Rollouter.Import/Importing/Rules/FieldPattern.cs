using System.Text.RegularExpressions;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// A custom field's validation pattern, compiled for .NET's non-backtracking engine: checking a value takes time
/// linear in its length whatever the pattern (a backtracking engine spends 100 ms on one cell for <c>^(a+)+$</c> and
/// "aaaa…a!"). Patterns that need backtracking (backreferences, lookarounds, atomic groups, conditionals, \G) are
/// refused when a field is saved; one stored before is reported by the import instead of being run.
/// </summary>
public static class FieldPattern
{
    /// <summary>
    /// The pattern as the importer runs it. No match timeout: the engine is linear, a cell's length is bounded by the
    /// file's, and checking a timeout made each match twice as slow (1,000,000 matches of <c>^SN[0-9]{9}$</c>: 0.17 s
    /// without, 0.29 s with; compiling to IL gained nothing over the engine's own DFA).
    /// </summary>
    /// <exception cref="ArgumentException">Not a valid pattern; <see cref="Problem"/> gives the message.</exception>
    /// <exception cref="NotSupportedException">The pattern needs backtracking; <see cref="Problem"/> gives the message.</exception>
    public static Regex Create(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout);

    /// <summary>Why <paramref name="pattern"/> cannot be a field's pattern, as a person reads it; null when it can.</summary>
    public static string? Problem(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            _ = Create(pattern);
            return null;
        }
        catch (NotSupportedException e)
        {
            return "The pattern needs backtracking, which can make checking one value take very long: " +
                   $"{Construct(e)} cannot be used. Write it without them (character classes, alternatives and " +
                   "repetitions are fine).";
        }
        catch (ArgumentException e)
        {
            return $"The pattern is not a valid regular expression: {e.Message}";
        }
    }

    /// <summary>The construct the engine names ("backreference (\ number)"), from its message.</summary>
    private static string Construct(NotSupportedException e)
    {
        const string marker = "containing: ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? "some of its constructs" : e.Message[(at + marker.Length)..].TrimEnd('.').Trim('\'');
    }
}
