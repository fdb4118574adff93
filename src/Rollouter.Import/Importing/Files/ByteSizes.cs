using System.Globalization;

namespace Rollouter.Import.Importing.Files;

/// <summary>
/// A size in bytes as every page and message writes it: "312 bytes", "12.5 KB", "20.0 MB" (1,024 a step, one decimal,
/// the invariant culture). The upload page's script (wwwroot/js/upload.js) writes the file's size the same way.
/// </summary>
public static class ByteSizes
{
    private const long Kilobyte = 1024;
    private const long Megabyte = 1024 * Kilobyte;
    private const long Gigabyte = 1024 * Megabyte;

    public static string Format(long bytes) => bytes switch
    {
        >= Gigabyte => Scaled(bytes, Gigabyte, "GB"),
        >= Megabyte => Scaled(bytes, Megabyte, "MB"),
        >= Kilobyte => Scaled(bytes, Kilobyte, "KB"),
        1 => "1 byte",
        _ => bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes",
    };

    private static string Scaled(long bytes, long unit, string name) =>
        ((double)bytes / unit).ToString("N1", CultureInfo.InvariantCulture) + " " + name;
}
