namespace Rollouter.Import.Importing.Files;

/// <summary>
/// The data folder's disk as the importer meets it: whether a failed write means the disk is full, and what the user is
/// told then. Only the writes of files (an upload received, an import's cached copy) are recognised here.
/// </summary>
public static class LocalDisk
{
    /// <summary>ENOSPC: no space left on device (Linux, macOS).</summary>
    private const int NoSpace = 28;

    /// <summary>EDQUOT on Linux: the user's disk quota is used up, which is the same "no room" to the app.</summary>
    private const int LinuxQuotaExceeded = 122;

    /// <summary>Windows' ERROR_HANDLE_DISK_FULL.</summary>
    private const int WindowsHandleDiskFull = 0x27;

    /// <summary>Windows' ERROR_DISK_FULL.</summary>
    private const int WindowsDiskFull = 0x70;

    /// <summary>The refusal of an upload that the server could not write to its disk (507).</summary>
    public const string UploadMessage = "The server has no room to store this file; ask your administrator.";

    /// <summary>What the import's page, the API and a refused step say when the import's kept file cannot be copied to disk (507).</summary>
    public const string ReadMessage =
        "The file cannot be read now: the server's disk is full. Ask your administrator to free some space, then try again.";

    /// <summary>
    /// Whether <paramref name="exception"/> is a write refused because the disk is full: an <see cref="IOException"/>
    /// whose HResult carries ENOSPC (or EDQUOT) on Linux and macOS, ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL (in the
    /// low 16 bits of the HRESULT) on Windows.
    /// </summary>
    public static bool IsFull(Exception exception)
    {
        if (exception is not IOException io)
        {
            return false;
        }

        var code = io.HResult & 0xFFFF;
        return OperatingSystem.IsWindows()
            ? code is WindowsDiskFull or WindowsHandleDiskFull
            : code == NoSpace || (OperatingSystem.IsLinux() && code == LinuxQuotaExceeded);
    }

    /// <summary>
    /// How long after its last write a file of the data folder's <c>uploads</c> (<c>*.upload</c>) or a half-written copy
    /// in <c>import-cache</c> (<c>*.part</c>) is taken as abandoned (its process was killed) and swept. Such a file is
    /// written without pause while it is received or copied (a request body that stalls is cut off by the server within
    /// seconds), then read while its import is created (opened, rows counted, stored in the database: minutes for the
    /// largest file) and moved away. An hour after its last write no instance sharing the folder still uses it. A failed
    /// rows report in <c>reports</c> (<c>report-*.xlsx</c>) is written whole, then sent and deleted as its download
    /// ends; a download still running an hour after the report was written keeps reading it, on Linux and macOS, after
    /// the sweep unlinked it (on Windows the open file is not deleted).
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    /// <summary>
    /// Deletes the files of <paramref name="folder"/> matching <paramref name="searchPattern"/> last written more than
    /// <see cref="AbandonedAfter"/> ago, by the file system's own clock (the one that stamped them); returns how many
    /// went. A file in use or not ours to delete stays for the next sweep.
    /// </summary>
    public static int SweepAbandoned(string folder, string searchPattern)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var before = DateTime.UtcNow - AbandonedAfter;
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(folder, searchPattern))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(path) < before)
                {
                    File.Delete(path);
                    removed++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return removed;
    }

    /// <summary>
    /// How many bytes <see cref="WriteCheckFile"/> writes. A file of no bytes is made on a full disk too (it takes no
    /// block), so a check that writes nothing passes there.
    /// </summary>
    public const int CheckFileBytes = 4096;

    /// <summary>A new file, written straight through (no buffer), as the start-up's checks write it.</summary>
    public static Stream CreateNew(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);

    /// <summary>
    /// Writes a check file of <see cref="CheckFileBytes"/> into <paramref name="folder"/> and deletes it, also when the
    /// write fails; throws what the write threw (<see cref="IsFull"/> tells a full disk).
    /// </summary>
    /// <param name="createFile">Opens the new file; by default <see cref="CreateNew"/> (a test gives a full disk).</param>
    public static void WriteCheckFile(string folder, Func<string, Stream>? createFile = null)
    {
        var path = Path.Combine(folder, ".write-check-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var file = (createFile ?? CreateNew)(path);
            file.Write(new byte[CheckFileBytes]);
            file.Flush();
        }
        finally
        {
            TryDelete(path);
        }
    }

    /// <summary>
    /// Whether the disk of <paramref name="folder"/> is full: a check file (<see cref="WriteCheckFile"/>) is refused for
    /// want of room. False when it is written, or refused for another reason.
    /// </summary>
    public static bool HasNoRoom(string folder, Func<string, Stream>? createFile = null)
    {
        try
        {
            WriteCheckFile(folder, createFile);
            return false;
        }
        catch (Exception e) when (IsFull(e))
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes a file left half-written, if it is there; a file in use stays for a later sweep.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
