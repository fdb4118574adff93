using System.Globalization;

namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// Found in a CSV file read in a single-byte encoding (Windows-1252, Mac Roman, DOS code page 850): the cells that hold
/// a "?" where a letter belongs, as Excel's "CSV (Comma delimited)" writes each letter the encoding cannot hold ("Wrocław"
/// saved as "Wroc?aw"). Stored with the file's options, so the wizard warns about every row, not only the sample's.
/// </summary>
/// <param name="Cells">How many cells hold such a "?".</param>
/// <param name="FirstRow">The first one's row, as the spreadsheet numbers it.</param>
/// <param name="FirstColumn">The first one's column, zero-based.</param>
/// <param name="FirstText">The first one's text, at most <see cref="LostLetterScan.MaxShownLength"/> characters.</param>
public sealed record LostLetters(int Cells, int FirstRow, int FirstColumn, string FirstText);

/// <summary>Finds the "?" that stand where a letter was (decision 0177).</summary>
public static class LostLetterScan
{
    public const int MaxShownLength = 60;

    /// <summary>The encodings in which Excel replaces the letters it cannot write with "?".</summary>
    public static bool IsSingleByte(string? encoding) => encoding is "windows-1252" or "macintosh" or "ibm850";

    /// <summary>
    /// Whether the text holds a "?" where a letter was likely: a run of "?" directly followed by a letter ("Wroc?aw",
    /// "?ód?", "Ji?í"), or a whole word of two or more "?" (a Greek, Cyrillic or Chinese word written in an encoding that
    /// holds none of its letters). A "?" after a word ("Which?", "Is it??") is punctuation, and so is a single "?"
    /// standing alone and a web address's query ("page?id=12").
    /// </summary>
    public static bool HoldsLostLetter(ReadOnlySpan<char> text)
    {
        var i = text.IndexOf('?');
        while (i >= 0)
        {
            var end = i;
            while (end < text.Length && text[end] == '?')
            {
                end++;
            }

            var before = i > 0 ? text[i - 1] : ' ';
            var after = end < text.Length ? text[end] : ' ';
            if (char.IsLetter(after) && !IsQueryParameter(text[end..]))
            {
                return true;
            }

            if (end - i >= 2 && !char.IsLetterOrDigit(before) && !char.IsLetterOrDigit(after))
            {
                return true;
            }

            var next = text[end..].IndexOf('?');
            i = next < 0 ? -1 : end + next;
        }

        return false;
    }

    /// <summary>Whether the text after a "?" is a web address's query ("?id=12"), not a word.</summary>
    private static bool IsQueryParameter(ReadOnlySpan<char> rest)
    {
        var i = 0;
        while (i < rest.Length && (char.IsAsciiLetterOrDigit(rest[i]) || rest[i] is '_' or '-' or '.'))
        {
            i++;
        }

        return i < rest.Length && rest[i] == '=';
    }

    /// <summary>Adds the row's cells to <paramref name="found"/> (null: none found yet); returns what is found so far.</summary>
    internal static LostLetters? Add(LostLetters? found, int row, IEnumerable<RawCell> cells)
    {
        foreach (var cell in cells)
        {
            if (cell.IsError || string.IsNullOrEmpty(cell.Text) || !HoldsLostLetter(cell.Text))
            {
                continue;
            }

            found = found is null
                ? new LostLetters(1, row, cell.Column, Shorten(cell.Text))
                : found with { Cells = found.Cells + 1 };
        }

        return found;
    }

    /// <summary>The warning, naming the encoding read, the count and the first cell, and what the user can do.</summary>
    public static string Message(string? encoding, LostLetters lost)
    {
        ArgumentNullException.ThrowIfNull(lost);
        var label = Label(encoding);
        var cells = lost.Cells == 1
            ? "1 cell holds"
            : lost.Cells.ToString("N0", CultureInfo.InvariantCulture) + " cells hold";
        var first = lost.Cells == 1 ? "in" : "the first in";
        return $"The file was read as {label}, and {cells} a \"?\" where a letter belongs ({first} row "
            + $"{lost.FirstRow.ToString(CultureInfo.InvariantCulture)}, column {ColumnLetters.FromIndex(lost.FirstColumn)}: \"{lost.FirstText}\"). "
            + "Excel's \"CSV (Comma delimited)\" writes a \"?\" for each letter that this encoding cannot hold (such as ł, ř, ő, "
            + "Greek, Cyrillic or Chinese letters), so those letters are not in the file and cannot be read back. Save the sheet "
            + "in Excel as \"CSV UTF-8 (Comma delimited)\" or as Excel Workbook (.xlsx) and upload that; if the question marks "
            + "are meant, import the file as it is.";
    }

    /// <summary>The single-byte encoding's name as the messages give it.</summary>
    public static string Label(string? encoding) => encoding switch
    {
        "macintosh" => "Mac Roman",
        "ibm850" => "DOS code page 850",
        _ => "Windows-1252",
    };

    private static string Shorten(string text)
    {
        var line = Data.PlainText.OnOneLine(text);
        if (line.Length <= MaxShownLength)
        {
            return line;
        }

        var keep = MaxShownLength - 1;
        if (char.IsHighSurrogate(line[keep - 1]))
        {
            keep--;
        }

        return string.Concat(line.AsSpan(0, keep), "…");
    }
}
