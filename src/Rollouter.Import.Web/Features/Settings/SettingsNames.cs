using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>Checks of names shared by every settings form.</summary>
public static class SettingsNames
{
    /// <summary>
    /// As seen (<see cref="PlainText.AsSeen"/>: composed, without invisible characters, as an import reads its cells),
    /// trimmed, or null when blank: a status or option "Geprüft" typed on a Mac is the one typed on Windows.
    /// </summary>
    public static string? Clean(string? value) => PlainText.AsSeen(value) is { } seen && !string.IsNullOrWhiteSpace(seen) ? seen.Trim() : null;

    /// <summary>The lines of a text area, each <see cref="Clean"/>ed, without blank ones.</summary>
    public static List<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(Clean).OfType<string>().ToList();

    /// <summary>
    /// The first name that appears twice, ignoring case: names that differ only by case are refused everywhere, because
    /// people cannot tell "Done" from "done" in a dropdown even where imports compare exactly.
    /// </summary>
    public static string? FirstDuplicate(IEnumerable<string> names) =>
        names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
}
