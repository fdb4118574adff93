namespace Rollouter.Import.Data;

/// <summary>
/// The LIKE pattern of a search by name (the lower-case <c>NameKey</c>) or description: the text anywhere, its own
/// <c>%</c>, <c>_</c> and <c>\</c> taken literally (escaped with <see cref="Escape"/>).
/// </summary>
public static class NameSearch
{
    public const string Escape = "\\";

    public static string Containing(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "%" + text.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
    }
}
