using System.Diagnostics.CodeAnalysis;

namespace Rollouter.Import.Importing.Rules;

/// <summary>How values appear inside error messages: long ones are cut, since the error report shows the row anyway.</summary>
internal static class ErrorText
{
    public static string Shorten(string? value, int max = 100) =>
        value is null ? "" : value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");

    [return: NotNullIfNotNull(nameof(value))]
    public static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : string.Concat(value.AsSpan(0, max - 1), "…");

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>
    /// A text as loosely as people mistype it: case and every space ignored ("new " and "N ew" are "new"), for
    /// suggestions in messages only — the rules themselves compare as they always did.
    /// </summary>
    public static string Loose(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>"Did you mean "New"?" where the value differs from a valid one only in case or spaces; else "".</summary>
    public static string DidYouMean(Dictionary<string, string> byLooseKey, string value) =>
        byLooseKey.TryGetValue(Loose(value), out var meant) && meant != value ? $" Did you mean \"{Shorten(meant)}\"?" : "";
}
