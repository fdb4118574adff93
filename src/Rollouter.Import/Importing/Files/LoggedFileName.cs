using System.Globalization;

namespace Rollouter.Import.Importing.Files;

/// <summary>
/// What the logs say of an uploaded file's name (decision 0153): a name may carry a person's name ("Jane Doe laptops.xlsx"),
/// and logs are kept 14 days and copied to wherever they are collected, so lines at Information and above name the import
/// by its id and the file by its extension only; the name itself is written once, at Debug (off in the shipped
/// configuration), where an operator who needs it turns it on.
/// </summary>
public static class LoggedFileName
{
    /// <summary>
    /// The extension of <paramref name="fileName"/> in lower case without its dot ("csv", "xlsx"), "none" without one, and
    /// "other" for one that is longer than 5 characters or not letters and digits (it could be a word of the name).
    /// </summary>
    public static string Extension(string? fileName)
    {
        var extension = Path.GetExtension(fileName ?? "").TrimStart('.');
        return extension.Length == 0 ? "none"
            : extension.Length > 5 || !extension.All(char.IsAsciiLetterOrDigit) ? "other"
            : extension.ToLower(CultureInfo.InvariantCulture);
    }
}
