using System.Globalization;

namespace Rollouter.Import.Importing.Reports;

/// <summary>
/// The names an import's downloads are offered under, pages and API alike: the uploaded file's name with the import's
/// number, so that two imports of the same file (a retry, a corrected upload) give two files on disk, not one that
/// replaces the other or "laptops (1).csv": "laptops.csv" of import 12 → "laptops-import-12.csv" and
/// "laptops-import-12-errors.xlsx".
/// </summary>
public static class DownloadNames
{
    /// <summary>"laptops.csv" of import 12 → "laptops-import-12.csv"; a name without a stem → "import-12.csv".</summary>
    public static string OriginalFile(string importFileName, int importId) =>
        Stem(importFileName, importId) + Path.GetExtension(importFileName ?? "");

    /// <summary>"laptops.csv" of import 12 → "laptops-import-12-errors.xlsx".</summary>
    public static string ErrorReport(string importFileName, int importId) => Stem(importFileName, importId) + "-errors.xlsx";

    private static string Stem(string? importFileName, int importId)
    {
        var number = "import-" + importId.ToString(CultureInfo.InvariantCulture);
        var stem = Path.GetFileNameWithoutExtension(importFileName ?? "");
        return string.IsNullOrWhiteSpace(stem) ? number : stem + "-" + number;
    }
}
