using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Rollouter.Import.Data;

/// <summary>Text from outside (a search, a file's name) as the app keeps it.</summary>
public static class PlainText
{
    /// <summary>
    /// <paramref name="text"/> without control characters: a NUL, which PostgreSQL refuses in a text and SQLite ends a
    /// string at, a tab or line break pasted with it (decision 0040).
    /// </summary>
    public static string WithoutControlCharacters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Any(char.IsControl) ? string.Concat(text.Where(c => !char.IsControl(c))) : text;
    }

    /// <summary>
    /// <paramref name="text"/> without NUL characters, as every text column stores it (decision 0040), and nothing else
    /// changed: for a text compared with what is stored, or shown before it is stored, where tabs and line breaks are
    /// part of the value (a replacement's "from" and "to").
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? WithoutNul(string? text) =>
        text is null || !text.Contains('\0', StringComparison.Ordinal) ? text : text.Replace("\0", "", StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="text"/> as one line that shows what it says, for a name from outside that is logged and shown
    /// (an uploaded file's name): without control characters (<see cref="WithoutControlCharacters"/>, which include
    /// CR, LF and NEL U+0085), without the line and paragraph separators U+2028 and U+2029, which start a new line in
    /// a log viewer or an editor as a line feed does, and without the direction marks, embeddings, overrides and
    /// isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), with which "report", U+202E, "xslx.exe" shows
    /// as "reportexe.xlsx".
    /// </summary>
    public static string OnOneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Any(BreaksOrReorders) ? string.Concat(text.Where(c => !BreaksOrReorders(c))) : text;
    }

    /// <summary>
    /// Where <paramref name="text"/> holds its first line break or control character, or -1: a character of Unicode
    /// category Cc (tab, CR, LF, NEL U+0085, BEL …) or the line and paragraph separators U+2028 and U+2029. A name (a
    /// status, an option, a user's name, a client's name) holds none of them (decision 0174).
    /// </summary>
    public static int IndexOfLineBreakOrControl(ReadOnlySpan<char> text) => text.IndexOfAny(LineBreaksAndControls);

    /// <summary>
    /// "a line break", "a tab" or "the control character U+0007": what <see cref="IndexOfLineBreakOrControl"/> found, said
    /// so that a person knows what to look for.
    /// </summary>
    public static string DescribeLineBreakOrControl(char c) =>
        IsLineBreak(c) ? "a line break"
        : c == '\t' ? "a tab"
        : string.Create(CultureInfo.InvariantCulture, $"the control character U+{(int)c:X4}");

    /// <summary>Whether <paramref name="c"/> breaks a line: CR, LF, NEL U+0085, U+2028 or U+2029.</summary>
    public static bool IsLineBreak(char c) => c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029';

    private static readonly SearchValues<char> LineBreaksAndControls = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(i => (char)i)) + "\u2028\u2029");

    private static bool BreaksOrReorders(char c) => char.IsControl(c) || c switch
    {
        '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F' => true,
        >= '\u202A' and <= '\u202E' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };

    /// <summary>
    /// <paramref name="text"/> as a person sees it, so that two texts that look the same are the same (decision 0041):
    /// composed (Unicode NFC: "Jörg" typed on a Mac and on Windows), without characters that do not show (zero-width
    /// space, word joiner, byte order mark, soft hyphen, direction marks, and NUL, which PostgreSQL refuses in a text
    /// and an .xlsx writes as <c>_x0000_</c>: decision 0040), and with every other space character
    /// (no-break, thin, ideographic …) a plain space. Tabs and line breaks stay (a multi-selection may be separated by
    /// line breaks); the zero-width joiners stay (they change how some scripts and emoji read). A text never gets
    /// longer: in the rare case where composing would lengthen it (a composition exclusion such as U+0958), it is
    /// left uncomposed. Plain ASCII, almost every cell, is returned as it is after one vectorised scan. A character
    /// that is not valid text, U+FFFE or half of a surrogate pair (Excel's LEFT() or MID() cutting an emoji in two),
    /// becomes the replacement character U+FFFD, as a decoder does with bytes that are not valid (decision 0044).
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? AsSeen(string? text)
    {
        if (text is null || IsAsSeen(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsInvisible(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }

            builder.Append(IsOtherSpace(c) ? ' ' : IsNotValidText(c) ? ReplacementCharacter : c);
        }

        var visible = builder.ToString();
        if (visible.IsNormalized(NormalizationForm.FormC))
        {
            return visible;
        }

        var composed = visible.Normalize(NormalizationForm.FormC);
        return composed.Length <= visible.Length ? composed : visible;
    }

    /// <summary>Whether <see cref="AsSeen"/> leaves <paramref name="text"/> as it is.</summary>
    public static bool IsAsSeen(ReadOnlySpan<char> text)
    {
        if (Ascii.IsValid(text))
        {
            // A NUL is ASCII too: an .xlsx's _x0000_, an .xls or .xlsb string (decision 0040).
            return !text.Contains('\0');
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            // Normalising a text with U+FFFE or half a surrogate pair throws; AsSeen replaces them first.
            if (IsInvisible(c) || IsOtherSpace(c) || IsNotValidText(c))
            {
                return false;
            }
        }

        // Uncomposed text left as it is because composing would lengthen it is as seen too (AsSeen is idempotent).
        return text.IsNormalized(NormalizationForm.FormC)
            || text.ToString().Normalize(NormalizationForm.FormC).Length > text.Length;
    }

    /// <summary>
    /// <paramref name="text"/> with each character that is not valid text (U+FFFE, half of a surrogate pair) replaced by
    /// U+FFFD, and nothing else changed: for a text kept as it came (a file's name), as <see cref="AsSeen"/> does.
    /// </summary>
    public static string WithValidCharacters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        char[]? chars = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsNotValidText(text[i]))
            {
                chars ??= text.ToCharArray();
                chars[i] = ReplacementCharacter;
            }
        }

        return chars is null ? text : new string(chars);
    }

    /// <summary>The replacement character U+FFFD, which stands for a character that is not valid text.</summary>
    public const char ReplacementCharacter = '\uFFFD';

    /// <summary>
    /// Whether <paramref name="c"/>, not part of a surrogate pair, is not valid text: U+FFFE or a lone surrogate, which
    /// .NET's normalisation refuses ("String contains invalid Unicode code points").
    /// </summary>
    private static bool IsNotValidText(char c) => c == '\uFFFE' || char.IsSurrogate(c);

    private static bool IsInvisible(char c) => c switch
    {
        '\0' or '\u00AD' or '\u061C' or '\u180E' or '\u200B' or '\u200E' or '\u200F' or '\uFEFF' => true,
        >= '\u202A' and <= '\u202E' => true,
        >= '\u2060' and <= '\u2064' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };

    private static bool IsOtherSpace(char c) => c != ' ' && c > '\u007F' && char.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator;
}
