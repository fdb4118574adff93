using System.Text;
using System.Text.RegularExpressions;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// A custom field's validation pattern, compiled for .NET's non-backtracking engine: checking a value takes time
/// linear in its length whatever the pattern (a backtracking engine spends 100 ms on one cell for <c>^(a+)+$</c> and
/// "aaaa…a!"). Patterns that need backtracking (backreferences, lookarounds, atomic groups, conditionals, \G) are
/// refused when a field is saved; one stored before is reported by the import instead of being run. <c>\d</c> is an
/// ASCII digit, 0 to 9, as an administrator means it (<see cref="WithAsciiDigits"/>).
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
        new(WithAsciiDigits(pattern), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout);

    /// <summary>
    /// <paramref name="pattern"/> with <c>\d</c> as <c>[0-9]</c> and <c>\D</c> as <c>[^0-9]</c>, also inside a character
    /// class: .NET's <c>\d</c> is any Unicode digit, so <c>^\d{5}$</c> took "５０６６７" (fullwidth) and "٥٠٦٦٧"
    /// (Arabic-Indic), which no system downstream reads as a number (decision 0051). The pattern is read as the engine
    /// reads it: an escaped backslash (<c>\\d</c>) stays a backslash and a "d", <c>\p{Nd}</c> stays any Unicode digit
    /// for whoever wants it, a class's own <c>]</c> first (<c>[]d]</c>) and a subtracted class (<c>[a-z-[aeiou]]</c>)
    /// are followed, and a comment (<c>(?#…)</c>, and under the x option <c>#</c> to the end of the line, the option
    /// followed through the groups it holds for) is kept as written, so a <c>[</c> in it opens no class. <c>\w</c> keeps
    /// its meaning: letters of every language belong in names.
    /// </summary>
    public static string WithAsciiDigits(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (!pattern.Contains("\\d", StringComparison.Ordinal) && !pattern.Contains("\\D", StringComparison.Ordinal))
        {
            return pattern;
        }

        var result = new StringBuilder(pattern.Length + 16);
        var depth = 0; // the character classes open at this point ([a-z-[aeiou]] nests one in another)
        var extended = false; // the x option (IgnorePatternWhitespace): "#" starts a comment to the end of the line
        var groups = new Stack<bool>(); // the x option outside each open group, given back at its ")"
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                var digits = (next, depth > 0) switch
                {
                    ('d', false) => "[0-9]",
                    ('D', false) => "[^0-9]",
                    ('d', true) => "0-9",
                    // Every character but 0 to 9, as ranges a class can hold beside its others.
                    ('D', true) => "\\u0000-/:-\\uFFFF",
                    _ => null,
                };
                if (digits is null)
                {
                    result.Append(c).Append(next);
                }
                else
                {
                    result.Append(digits);
                }

                continue;
            }

            if (depth == 0 && ((c == '#' && extended) || (c == '(' && pattern.AsSpan(i).StartsWith("(?#"))))
            {
                // A comment, kept as written: a "[" or "\\d" in it is text, not a class or a digit. (?#…) ends at the
                // first ")", a comment of the x option at the end of the line.
                var close = pattern.IndexOf(c == '#' ? '\n' : ')', i);
                var last = close < 0 ? pattern.Length - 1 : close;
                result.Append(pattern, i, last - i + 1);
                i = last;
                continue;
            }

            result.Append(c);
            if (depth == 0 && c == '(')
            {
                if (Options(pattern, i) is not { } option)
                {
                    groups.Push(extended);
                }
                else if (pattern[option.End] == ':')
                {
                    // "(?x:…)": the option holds inside the group.
                    groups.Push(extended);
                    extended = Extended(option.Letters, extended);
                }
                else
                {
                    // "(?x)": the option holds to the end of the group around it; its ")" closes no group.
                    extended = Extended(option.Letters, extended);
                    result.Append(pattern, i + 1, option.End - i);
                    i = option.End;
                }
            }
            else if (depth == 0 && c == ')' && groups.Count > 0)
            {
                extended = groups.Pop();
            }
            else if (c == '[' && (depth == 0 || pattern[i - 1] == '-'))
            {
                depth++;
                // A "]" right after "[" or "[^" is the class's own character, not its end.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                {
                    result.Append(pattern[++i]);
                }

                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    result.Append(pattern[++i]);
                }
            }
            else if (c == ']' && depth > 0)
            {
                depth--;
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// The option letters of an inline option at <paramref name="open"/> ("(?x)", "(?i-x:") and the index of the ")"
    /// or ":" after them; null for any other group.
    /// </summary>
    private static (string Letters, int End)? Options(string pattern, int open)
    {
        if (open + 2 >= pattern.Length || pattern[open + 1] != '?')
        {
            return null;
        }

        var end = open + 2;
        while (end < pattern.Length && "imnsx-".Contains(pattern[end], StringComparison.Ordinal))
        {
            end++;
        }

        return end < pattern.Length && end > open + 2 && pattern[end] is ')' or ':'
            ? (pattern[(open + 2)..end], end)
            : null;
    }

    /// <summary>The x option after <paramref name="letters"/> ("x" turns it on, "-x" off), from <paramref name="before"/>.</summary>
    private static bool Extended(string letters, bool before)
    {
        var on = true;
        foreach (var letter in letters)
        {
            if (letter == '-')
            {
                on = false;
            }
            else if (letter == 'x')
            {
                before = on;
            }
        }

        return before;
    }

    /// <summary>Why <paramref name="pattern"/> cannot be a field's pattern, as a person reads it; null when it can.</summary>
    public static string? Problem(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            // The pattern as written, so that a reason names what the administrator wrote; then as it is run.
            _ = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout);
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
