using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The data folder's <c>reports</c> folder (<paramref name="folder"/>): a failed rows report is written whole there
/// before it is sent, so that a report that cannot be finished is an error answer and never half a download. Each file
/// is deleted when it is closed (the download ended, or failed); one a killed process left is swept once it is
/// <see cref="LocalDisk.AbandonedAfter"/> old, as the uploads are (<see cref="ImportRecovery.SweepFilesAsync"/>). The
/// data folder is the one place the app writes (docs/operations.md): the system's temporary folder may be small or
/// shared.
/// </summary>
public sealed class ReportFiles(string folder)
{
    private const string Pattern = "report-*.xlsx";

    /// <summary>A new, empty file to write a report into and read it back from; deleted when the stream is closed.</summary>
    public FileStream Create()
    {
        Directory.CreateDirectory(folder);
        return new FileStream(Path.Combine(folder, $"report-{Guid.NewGuid():N}.xlsx"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    /// <summary>Deletes the reports a killed process left, once they are <see cref="LocalDisk.AbandonedAfter"/> old.</summary>
    public int SweepAbandoned() => LocalDisk.SweepAbandoned(folder, Pattern);
}
