namespace Rollouter.Import.Importing.Mapping;

/// <summary>
/// A multi-selection column's header that says which text separates its values: "Software (separated by |)". The export
/// writes it for a column whose values hold the default separator (<see cref="ColumnMapping.DefaultSeparator"/>), and
/// the automatic mapping reads it, so such values survive the round trip instead of being split into more values.
/// </summary>
public static class SeparatorHeader
{
    private const string Marker = " (separated by ";

    /// <summary>
    /// The separators an export chooses from, in this order: the default, then ASCII characters rarely found in values
    /// (stored JSON keeps them as they are, so the database can be asked whether any value holds one).
    /// </summary>
    public static readonly IReadOnlyList<string> Candidates = [ColumnMapping.DefaultSeparator, "|", "~", "^", "`"];

    /// <summary>
    /// The field's name for the default separator (the template's header), else the name with its separator; with
    /// <paramref name="always"/> the default is named too (the inventory's remembered mapping splits the column otherwise).
    /// </summary>
    public static string Header(string fieldName, string separator, bool always = false) =>
        separator == ColumnMapping.DefaultSeparator && !always ? fieldName : fieldName + Marker + separator + ")";

    /// <summary>
    /// Reads "Name (separated by X)": the name and X, one to three characters without spaces. Any other header is
    /// not one (false).
    /// </summary>
    public static bool TryParse(string? header, out string name, out string separator)
    {
        name = separator = "";
        if (header is null || !header.EndsWith(')'))
        {
            return false;
        }

        var at = header.LastIndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (at <= 0)
        {
            return false;
        }

        var text = header[(at + Marker.Length)..^1];
        if (text.Length is < 1 or > 3 || text.Any(char.IsWhiteSpace) || header[..at].Trim().Length == 0)
        {
            return false;
        }

        name = header[..at].Trim();
        separator = text;
        return true;
    }
}
