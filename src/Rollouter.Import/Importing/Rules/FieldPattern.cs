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
    /// <summary>A last guard; no pattern the non-backtracking engine accepts comes near it for a cell's length.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>The pattern compiled for the importer (also compiled to IL: it runs once per cell).</summary>
    /// <exception cref="ArgumentException">Not a valid pattern; <see cref="Problem"/> gives the message.</exception>
    /// <exception cref="NotSupportedException">The pattern needs backtracking; <see cref="Problem"/> gives the message.</exception>
    public static Regex Compile(string pattern) => new(pattern, Options | RegexOptions.Compiled, MatchTimeout);

    /// <summary>The pattern compiled for a few matches (interpreted: no IL to generate).</summary>
    public static Regex Interpret(string pattern) => new(pattern, Options, MatchTimeout);

    /// <summary>Why <paramref name="pattern"/> cannot be a field's pattern, as a person reads it; null when it can.</summary>
    public static string? Problem(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            _ = Interpret(pattern);
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
        return at < 0 ? "some of its constructs" : e.Message[(at + marker.Length)..].TrimEnd('.');
    }
}
