using Microsoft.Extensions.Logging;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Files;

/// <summary>An upload received into a temporary file, size-limited; deleted when disposed (unless adopted meanwhile).</summary>
public sealed class ReceivedUpload(string path, long size) : IDisposable
{
    public string Path { get; } = path;

    public long Size { get; } = size;

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Receives uploads into temporary files of <paramref name="folder"/>, for the upload page and the API alike: streamed,
/// never held in memory, and refused as soon as they pass the size limit (<see cref="ReaderLimits.MaxFileBytes"/>).
/// A disk too full to hold an upload refuses it (507, <see cref="LocalDisk.UploadMessage"/>) and keeps nothing of it.
/// <paramref name="createFile"/> opens each new file for writing (a test makes the disk full there).
/// </summary>
public sealed class ImportUploads(string folder, ReaderLimits limits, Func<string, Stream>? createFile = null,
    ILogger<ImportUploads>? logger = null)
{
    private readonly Func<string, Stream> _createFile = createFile ?? (path =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous));


    /// <summary>Room for the multipart form around the file in a request's length.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    /// <summary>
    /// The most an upload request may hold: the largest file and room for the form around it. A declared length above it
    /// is refused before reading a byte (<see cref="RefuseDeclaredLength"/>), a body sent without one (chunked) as soon as
    /// it passes it while it is read.
    /// </summary>
    public long MaxRequestBytes => limits.MaxFileBytes + FormOverheadBytes;

    /// <summary>
    /// The refusal of a request whose declared length already passes the limit (refused before reading a byte); null
    /// when the upload may be read, and <see cref="ReceiveAsync"/> still counts it.
    /// </summary>
    public Problem? RefuseDeclaredLength(long? contentLength) => contentLength > MaxRequestBytes ? TooLarge() : null;

    /// <summary>The refusal of an upload larger than the limit (413), the same whichever count found it.</summary>
    public Problem TooLarge() => Problem.TooLarge(TooLargeMessage);

    private string TooLargeMessage =>
        $"The file is larger than {ByteSizes.Format(limits.MaxFileBytes)}, the largest file this installation accepts.";

    public async Task<Result<ReceivedUpload>> ReceiveAsync(Stream upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".upload");
        var max = limits.MaxFileBytes;
        long size = 0;
        var buffer = new byte[81_920];
        try
        {
            Directory.CreateDirectory(folder);
            await using var file = _createFile(path);
            int read;
            while ((read = await upload.ReadAsync(buffer, cancellationToken)) > 0)
            {
                size += read;
                if (size > max)
                {
                    await file.DisposeAsync();
                    File.Delete(path);
                    return Problem.TooLarge(TooLargeMessage);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (LocalDisk.IsFull(e))
        {
            // The server's problem, not the file's: refused in words, and the administrator finds why in the log.
            LocalDisk.TryDelete(path);
            logger?.LogError(e, "An upload of {Bytes} bytes so far could not be stored in {Folder}: the disk is full", size, folder);
            return Problem.InsufficientStorage(LocalDisk.UploadMessage);
        }
        catch
        {
            // An upload that breaks off (or a client that goes away) leaves no partial file behind.
            new ReceivedUpload(path, size).Dispose();
            throw;
        }

        return new ReceivedUpload(path, size);
    }

    /// <summary>
    /// Deletes the uploads a killed process left behind (received when it was killed, or whose import it had just
    /// committed), once <see cref="LocalDisk.AbandonedAfter"/> old; younger ones may be another instance's, still in
    /// use. Returns how many went.
    /// </summary>
    public int SweepAbandoned() => LocalDisk.SweepAbandoned(folder, "*.upload");

}
