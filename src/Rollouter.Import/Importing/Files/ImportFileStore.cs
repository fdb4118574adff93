using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Files;

/// <summary>
/// Keeps an import's file in the database in chunks, so that any instance sharing the database can process any
/// import, and gives it back as a local file (readers of zip-based workbooks need to seek). <paramref name="createFile"/>
/// opens each cached copy for writing (a test makes the disk full there).
/// </summary>
public sealed class ImportFileStore(RolloutDbContext db, string cacheFolder, Func<string, Stream>? createFile = null,
    ILogger<ImportFileStore>? logger = null)
{
    public const int ChunkSize = 1024 * 1024;

    /// <summary>Stores <paramref name="content"/> as the import's file; returns its size and SHA-256.</summary>
    public async Task<(long Size, string Sha256)> SaveAsync(int importId, Stream content, CancellationToken cancellationToken)
    {
        await db.ImportFileChunks.Where(c => c.ImportId == importId).ExecuteDeleteAsync(cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        long size = 0;
        var index = 0;
        while (true)
        {
            var read = await content.ReadAtLeastAsync(buffer, ChunkSize, throwOnEndOfStream: false, cancellationToken);
            if (read == 0)
            {
                break;
            }

            sha.AppendData(buffer, 0, read);
            size += read;
            var chunk = new ImportFileChunk { ImportId = importId, Index = index++, Data = buffer[..read] };
            db.ImportFileChunks.Add(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(chunk).State = EntityState.Detached;
            if (read < ChunkSize)
            {
                break;
            }
        }

        return (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>
    /// Streams the kept file to <paramref name="destination"/>: one query over the chunks in order, each read as a
    /// stream through one small buffer (no 1 MB array per chunk, which would land on the large object heap and bring
    /// full garbage collections during the import that follows). Returns the bytes written and their SHA-256, so that a
    /// caller can tell the file from what is left of it.
    /// </summary>
    public async Task<(long Size, string Sha256)> CopyToAsync(int importId, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var command = db.ImportFileChunks.AsNoTracking()
            .Where(c => c.ImportId == importId)
            .OrderBy(c => c.Index)
            .Select(c => c.Data)
            .CreateDbCommand();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81_920];
        long size = 0;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                await using var chunk = reader.GetStream(0);
                int read;
                while ((read = await chunk.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>
    /// The kept file as a local file in the cache folder (written once per content hash), e.g. for an instance that
    /// did not receive the upload. Written under a temporary name that is deleted should the copy fail; a disk too full
    /// to hold it is refused (507, <see cref="LocalDisk.ReadMessage"/>). A file the database no longer holds whole (a
    /// database restored without its files), or a copy that cannot be read or written, is refused as gone (410,
    /// <see cref="MissingMessage"/>), logged once per request at Warning with its path; a cached copy of another size
    /// than the file's is not the file, and is fetched again.
    /// </summary>
    public async Task<Result<string>> GetLocalPathAsync(ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (_gone.TryGetValue(import.Id, out var known))
        {
            return known;
        }

        if (import.FileDeletedAt is { } deletedAt)
        {
            // Deleted on purpose (the retention of uploaded files): said as such, not logged, nothing fetched.
            return _gone[import.Id] = Problem.Gone(DeletedMessage(import, deletedAt));
        }

        var path = CachePath(import);
        try
        {
            Directory.CreateDirectory(cacheFolder);
            if (File.Exists(path))
            {
                if (new FileInfo(path).Length == import.FileSize)
                {
                    // Readable, or the copy is fetched again below (a copy whose rights were taken away, say).
                    using (File.OpenHandle(path))
                    {
                        return path;
                    }
                }

                // Not the file (an empty copy made when the database no longer held it, a copy cut short): fetched again.
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !LocalDisk.IsFull(e))
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                return Unreadable(import, path, e.Message);
            }
        }

        var partial = path + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            (long Size, string Sha256) copied;
            await using (var file = createFile is null ? File.Create(partial) : createFile(partial))
            {
                copied = await CopyToAsync(import.Id, file, cancellationToken);
            }

            if (copied.Size != import.FileSize || copied.Sha256 != import.FileSha256)
            {
                LocalDisk.TryDelete(partial);
                logger?.LogWarning("The file of import {ImportId} (file type {Extension}) is no longer on the server: the database holds " +
                    "{Bytes} of its {Size} bytes{Differing}, and no copy of it is at {Path}", import.Id, LoggedFileName.Extension(import.FileName), copied.Size,
                    import.FileSize, copied.Size == import.FileSize ? " (another content)" : "", path);
                return _gone[import.Id] = Problem.Gone(MissingMessage(import));
            }

            File.Move(partial, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (LocalDisk.IsFull(e))
        {
            LocalDisk.TryDelete(partial);
            logger?.LogError(e, "The file of import {ImportId} could not be copied to {Folder}: the disk is full", import.Id, cacheFolder);
            return Problem.InsufficientStorage(LocalDisk.ReadMessage);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LocalDisk.TryDelete(partial);
            return Unreadable(import, path, e.Message);
        }
        catch
        {
            LocalDisk.TryDelete(partial);
            throw;
        }
    }

    /// <summary>
    /// What the import's page, its downloads, the API and a run say of an import whose kept file is no longer on the
    /// server: which file, what is still there, what to do.
    /// </summary>
    public static string MissingMessage(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return $"The original file of import #{import.Id} ({import.FileName}) is no longer on the server. {StillThere}" +
               "To read, check or approve it again, ask your administrator to restore the file from a backup (operations.md, " +
               "\"Backup and restore\"), or upload the file again as a new import.";
    }

    /// <summary>As <see cref="MissingMessage"/>, for a file the server holds but cannot read (the data folder's rights, a disk error).</summary>
    public static string UnreadableMessage(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return $"The original file of import #{import.Id} ({import.FileName}) cannot be read on the server. {StillThere}" +
               "Ask your administrator: the server's log names the file and why (operations.md, \"The data folder\").";
    }

    /// <summary>
    /// As <see cref="MissingMessage"/>, for a file deleted on purpose under the retention of uploaded files
    /// (<see cref="DeleteExpiredFilesAsync"/>, decision 0136): when, why, and that only a new upload imports its rows.
    /// </summary>
    public static string DeletedMessage(ClientImport import, DateTimeOffset deletedAt)
    {
        ArgumentNullException.ThrowIfNull(import);
        var on = deletedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"The original file of import #{import.Id} ({import.FileName}) was deleted on {on}: this server keeps uploaded " +
               $"files only for a while after their import's last run (its retention of uploaded files). {StillThere}" +
               "To import the file's rows, upload the file again as a new import.";
    }

    /// <summary>
    /// The retention of uploaded files (decision 0136): deletes the kept file of each import whose last activity
    /// (<see cref="ClientImport.LastActivityAt"/>: its last run's end, or its upload when it never ran) is before
    /// <paramref name="cutoff"/>, whatever its status but In Progress: its chunks in the database and this instance's cached
    /// copy (other instances' go with their next sweep, <see cref="SweepCacheAsync"/>). The import is marked
    /// <see cref="ClientImport.FileDeletedAt"/> in the same transaction, and its concurrency stamp changes, so that a
    /// step begun on it before refuses and is read again; the failed rows' values and the corrections go in the same
    /// transaction (<see cref="DeleteCellValuesAsync"/>). The import, its mapping, counts, failed rows (row, column,
    /// reason) and the clients it wrote stay. At most <paramref name="batch"/> imports, the oldest first; returns how many files went.
    /// </summary>
    public async Task<int> DeleteExpiredFilesAsync(DateTimeOffset cutoff, DateTimeOffset now, int batch,
        CancellationToken cancellationToken)
    {
        var expired = await db.Imports.AsNoTracking()
            .Where(i => i.FileDeletedAt == null && i.Status != ImportStatus.InProgress && i.LastActivityAt < cutoff)
            .OrderBy(i => i.LastActivityAt).ThenBy(i => i.Id)
            .Select(i => new { i.Id, i.FileName, i.FileSha256 })
            .Take(batch)
            .ToListAsync(cancellationToken);
        var deleted = 0;
        foreach (var import in expired)
        {
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                // Approved (In Progress) or run again meanwhile: kept.
                var marked = await db.Imports
                    .Where(i => i.Id == import.Id && i.FileDeletedAt == null && i.Status != ImportStatus.InProgress &&
                                i.LastActivityAt < cutoff)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.FileDeletedAt, now)
                        .SetProperty(i => i.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
                if (marked == 0)
                {
                    continue;
                }

                await db.ImportFileChunks.Where(c => c.ImportId == import.Id).ExecuteDeleteAsync(cancellationToken);
                await DeleteCellValuesAsync(import.Id, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            Forget(new ClientImport { Id = import.Id, FileName = import.FileName, FileSha256 = import.FileSha256 });
            deleted++;
        }

        return deleted;
    }

    /// <summary>
    /// The cells of the file that the database holds beside it (decision 0136): each failed row's value, cleared, and
    /// quoted in its reason ("No user with email "…" in this rollout."), and the corrections made in the browser and
    /// the value replacements, deleted. One statement each, set-based (an import keeps up to 100,000 failed rows, none
    /// of them read into memory); the rows, columns, headers and reasons stay, as do the counts.
    /// </summary>
    private async Task DeleteCellValuesAsync(int importId, CancellationToken cancellationToken)
    {
        await ClearValuesAsync(db.ImportRowErrors.Where(e => e.ImportId == importId), cancellationToken);
        await db.ImportCellCorrections.Where(c => c.ImportId == importId).ExecuteDeleteAsync(cancellationToken);
        await db.ImportValueReplacements.Where(r => r.ImportId == importId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Clears the value of each of <paramref name="errors"/> and makes its reason's quote of it "…" (decision 0136), in one
    /// set-based statement; also an erased user's failed cells (UserErasure). Returns how many rows had a value.
    /// </summary>
    public static Task<int> ClearValuesAsync(IQueryable<ImportRowError> errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(errors);
        // A reason quotes its cell as ErrorText.Shorten does: the value, cut to 100 characters and "…". The rules read
        // the value trimmed, so the trimmed form is replaced as well; "" and null are quoted as nothing.
        return errors.Where(e => e.Value != null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Message, e => e.Value == "" ? e.Message : e.Message
                    .Replace("\"" + ((e.Value ?? "").Length <= QuotedValueLength ? e.Value ?? ""
                        : (e.Value ?? "").Substring(0, QuotedValueLength) + "…") + "\"", DeletedValue)
                    .Replace("\"" + ((e.Value ?? "").Trim().Length <= QuotedValueLength ? (e.Value ?? "").Trim()
                        : (e.Value ?? "").Trim().Substring(0, QuotedValueLength) + "…") + "\"", DeletedValue))
                .SetProperty(e => e.Value, (string?)null), cancellationToken);
    }

    /// <summary>How long a value quoted in a failed row's reason is before it is cut (<c>ErrorText.Shorten</c>).</summary>
    private const int QuotedValueLength = 100;

    /// <summary>What a failed row's reason quotes instead of its value once the file is deleted.</summary>
    public const string DeletedValue = "\"…\"";

    /// <summary>
    /// What the failed rows say (page, review, API) once the file, and with it the cells' values and the corrections,
    /// was deleted under the retention of uploaded files (<see cref="DeleteExpiredFilesAsync"/>).
    /// </summary>
    public static string ValuesDeletedMessage(DateTimeOffset deletedAt)
    {
        var on = deletedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"The failed cells' values, and the corrections made in the browser, were deleted with the uploaded file on {on} " +
               "(this server's retention of uploaded files): the rows, columns and reasons stay, and a reason shows \"…\" " +
               "where it quoted the value.";
    }

    private const string StillThere =
        "The import's data is still here: its column-field assignment, counts and failed rows, and the clients it wrote. ";

    /// <summary>
    /// The kept file's copy at <paramref name="path"/> cannot be read (or written): logged at Warning with the path and
    /// the reason (no stack trace: the reason is the file system's), once per request, and refused as gone (410).
    /// </summary>
    public Problem Unreadable(ClientImport import, string path, string reason)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (_gone.TryGetValue(import.Id, out var known))
        {
            return known;
        }

        logger?.LogWarning("The file of import {ImportId} (file type {Extension}) cannot be read at {Path}: {Reason}", import.Id,
            LoggedFileName.Extension(import.FileName), path, reason);
        return _gone[import.Id] = Problem.Gone(UnreadableMessage(import));
    }

    /// <summary>The imports of this request (the store is scoped) whose file was found gone: told once, then remembered.</summary>
    private readonly Dictionary<int, Problem> _gone = [];

    /// <summary>
    /// Opens an import's kept file as the import reads it (its parse options, columns, samples, warnings), from the
    /// local cache; the page, the API and the job all open it here.
    /// </summary>
    public async Task<OpenResult> OpenAsync(ClientImport import, ReaderLimits limits, CancellationToken cancellationToken,
        int sampleSize = ImportFileReader.DefaultSampleSize)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (import.FileSha256 is null)
        {
            return new OpenResult(null, new FileProblem(FileProblemKind.Corrupt, "The import has no file."));
        }

        var path = await GetLocalPathAsync(import, cancellationToken);
        return path.Succeeded
            ? ImportFileReader.Open(path.Value, import.FileName, ParseOptions.FromJson(import.ParseOptions), limits, sampleSize)
            : new OpenResult(null, new FileProblem(path.Problem.Kind == ProblemKind.Gone ? FileProblemKind.Missing : FileProblemKind.NoRoom,
                path.Problem.Message));
    }

    /// <summary>
    /// Takes a file this instance already holds (the upload just saved) as the cached copy, so that the import's page
    /// and job do not fetch it back from the database. Moved under a temporary name first, so that a reader never sees
    /// half of it; should that fail, the copy is fetched from the database when first needed.
    /// </summary>
    public void Adopt(ClientImport import, string localFile)
    {
        ArgumentNullException.ThrowIfNull(import);
        var path = CachePath(import);
        var partial = path + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            Directory.CreateDirectory(cacheFolder);
            File.Move(localFile, partial);
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(partial);
        }
    }

    /// <summary>
    /// Removes this instance's cached copy of a discarded import's file (other instances' copies go with their next
    /// sweep). A copy in use stays until the next sweep.
    /// </summary>
    public void Forget(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (import.FileSha256 is null)
        {
            return;
        }

        try
        {
            File.Delete(CachePath(import));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // In use: SweepCacheAsync removes it later.
        }
    }

    private string CachePath(ClientImport import) =>
        Path.Combine(cacheFolder, $"import-{import.Id}-{import.FileSha256}{Path.GetExtension(import.FileName)}");

    /// <summary>
    /// Removes this instance's cached copies of files whose import no longer exists (its inventory was deleted) or whose
    /// file was deleted under the retention of uploaded files (<see cref="DeleteExpiredFilesAsync"/>), and
    /// copies left half-written by a killed process (<see cref="SweepPartials"/>); returns how many went. Each
    /// instance sweeps its own cache: after a deletion, at start-up and every 15 minutes.
    /// </summary>
    public async Task<int> SweepCacheAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(cacheFolder))
        {
            return 0;
        }

        // The files first, then the imports: a copy cached in between (an upload here, or on another instance sharing
        // the folder) belongs to an import the list does not have yet, and must not be taken for a deleted one's.
        var files = Directory.GetFiles(cacheFolder, "import-*");
        // An import whose file was deleted under the retention of uploaded files counts as gone here too.
        var existing = (await db.Imports.AsNoTracking().Where(i => i.FileDeletedAt == null).Select(i => i.Id)
            .ToListAsync(cancellationToken)).ToHashSet();
        var removed = 0;
        foreach (var path in files)
        {
            // "import-{id}-{sha}{extension}", or the same with ".{guid}.part" while it is written.
            var rest = Path.GetFileName(path)["import-".Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(rest.AsSpan(0, dash), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var id) || existing.Contains(id))
            {
                continue;
            }

            try
            {
                File.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use or not ours to delete: the next sweep tries again.
            }
        }

        return removed + SweepPartials();
    }

    /// <summary>
    /// Removes the copies of any import left half-written (<c>.part</c>) once <see cref="LocalDisk.AbandonedAfter"/>
    /// old: a copy that fails is deleted at once, so these are a killed process's. Returns how many went.
    /// </summary>
    public int SweepPartials() => LocalDisk.SweepAbandoned(cacheFolder, "import-*.part");
}
