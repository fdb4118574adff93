namespace Rollouter.Import.Importing;

/// <summary>
/// What counts as a change of a client's value, for the dry run (<c>CurrentValues</c>), the writer
/// (<c>ClientWriter.HistoryLabels</c>) and the advanced links (<c>AdvancedLinkRule</c>) alike (decision 0164): a text is
/// compared without the white space around it (spaces, tabs, line breaks), which a person does not see in a cell and an
/// Input's value is stored without anyway, and with a line break as one whether written CR LF, CR or LF (an .xlsx's
/// <c>_x000D_</c>, a CSV saved on Windows); a custom field's values as a set (a multi-selection in another order, or
/// with a value twice, is the same selection); an empty text or set is none. Case and the spaces inside a text count.
/// Where a value is the same so, nothing is written: the client keeps its value as stored, in its order.
/// </summary>
internal static class ClientValues
{
    /// <summary>Whether two texts are the same, ignoring the white space around them; null and empty are the same.</summary>
    public static bool SameText(string? a, string? b)
    {
        var left = a.AsSpan().Trim();
        var right = b.AsSpan().Trim();
        return left.SequenceEqual(right)
            || (left.Contains('\r') || right.Contains('\r')) && OneLineBreak(left.ToString()) == OneLineBreak(right.ToString());
    }

    /// <summary>
    /// The text as <see cref="SameText"/> compares it: without the white space around it, every line break as LF; the
    /// text itself where it already is so (no allocation).
    /// </summary>
    public static string Key(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Contains('\r', StringComparison.Ordinal) ? OneLineBreak(trimmed) : trimmed;
    }

    private static string OneLineBreak(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    /// <summary>
    /// Whether two custom-field values are the same: the same set of parts, each as <see cref="Key"/> gives it (an
    /// empty part is none); null and an empty array are the same.
    /// </summary>
    public static bool Same(string[]? a, string[]? b)
    {
        a ??= [];
        b ??= [];
        return a.Length == 1 && b.Length == 1
            ? SameText(a[0], b[0])
            : Normalized(a).AsSpan().SequenceEqual(Normalized(b));
    }

    /// <summary>
    /// The parts of a value as <see cref="Same"/> compares them (<see cref="Key"/>), without empty ones and repeats, in
    /// ordinal order; the array itself where it already is so (a single value without white space around it or a CR:
    /// no allocation).
    /// </summary>
    public static string[] Normalized(string[] value)
    {
        if (value.Length == 1 && value[0].Length > 0 && !char.IsWhiteSpace(value[0][0]) && !char.IsWhiteSpace(value[0][^1])
            && !value[0].Contains('\r', StringComparison.Ordinal))
        {
            return value;
        }

        var parts = new string[value.Length];
        var count = 0;
        foreach (var part in value)
        {
            var key = Key(part);
            if (key.Length > 0)
            {
                parts[count++] = key;
            }
        }

        Array.Sort(parts, 0, count, StringComparer.Ordinal);
        var unique = 0;
        for (var i = 0; i < count; i++)
        {
            if (unique == 0 || !string.Equals(parts[unique - 1], parts[i], StringComparison.Ordinal))
            {
                parts[unique++] = parts[i];
            }
        }

        return unique == parts.Length ? parts : parts[..unique];
    }
}
