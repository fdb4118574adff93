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
}
