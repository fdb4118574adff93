using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>Why a request about an import was refused, with the HTTP status the web layer answers.</summary>
public sealed record ImportProblem(int StatusCode, string Message, FileProblemKind? Kind = null)
{
    public static ImportProblem FromFile(FileProblem problem) => new(problem.Kind switch
    {
        FileProblemKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        FileProblemKind.WrongType => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    }, problem.Message, problem.Kind);
}

/// <summary>An import, or the reason the request about it was refused.</summary>
public sealed record ImportResult(ClientImport? Import, ImportProblem? Problem, MappingValidation? Validation = null)
{
    public static ImportResult Refused(int statusCode, string message) => new(null, new ImportProblem(statusCode, message));
}

/// <summary>An upload received into a temporary file, size-limited; deleted when disposed.</summary>
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
/// The wizard's steps over the import engine, for the pages and the API alike: create an import from an upload,
/// change its mapping, approve it (which enqueues the background job). Callers check role and membership first.
/// </summary>
public sealed class ImportService(
    RolloutDbContext db,
    ImportFileStore files,
    ImportFileViews views,
    ReaderLimits limits,
    IOptions<ImportSettings> settings,
    IOptions<RolloutOptions> rolloutOptions,
    IWebHostEnvironment environment,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<ImportService> logger)
{
    private static readonly ImportStatus[] Approvable = [ImportStatus.WaitingForApproval, ImportStatus.Failed];
    private static readonly ImportStatus[] Editable = [ImportStatus.Incomplete, ImportStatus.WaitingForApproval, ImportStatus.Failed];

    private long MaxFileBytes => settings.Value.MaxFileBytes;

    /// <summary>Room for the multipart form around the file in a request's declared length.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    /// <summary>
    /// The 413 message for a request whose declared length already passes the limit (the page and the API refuse it
    /// before reading a byte); null when the upload may be read, and <see cref="ReceiveAsync"/> still counts it.
    /// </summary>
    public string? RefuseDeclaredLength(long? contentLength) =>
        contentLength > MaxFileBytes + FormOverheadBytes ? TooLargeMessage : null;

    private string TooLargeMessage =>
        $"The file is larger than {FormatBytes(MaxFileBytes)}, the largest file this installation accepts.";

    /// <summary>
    /// Streams an upload into a temporary file of the data folder, refusing it (413) as soon as it passes the limit;
    /// never holds the file in memory.
    /// </summary>
    public async Task<(ReceivedUpload? Upload, ImportProblem? Problem)> ReceiveAsync(Stream upload, CancellationToken ct)
    {
        var folder = Path.Combine(rolloutOptions.Value.ResolveDataFolder(environment.ContentRootPath), "uploads");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".upload");
        var max = MaxFileBytes;
        long size = 0;
        var buffer = new byte[81_920];
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            int read;
            while ((read = await upload.ReadAsync(buffer, ct)) > 0)
            {
                size += read;
                if (size > max)
                {
                    await file.DisposeAsync();
                    File.Delete(path);
                    return (null, new ImportProblem(StatusCodes.Status413PayloadTooLarge, TooLargeMessage,
                        FileProblemKind.TooLarge));
                }

                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }

        return (new ReceivedUpload(path, size), null);
    }

    /// <summary>Receives <paramref name="upload"/> and creates the import from it (see the other overload).</summary>
    public async Task<ImportResult> CreateAsync(Rollout rollout, int inventoryId, string fileName, Stream upload, int userId,
        CancellationToken ct)
    {
        var (received, problem) = await ReceiveAsync(upload, ct);
        if (problem is not null)
        {
            return new ImportResult(null, problem);
        }

        using (received)
        {
            return await CreateAsync(rollout, inventoryId, fileName, received!, userId, ct);
        }
    }

    /// <summary>
    /// Opens the received file (a file the reader refuses stores nothing and returns its problem), keeps it with a new
    /// import, counts its rows, and applies the suggested mapping (the inventory's last one first). The import is
    /// Incomplete until Name is mapped, then Waiting for Approval.
    /// </summary>
    public async Task<ImportResult> CreateAsync(Rollout rollout, int inventoryId, string fileName, ReceivedUpload upload,
        int userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(upload);
        var inventory = await db.Inventories.AsNoTracking()
            .Where(i => i.Id == inventoryId && i.RolloutId == rollout.Id)
            .Select(i => new { i.Id, i.LastImportMapping })
            .SingleOrDefaultAsync(ct);
        if (inventory is null)
        {
            return ImportResult.Refused(StatusCodes.Status400BadRequest,
                $"Inventory {inventoryId} is not an inventory of rollout {rollout.Identifier}.");
        }

        fileName = Path.GetFileName(string.IsNullOrWhiteSpace(fileName) ? "upload" : fileName.Trim());
        var (read, problem) = await ReadAndMapAsync(upload.Path, fileName, null, inventory.Id, inventory.LastImportMapping, ct);
        if (read is null)
        {
            return new ImportResult(null, problem);
        }

        var (options, rowCount, mapping, validation) = read;
        var import = new ClientImport
        {
            RolloutId = rollout.Id,
            InventoryId = inventory.Id,
            FileName = fileName,
            ParseOptions = options.ToJson(),
            Mapping = mapping.ToJson(),
            RowCount = rowCount,
            Status = validation.Status,
            CreatedById = userId,
            CreatedAt = clock.GetUtcNow(),
        };

        // The import and its file are stored together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Imports.Add(import);
        await db.SaveChangesAsync(ct);
        await using (var content = File.OpenRead(upload.Path))
        {
            (import.FileSize, import.FileSha256) = await files.SaveAsync(import.Id, content, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        files.Adopt(import, upload.Path);
        logger.LogInformation("Import {ImportId} created from {FileName} ({Rows} rows) into inventory {InventoryId}: {Status}",
            import.Id, fileName, rowCount, inventory.Id, import.Status);
        return new ImportResult(import, null, validation);
    }

    /// <summary>Opens an import's kept file as the import reads it (columns, samples, warnings).</summary>
    public Task<OpenResult> OpenFileAsync(ClientImport import, CancellationToken ct) => files.OpenAsync(import, limits, ct);

    /// <summary>What the mapping step shows of the import's file (<see cref="ImportFileViews"/>: opened once, then kept).</summary>
    public Task<(ImportFileView? View, FileProblem? Problem)> DescribeFileAsync(ClientImport import, CancellationToken ct) =>
        views.GetAsync(import, c => OpenFileAsync(import, c), ct);

    /// <summary>
    /// Replaces the mapping (headers are taken from the file) unless the import is In Progress or Completed (409); the
    /// status follows the validation. Errors of the mapping come back in <see cref="ImportResult.Validation"/>.
    /// </summary>
    public async Task<ImportResult> UpdateMappingAsync(int importId, ImportMapping mapping, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var import = await db.Imports.SingleOrDefaultAsync(i => i.Id == importId, ct);
        if (import is null)
        {
            return ImportResult.Refused(StatusCodes.Status404NotFound, $"Import {importId} does not exist.");
        }

        if (!Editable.Contains(import.Status))
        {
            return ImportResult.Refused(StatusCodes.Status409Conflict,
                $"Import {importId} is {import.Status}: its mapping can no longer be changed.");
        }

        var (spreadsheet, problem) = await DescribeFileAsync(import, ct);
        if (spreadsheet is null)
        {
            return new ImportResult(null, ImportProblem.FromFile(problem!));
        }

        var headers = spreadsheet.Columns.ToDictionary(c => c.Letter, c => c.Header, StringComparer.OrdinalIgnoreCase);
        foreach (var column in mapping.Columns)
        {
            column.Letter = column.Letter?.Trim().ToUpperInvariant() ?? "";
            column.Header = headers.GetValueOrDefault(column.Letter);
            if (string.IsNullOrWhiteSpace(column.Target))
            {
                column.Target = null;
            }
        }

        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, ct);
        var validation = MappingValidation.Validate(mapping, spreadsheet.Columns, definition);
        import.Mapping = mapping.ToJson();
        import.Status = validation.Status;
        import.ConcurrencyStamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ImportResult.Refused(StatusCodes.Status409Conflict,
                $"Import {importId} was changed meanwhile (approved in another tab?): reload it.");
        }

        return new ImportResult(import, null, validation);
    }

    /// <summary>
    /// Reads the kept file again with other parse options (sheet, header row, delimiter, encoding, hidden rows) unless
    /// the import is In Progress or Completed (409). A problem of the file with these options (400, the reader's
    /// message) changes nothing; otherwise the effective options, the row count and a mapping suggested anew (the
    /// current one first, so choices survive by header) are stored and the status follows the validation.
    /// </summary>
    public async Task<ImportResult> UpdateParseOptionsAsync(int importId, ParseOptions options, int userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var import = await db.Imports.SingleOrDefaultAsync(i => i.Id == importId, ct);
        if (import is null)
        {
            return ImportResult.Refused(StatusCodes.Status404NotFound, $"Import {importId} does not exist.");
        }

        if (!Editable.Contains(import.Status))
        {
            return ImportResult.Refused(StatusCodes.Status409Conflict,
                $"Import {importId} is {import.Status}: its file settings can no longer be changed.");
        }

        options = options with
        {
            Sheet = string.IsNullOrWhiteSpace(options.Sheet) ? null : options.Sheet.Trim(),
            Encoding = string.IsNullOrWhiteSpace(options.Encoding) ? null : options.Encoding.Trim(),
        };
        if (options.HeaderRow is < 1)
        {
            return ImportResult.Refused(StatusCodes.Status400BadRequest, "The header row must be a row number of 1 or more.");
        }

        var path = await files.GetLocalPathAsync(import, ct);
        var (read, problem) = await ReadAndMapAsync(path, import.FileName, options, import.InventoryId, import.Mapping, ct);
        if (read is null)
        {
            return new ImportResult(null, problem);
        }

        var (used, rowCount, mapping, validation) = read;
        import.ParseOptions = used.ToJson();
        import.RowCount = rowCount;
        import.Mapping = mapping.ToJson();
        import.Status = validation.Status;
        import.ConcurrencyStamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ImportResult.Refused(StatusCodes.Status409Conflict,
                $"Import {importId} was changed meanwhile (approved in another tab?): reload it.");
        }

        logger.LogInformation("Import {ImportId}: file settings changed by user {UserId} to {Options} ({Rows} rows): {Status}",
            importId, userId, import.ParseOptions, rowCount, import.Status);
        return new ImportResult(import, null, validation);
    }

    /// <summary>
    /// Reads a file as an import would (every row, for the count and the row limit) and maps it automatically, reusing
    /// <paramref name="previousMapping"/> (JSON) where its columns still fit: what a new upload and new file settings
    /// both need. A file the reader refuses gives its problem.
    /// </summary>
    private async Task<(FileReading? Read, ImportProblem? Problem)> ReadAndMapAsync(
        string path, string fileName, ParseOptions? options, int inventoryId, string? previousMapping, CancellationToken ct)
    {
        var opened = ImportFileReader.Open(path, fileName, options, limits);
        if (opened.Problem is not null)
        {
            return (null, ImportProblem.FromFile(opened.Problem));
        }

        using var spreadsheet = opened.File!;
        int rowCount;
        try
        {
            rowCount = spreadsheet.CountRows();
        }
        catch (ImportFileException e)
        {
            return (null, ImportProblem.FromFile(e.Problem));
        }

        var definition = await InventoryDefinition.LoadAsync(db, inventoryId, ct);
        var previous = string.IsNullOrWhiteSpace(previousMapping) ? null : ImportMapping.FromJson(previousMapping);
        var mapping = AutomaticMapping.Suggest(spreadsheet.Columns, definition, previous);
        return (new FileReading(spreadsheet.Options, rowCount, mapping,
            MappingValidation.Validate(mapping, spreadsheet.Columns, definition)), null);
    }

    private sealed record FileReading(ParseOptions Options, int RowCount, ImportMapping Mapping, MappingValidation Validation);

    /// <summary>
    /// Moves the import from Waiting for Approval or Failed to In Progress in one conditional UPDATE, so that of two
    /// approvals (two tabs, a double click) exactly one wins and enqueues the job; the other gets 409.
    /// </summary>
    public async Task<ImportResult> ApproveAsync(int importId, int userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var won = await db.Imports
            .Where(i => i.Id == importId && Approvable.Contains(i.Status))
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImportStatus.InProgress)
                .SetProperty(i => i.ApprovedById, userId)
                .SetProperty(i => i.ApprovedAt, now)
                .SetProperty(i => i.StartedAt, (DateTimeOffset?)null)
                .SetProperty(i => i.FinishedAt, (DateTimeOffset?)null)
                .SetProperty(i => i.Attempt, 0)
                // The job about to start has this long to take over; after that any instance runs the import.
                .SetProperty(i => i.LeaseExpiresAt, now + ImportJob.Lease)
                // A new attempt: what an earlier, failed run found no longer describes it.
                .SetProperty(i => i.FailureMessage, (string?)null)
                .SetProperty(i => i.FailedRowCount, 0)
                .SetProperty(i => i.RowsChecked, 0)
                .SetProperty(i => i.RowsWritten, 0)
                .SetProperty(i => i.ConcurrencyStamp, Guid.NewGuid()), ct);
        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, ct);
        if (import is null)
        {
            return ImportResult.Refused(StatusCodes.Status404NotFound, $"Import {importId} does not exist.");
        }

        if (won == 0)
        {
            return new ImportResult(import, new ImportProblem(StatusCodes.Status409Conflict, import.Status switch
            {
                ImportStatus.InProgress => $"Import {importId} is already In Progress.",
                ImportStatus.Incomplete => $"Import {importId} is Incomplete: map a column to Name first.",
                _ => $"Import {importId} is {import.Status} and cannot be approved.",
            }));
        }

        var jobId = jobs.Enqueue<ImportJob>(job => job.RunAsync(importId, CancellationToken.None));
        logger.LogInformation("Import {ImportId} approved by user {UserId}; job {JobId} enqueued", importId, userId, jobId);
        return new ImportResult(import, null);
    }

    private static string FormatBytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MB"
        : bytes >= 1024 ? $"{bytes / 1024.0:0.#} KB" : $"{bytes} bytes";
}
