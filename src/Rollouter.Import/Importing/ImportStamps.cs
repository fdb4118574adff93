using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing;

/// <summary>
/// What a page (or a script) saw of an import when it made its request: <see cref="File"/>, a fingerprint of the file
/// reading (the file settings in use: sheet, header row, delimiter, encoding, hidden rows), and <see cref="Mapping"/>, one
/// of the saved column-field assignment. A step given them refuses (409, nothing changed) an import that no longer has
/// them: rows and column letters named under one reading would be applied to another sheet's, and an assignment posted
/// from a page opened before another save would silently undo it (decision 0056). A null fingerprint is not checked, so a
/// request without them (a script, a form of an older page) is served as before. <see cref="FromApi"/> words the refusal
/// for a script, which names the fingerprints as the API's <c>fileStamp</c> and <c>mappingStamp</c>.
/// </summary>
public sealed record ImportStamps(string? File, string? Mapping = null, bool FromApi = false)
{
    /// <summary>The fingerprint of the import's file reading: its stored file settings, detected values filled in.</summary>
    public static string FileOf(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return Fingerprint(import.ParseOptions);
    }

    /// <summary>The fingerprint of the import's saved column-field assignment ("Update existing clients" included).</summary>
    public static string MappingOf(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return Fingerprint(import.Mapping);
    }

    /// <summary>Why a step made for these fingerprints cannot be applied to <paramref name="import"/> as it is now; null when it can.</summary>
    public Problem? Refuse(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (!string.IsNullOrEmpty(File) && File != FileOf(import))
        {
            var reading = Describe(ParseOptions.FromJson(import.ParseOptions));
            return FromApi
                ? Problem.Conflict($"The file settings of import {Number(import.Id)} changed since fileStamp was read: the file is now " +
                    $"read {reading}. Nothing was changed: read the import again (GET /api/imports/{Number(import.Id)}) and review its columns.",
                    "fileStamp")
                : Problem.Conflict($"The file settings changed since this page was loaded: the file is now read {reading}, and its " +
                    "columns and rows may be others. Nothing was saved: review the columns below and make your change again.");
        }

        if (!string.IsNullOrEmpty(Mapping) && Mapping != MappingOf(import))
        {
            return FromApi
                ? Problem.Conflict($"The mapping of import {Number(import.Id)} changed since mappingStamp was read. Nothing was changed: " +
                    $"read the import again (GET /api/imports/{Number(import.Id)}) and review its mapping.", "mappingStamp")
                : Problem.Conflict("The column-field assignment was saved since this page was loaded (in another tab, by someone " +
                    "else, or with a custom field's new name). Nothing was saved: the page now shows the saved assignment; review it " +
                    "and make your change again.");
        }

        return null;
    }

    /// <summary>"from sheet "Rooms" with the header in row 1", "with the header in row 2, delimiter ";", encoding windows-1252".</summary>
    private static string Describe(ParseOptions options)
    {
        var parts = new List<string>();
        if (options.Sheet is { } sheet)
        {
            parts.Add($"from sheet \"{sheet}\"");
        }

        parts.Add(string.Create(CultureInfo.InvariantCulture, $"with the header in row {options.HeaderRow ?? 1}"));
        if (options.Delimiter is { } delimiter)
        {
            parts.Add(delimiter == '\t' ? "delimiter tab" : $"delimiter \"{delimiter}\"");
        }

        if (options.Encoding is { } encoding)
        {
            parts.Add("encoding " + encoding);
        }

        if (options.IncludeHiddenRows)
        {
            parts.Add("hidden rows included");
        }

        return string.Join(", ", parts);
    }

    private static string Number(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Fingerprint(string? stored) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stored ?? "")))[..16];
}
