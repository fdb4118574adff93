using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Importing;

/// <summary>An import after a step of its life cycle, with the verdict on its mapping when the step made one.</summary>
public sealed record ImportState(ClientImport Import, MappingValidation? Validation = null);

/// <summary>
/// Every step of an import's life, for the pages, the API, the job, the benchmark and the tests alike:
/// <list type="number">
/// <item><see cref="CreateAsync"/>: an upload becomes an import (kept, read, counted, mapped automatically, validated);</item>
/// <item><see cref="UpdateMappingAsync"/> and <see cref="UpdateParseOptionsAsync"/>: the wizard's mapping and file settings;</item>
/// <item><see cref="CheckAsync"/>: the dry run;</item>
/// <item><see cref="ApproveAsync"/>: In Progress, and queued;</item>
/// <item><see cref="RunAsync"/>: the queued run (<see cref="ImportProcessor"/>), which leaves it Completed or Failed.</item>
/// </list>
/// Whether a step is allowed in the import's status, and which status follows, is decided by
/// <see cref="ImportStatusRules"/>; nothing else sets an import's status. A new step is one method here: load the
/// import, ask the rule, change it, <see cref="SaveAsync"/>. Callers check role and membership first.
/// </summary>
public sealed class ImportLifecycle(
    RolloutDbContext db,
    ImportFileStore files,
    ImportFileViews views,
    ReaderLimits limits,
    ImportProcessor processor,
    IImportQueue queue,
    TimeProvider clock,
    ILogger<ImportLifecycle> logger)
{
    /// <summary>
    /// How long an import In Progress counts as alive after its approval, its resume or its run's last heartbeat
    /// (every second, on PostgreSQL and SQL Server). Fifteen missed heartbeats: long enough for a stalled database or a
    /// long pause, short enough that an import whose instance died is run again within about 20 s (the web app looks
    /// every 5 s). A live run keeps its lock even when its lease runs out, so a lease too short costs a look, never a
    /// second run.
    /// </summary>
    public static readonly TimeSpan RunLease = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Opens the received file (a file the reader refuses stores nothing and returns its problem), keeps it with a new
    /// import of <paramref name="userId"/>, counts its rows, and applies the suggested mapping (the inventory's last
    /// one first). The import is Incomplete until Name is mapped, then Waiting for Approval.
    /// </summary>
    public async Task<Result<ImportState>> CreateAsync(int rolloutId, int inventoryId, string? fileName, ReceivedUpload upload,
        int userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var inventory = await db.Inventories.AsNoTracking()
            .Where(i => i.Id == inventoryId && i.RolloutId == rolloutId)
            .Select(i => new { i.Id, i.LastImportMapping })
            .SingleOrDefaultAsync(ct);
        if (inventory is null)
        {
            var rollout = await db.Rollouts.Where(r => r.Id == rolloutId).Select(r => r.Identifier).SingleOrDefaultAsync(ct);
            return Problem.Invalid($"Inventory {inventoryId} is not an inventory of rollout {rollout}.", "inventoryId");
        }

        fileName = Path.GetFileName(string.IsNullOrWhiteSpace(fileName) ? "upload" : fileName.Trim());
        var read = await ReadAndMapAsync(upload.Path, fileName, null, inventory.Id, inventory.LastImportMapping, ct);
        if (read.Failed)
        {
            return read.Problem;
        }

        var (options, rowCount, mapping, validation) = read.Value;
        var import = new ClientImport
        {
            RolloutId = rolloutId,
            InventoryId = inventory.Id,
            FileName = fileName,
            ParseOptions = options.ToJson(),
            Mapping = mapping.ToJson(),
            RowCount = rowCount,
            Status = ImportStatusRules.AfterMapping(validation),
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
        return new ImportState(import, validation);
    }

    /// <summary>Opens an import's kept file as the import reads it (columns, samples, warnings).</summary>
    public Task<OpenResult> OpenFileAsync(ClientImport import, CancellationToken ct) => files.OpenAsync(import, limits, ct);

    /// <summary>What the mapping step shows of the import's file (<see cref="ImportFileViews"/>: opened once, then kept).</summary>
    public Task<Result<ImportFileView>> DescribeFileAsync(ClientImport import, CancellationToken ct) =>
        views.GetAsync(import, c => OpenFileAsync(import, c), ct);

    /// <summary>
    /// Replaces the mapping (headers are taken from the file) where <see cref="ImportStatusRules.CanEditMapping"/>
    /// allows it; the status follows the validation, whose errors come back with the import.
    /// </summary>
    public async Task<Result<ImportState>> UpdateMappingAsync(int importId, ImportMapping mapping, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var found = await FindAsync(importId, ImportStatusRules.RefuseMappingChange, ct);
        if (found.Failed)
        {
            return found.Problem;
        }

        var import = found.Value;
        var file = await DescribeFileAsync(import, ct);
        if (file.Failed)
        {
            return file.Problem;
        }

        var headers = file.Value.Columns.ToDictionary(c => c.Letter, c => c.Header, StringComparer.OrdinalIgnoreCase);
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
        var validation = MappingValidation.Validate(mapping, file.Value.Columns, definition);
        import.Mapping = mapping.ToJson();
        import.Status = ImportStatusRules.AfterMapping(validation);
        return await SaveAsync(import, validation, ct);
    }

    /// <summary>
    /// Reads the kept file again with other parse options (sheet, header row, delimiter, encoding, hidden rows) where
    /// <see cref="ImportStatusRules.CanChangeFileSettings"/> allows it. A problem of the file with these options (the
    /// reader's message) changes nothing; otherwise the effective options, the row count and a mapping suggested anew
    /// (the current one first, so choices survive by header) are stored and the status follows the validation.
    /// </summary>
    public async Task<Result<ImportState>> UpdateParseOptionsAsync(int importId, ParseOptions options, int userId,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var found = await FindAsync(importId, ImportStatusRules.RefuseFileSettingsChange, ct);
        if (found.Failed)
        {
            return found.Problem;
        }

        options = options with
        {
            Sheet = string.IsNullOrWhiteSpace(options.Sheet) ? null : options.Sheet.Trim(),
            Encoding = string.IsNullOrWhiteSpace(options.Encoding) ? null : options.Encoding.Trim(),
        };
        if (options.HeaderRow is < 1)
        {
            return Problem.Invalid("The header row must be a row number of 1 or more.", "headerRow");
        }

        var import = found.Value;
        var path = await files.GetLocalPathAsync(import, ct);
        var read = await ReadAndMapAsync(path, import.FileName, options, import.InventoryId, import.Mapping, ct);
        if (read.Failed)
        {
            return read.Problem;
        }

        var (used, rowCount, mapping, validation) = read.Value;
        import.ParseOptions = used.ToJson();
        import.RowCount = rowCount;
        import.Mapping = mapping.ToJson();
        import.Status = ImportStatusRules.AfterMapping(validation);
        var saved = await SaveAsync(import, validation, ct);
        if (saved.Succeeded)
        {
            logger.LogInformation("Import {ImportId}: file settings changed by user {UserId} to {Options} ({Rows} rows): {Status}",
                importId, userId, import.ParseOptions, rowCount, import.Status);
        }

        return saved;
    }

    /// <summary>The dry run where <see cref="ImportStatusRules.CanCheck"/> allows it: every row checked, nothing written.</summary>
    public async Task<Result<CheckResult>> CheckAsync(int importId, CancellationToken ct)
    {
        var found = await FindAsync(importId, ImportStatusRules.RefuseCheck, ct);
        return found.Failed ? found.Problem : await processor.CheckAsync(importId, null, ct);
    }

    /// <summary>
    /// Moves the import from a status <see cref="ImportStatusRules.CanApprove"/> allows to In Progress in one
    /// conditional UPDATE, so that of two approvals (two tabs, a double click) exactly one wins and queues the run; the
    /// other is refused.
    /// </summary>
    public async Task<Result<ClientImport>> ApproveAsync(int importId, int userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var approvable = ImportStatusRules.Approvable.ToArray();
        var won = await db.Imports
            .Where(i => i.Id == importId && approvable.Contains(i.Status))
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImportStatusRules.AfterApproval)
                .SetProperty(i => i.ApprovedById, userId)
                .SetProperty(i => i.ApprovedAt, now)
                .SetProperty(i => i.StartedAt, (DateTimeOffset?)null)
                .SetProperty(i => i.FinishedAt, (DateTimeOffset?)null)
                .SetProperty(i => i.Attempt, 0)
                // The run about to start has this long to take over; after that any instance runs the import.
                .SetProperty(i => i.LeaseExpiresAt, now + RunLease)
                // A new attempt: what an earlier, failed run found no longer describes it.
                .SetProperty(i => i.FailureMessage, (string?)null)
                .SetProperty(i => i.FailedRowCount, 0)
                .SetProperty(i => i.RowsChecked, 0)
                .SetProperty(i => i.RowsWritten, 0)
                .SetProperty(i => i.ConcurrencyStamp, Guid.NewGuid()), ct);
        // The UPDATE went past the change tracker: a copy tracked by an earlier step of this unit of work is stale now.
        foreach (var stale in db.ChangeTracker.Entries<ClientImport>().Where(e => e.Entity.Id == importId).ToList())
        {
            stale.State = EntityState.Detached;
        }

        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, ct);
        if (import is null)
        {
            return NotFound(importId);
        }

        if (won == 0)
        {
            return ImportStatusRules.RefuseApproval(import) ?? Problem.Conflict($"Import {importId} was changed meanwhile: reload it.");
        }

        var jobId = queue.Enqueue(importId);
        logger.LogInformation("Import {ImportId} approved by user {UserId}; job {JobId} queued", importId, userId, jobId);
        return import;
    }

    /// <summary>
    /// Runs an approved import (what the queued job calls): Completed with every row written, or Failed with nothing
    /// written. An import that is not In Progress is left as it is.
    /// </summary>
    public Task<ClientImport> RunAsync(int importId, IProgress<ImportProgress>? progress, CancellationToken ct) =>
        processor.RunAsync(importId, progress, ct);

    /// <summary>The import to change, tracked, unless it does not exist or <paramref name="refuse"/> finds a reason.</summary>
    private async Task<Result<ClientImport>> FindAsync(int importId, Func<ClientImport, Problem?> refuse, CancellationToken ct)
    {
        var import = await db.Imports.SingleOrDefaultAsync(i => i.Id == importId, ct);
        if (import is null)
        {
            return NotFound(importId);
        }

        return refuse(import) is { } problem ? problem : import;
    }

    /// <summary>Saves a changed import, unless another request changed it since it was read (an approval in another tab).</summary>
    private async Task<Result<ImportState>> SaveAsync(ClientImport import, MappingValidation? validation, CancellationToken ct)
    {
        import.ConcurrencyStamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem.Conflict($"Import {import.Id} was changed meanwhile (approved in another tab?): reload it.");
        }

        return new ImportState(import, validation);
    }

    private static Problem NotFound(int importId) => Problem.NotFound($"Import {importId} does not exist.");

    /// <summary>
    /// Reads a file as an import would (every row, for the count and the row limit) and maps it automatically, reusing
    /// <paramref name="previousMapping"/> (JSON) where its columns still fit: what a new upload and new file settings
    /// both need. A file the reader refuses gives its problem.
    /// </summary>
    private async Task<Result<FileReading>> ReadAndMapAsync(
        string path, string fileName, ParseOptions? options, int inventoryId, string? previousMapping, CancellationToken ct)
    {
        var opened = ImportFileReader.Open(path, fileName, options, limits);
        if (!opened.Succeeded)
        {
            return Refuse(opened.Problem, fileName);
        }

        using var spreadsheet = opened.File;
        int rowCount;
        try
        {
            rowCount = spreadsheet.CountRows();
        }
        catch (ImportFileException e)
        {
            return Refuse(e.Problem, fileName);
        }

        var definition = await InventoryDefinition.LoadAsync(db, inventoryId, ct);
        var previous = string.IsNullOrWhiteSpace(previousMapping) ? null : ImportMapping.FromJson(previousMapping);
        var mapping = AutomaticMapping.Suggest(spreadsheet.Columns, definition, previous);
        return new FileReading(spreadsheet.Options, rowCount, mapping,
            MappingValidation.Validate(mapping, spreadsheet.Columns, definition));
    }

    private sealed record FileReading(ParseOptions Options, int RowCount, ImportMapping Mapping, MappingValidation Validation);

    /// <summary>
    /// The refusal of a file. One refused as damaged is logged with what the reader threw (in the web app Serilog adds
    /// the request's RequestId), so that a file Excel opens but the reader cannot is visible to an operator as a reader bug.
    /// </summary>
    private Problem Refuse(FileProblem problem, string fileName)
    {
        if (problem.Kind == FileProblemKind.Corrupt)
        {
            logger.LogWarning(problem.Cause, "File {FileName} refused as damaged: {Message}", fileName, problem.Message);
        }

        return Problem.FromFile(problem);
    }
}
