namespace Rollouter.Import.Web.Features.Settings;

/// <summary>Checks of names shared by every settings form.</summary>
public static class SettingsNames
{
    /// <summary>Trimmed, or null when blank.</summary>
    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The lines of a text area, trimmed, without blank ones.</summary>
    public static List<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>
    /// The first name that appears twice, ignoring case: names that differ only by case are refused everywhere, because
    /// people cannot tell "Done" from "done" in a dropdown even where imports compare exactly.
    /// </summary>
    public static string? FirstDuplicate(IEnumerable<string> names) =>
        names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
}
