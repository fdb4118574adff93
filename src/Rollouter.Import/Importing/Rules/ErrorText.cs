namespace Rollouter.Import.Importing.Rules;

/// <summary>How values appear inside error messages: long ones are cut, since the error report shows the row anyway.</summary>
internal static class ErrorText
{
    public static string Shorten(string? value, int max = 100) =>
        value is null ? "" : value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");

    public static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : string.Concat(value.AsSpan(0, max - 1), "…");

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
