namespace Rollouter.Import.Importing.Reading;

/// <summary>Spreadsheet column letters: 0 → "A", 25 → "Z", 26 → "AA".</summary>
public static class ColumnLetters
{
    public static string FromIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Span<char> buffer = stackalloc char[8];
        var pos = buffer.Length;
        var n = index + 1;
        while (n > 0)
        {
            var rem = (n - 1) % 26;
            buffer[--pos] = (char)('A' + rem);
            n = (n - 1) / 26;
        }

        return new string(buffer[pos..]);
    }

    /// <summary>The zero-based column of a letter or a cell reference ("C", "c", "AB12" → 27); -1 when it has no letters.</summary>
    public static int ToIndex(ReadOnlySpan<char> reference)
    {
        var n = 0;
        var i = 0;
        for (; i < reference.Length; i++)
        {
            var c = reference[i] | 0x20;
            if (c is < 'a' or > 'z')
            {
                break;
            }

            n = (n * 26) + (c - 'a' + 1);
            if (n > 1_000_000)
            {
                return -1;
            }
        }

        return i == 0 ? -1 : n - 1;
    }
}
