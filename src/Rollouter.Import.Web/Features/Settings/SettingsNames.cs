using Rollouter.Import.Data;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>Checks of names shared by every settings form.</summary>
public static class SettingsNames
{
    /// <summary>
    /// As seen (<see cref="PlainText.AsSeen"/>: composed, without invisible characters, as an import reads its cells),
    /// trimmed, or null when blank: a status or option "Geprüft" typed on a Mac is the one typed on Windows.
    /// </summary>
    public static string? Clean(string? value) => PlainText.AsSeen(value) is { } seen && !string.IsNullOrWhiteSpace(seen) ? seen.Trim() : null;

    /// <summary>
    /// Why <paramref name="name"/> (as <see cref="Clean"/>ed) cannot be a name, or null when it can: a line break, a tab or
    /// another control character inside it ("A status name cannot hold a line break or a control character: it holds a
    /// line break after \"Ready\"."). Those around it are trimmed as spaces are. One check for every settings name, on the
    /// pages and in the API (decision 0174); <paramref name="what"/> names it ("A status name").
    /// </summary>
    public static string? LineBreakOrControl(string? name, string what)
    {
        if (name is null || PlainText.IndexOfLineBreakOrControl(name) is not (>= 0 and var at))
        {
            return null;
        }

        var before = name[..at];
        var shown = before.Length > 40 ? "…" + before[^40..] : before;
        var where = at == 0 ? "at its start" : $"after \"{shown}\"";
        return $"{what} cannot hold a line break or a control character: it holds {PlainText.DescribeLineBreakOrControl(name[at])} {where}.";
    }

    /// <summary>The lines of a text area, each <see cref="Clean"/>ed, without blank ones.</summary>
    public static List<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(Clean).OfType<string>().ToList();

    /// <summary>
    /// The first name that appears twice, ignoring case: names that differ only by case are refused everywhere, because
    /// people cannot tell "Done" from "done" in a dropdown even where imports compare exactly.
    /// </summary>
    public static string? FirstDuplicate(IEnumerable<string> names)
    {
        // One pass with a set, named as first written ("Red" of "Red", "Blue", "red").
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            if (!seen.TryAdd(name, name))
            {
                return seen[name];
            }
        }

        return null;
    }

    /// <summary>
    /// The names of a long list for an audit line: the first <paramref name="shown"/>, then "… and 950 more", so that
    /// the line stays readable and bounded however long the list.
    /// </summary>
    public static IReadOnlyList<string> Bounded(IReadOnlyList<string> names, int shown = 50) =>
        names.Count <= shown
            ? names
            : [.. names.Take(shown), $"… and {ImportNumbers.N(names.Count - shown)} more"];
}
