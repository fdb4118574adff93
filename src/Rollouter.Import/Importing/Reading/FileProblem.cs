namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// Why a file cannot be read. The web layer maps kinds to HTTP: TooLarge → 413, WrongType → 415, NoRoom → 507, Missing → 410,
/// others → 400.
/// </summary>
public enum FileProblemKind
{
    /// <summary>The file, its rows or its inflated content exceed a <see cref="ReaderLimits"/> bound (HTTP 413).</summary>
    TooLarge = 1,

    /// <summary>The content is not a supported spreadsheet or does not match the extension (HTTP 415).</summary>
    WrongType,

    PasswordProtected,

    /// <summary>Damaged, truncated or malformed content.</summary>
    Corrupt,

    /// <summary>No content, or every row is empty.</summary>
    Empty,

    /// <summary>A header row but no data rows below it.</summary>
    NoDataRows,

    TooManyColumns,

    /// <summary>Bytes that the chosen or detected encoding cannot decode.</summary>
    InvalidEncoding,

    /// <summary>The parse options name something the file does not have (sheet, header row, encoding, delimiter).</summary>
    InvalidOption,

    /// <summary>
    /// Not the file's fault: the server has no room on its disk for the file's local copy (HTTP 507). It can be read again
    /// once there is room, so it is never remembered as the file's problem.
    /// </summary>
    NoRoom,

    /// <summary>
    /// Not the file's fault: the import's kept file is no longer on the server (the database does not hold it whole and no
    /// copy is in the data folder) or cannot be read there (HTTP 410). Never remembered either: a restored file is read
    /// at the next request.
    /// </summary>
    Missing,
}

/// <summary>
/// A problem with the whole file, with a message a rollout manager understands. <see cref="Cause"/> is what a format
/// reader threw, when it threw: the web layer logs it for a file refused as damaged, so that a reader bug shows.
/// </summary>
public sealed record FileProblem(FileProblemKind Kind, string Message)
{
    public Exception? Cause { get; init; }

    /// <summary>
    /// The parse option at fault (<see cref="FileProblemKind.InvalidOption"/>, and <see cref="FileProblemKind.InvalidEncoding"/>
    /// for an encoding chosen under File settings that cannot decode the file): "sheet", "headerRow", "delimiter" or
    /// "encoding", as the API names them; null for a problem of the file itself.
    /// </summary>
    public string? Field { get; init; }
}

/// <summary>
/// The only exception the readers let escape, and only from <see cref="SpreadsheetFile.ReadRows"/> and
/// <see cref="SpreadsheetFile.CountRows"/>: a problem found while streaming (a damaged part, too many rows, bytes the
/// encoding cannot decode). <see cref="ImportFileReader.Open(string, string, ParseOptions?, ReaderLimits?, int)"/> never throws.
/// </summary>
public sealed class ImportFileException(FileProblem problem, Exception? inner = null) : Exception(problem.Message, inner)
{
    public ImportFileException(FileProblemKind kind, string message, Exception? inner = null)
        : this(new FileProblem(kind, message), inner)
    {
    }

    public FileProblem Problem { get; } = inner is null || problem.Cause is not null ? problem : problem with { Cause = inner };
}
