using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Importing.Reverting;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Importing;

/// <summary>
/// An import after a step of its life cycle, with the verdict on its mapping when the step made one, and the number of
/// corrections the step removed (new file settings: they named cells of the file as read before).
/// </summary>
public sealed record ImportState(ClientImport Import, MappingValidation? Validation = null, int CorrectionsRemoved = 0);

/// <summary>
/// An uploaded file that is a failed rows report (decision 0101): the import it is of (null when it names none the
/// uploader's import can be matched to), the report's rows and that import's, that import's status, whether its values
/// can be applied to it, and the sentence the pages and the API show.
/// </summary>
public sealed record ReportOrigin(int? ImportId, int Rows, int? RowsInImport, ImportStatus? Status, bool CanApply, string Message);

/// <summary>
/// A report applied to its import: the values that became corrections, the report's rows without a row number (not
/// applied), its rows whose number is no data row of the import, and its columns not applied (not imported by it).
/// </summary>
public sealed record ReportApplied(int ImportId, int Applied, int RowsWithoutNumber, int RowsNotInImport,
    IReadOnlyList<string> ColumnsNotApplied)
{
    /// <summary>"3 values from the report applied as corrections: check or approve again." and what was not applied.</summary>
    public string Message
    {
        get
        {
            var text = Applied == 0
                ? "No value of the report differs from the import's: nothing was corrected."
                : $"{ImportLifecycle.Count(Applied, "value", "values")} from the report applied as " +
                  $"{(Applied == 1 ? "a correction" : "corrections")}: check or approve again.";
            if (RowsWithoutNumber > 0)
            {
                text += $" {ImportLifecycle.Count(RowsWithoutNumber, "row", "rows")} without a row number " +
                        $"{(RowsWithoutNumber == 1 ? "was not applied: add it" : "were not applied: add them")} to a new import.";
            }

            if (RowsNotInImport > 0)
            {
                text += $" {ImportLifecycle.Count(RowsNotInImport, "row names", "rows name")} no data row of the import and " +
                        $"{(RowsNotInImport == 1 ? "was" : "were")} not applied.";
            }

            if (ColumnsNotApplied.Count > 0)
            {
                text += $" Not applied, as the import does not import {(ColumnsNotApplied.Count == 1 ? "it" : "them")}: {string.Join(", ", ColumnsNotApplied)}.";
            }

            return text;
        }
    }
}

/// <summary>
/// Every step of an import's life, for the pages, the API, the job, the benchmark and the tests alike:
/// <list type="number">
/// <item><see cref="CreateAsync"/>: an upload becomes an import (kept, read, counted, mapped automatically, validated);</item>
/// <item><see cref="UpdateMappingAsync"/> and <see cref="UpdateParseOptionsAsync"/>: the wizard's mapping and file settings;</item>
/// <item><see cref="CorrectAsync"/>: cells corrected and values replaced in the browser, stored on the import;</item>
/// <item><see cref="CheckAsync"/>: the dry run;</item>
/// <item><see cref="ApproveAsync"/>: In Progress, and queued;</item>
/// <item><see cref="RunAsync"/>: the queued run (<see cref="ImportProcessor"/>), which leaves it Completed or Failed;</item>
/// <item><see cref="RequestRevertAsync"/> and <see cref="RunRevertAsync"/>: a Completed import taken back, Reverted.</item>
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
    ILogger<ImportLifecycle> logger,
    AuditLog? audit = null,
    DryRunLimiter? dryRuns = null)
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
    public Task<Result<ImportState>> CreateAsync(int rolloutId, int inventoryId, string? fileName, ReceivedUpload upload,
        int userId, CancellationToken cancellationToken) =>
        CreateAsync(rolloutId, inventoryId, fileName, upload, userId, null, cancellationToken);

    /// <summary>How long an upload's idempotency key answers a retry with the import it made.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// An upload sent with an idempotency key (the API's <c>Idempotency-Key</c>): the import that <paramref name="userId"/>
    /// made with that key in the rollout within <see cref="IdempotencyWindow"/>, when it was made of the same file (its
    /// SHA-256), under the same name, into the same inventory (<c>Created</c> false: nothing new is stored); a new import
    /// that keeps the key when there is none (<c>Created</c> true). The same key with another file, name or inventory is
    /// refused (409, field <c>Idempotency-Key</c>). Uploads with one key wait for each other, on every instance
    /// (<see cref="DatabaseLock.UploadKey"/>), so a retry sent while the first upload is still being stored is answered
    /// with its import once it is made.
    /// </summary>
    public Task<Result<(ImportState State, bool Created)>> CreateOnceAsync(int rolloutId, int inventoryId, string? fileName,
        ReceivedUpload upload, int userId, string idempotencyKey, CancellationToken cancellationToken) =>
        CreateOnceAsync(rolloutId, inventoryId, fileName, upload, userId, idempotencyKey, anotherUploadIsNew: false, cancellationToken);

    /// <summary>
    /// As <see cref="CreateOnceAsync(int, int, string?, ReceivedUpload, int, string, CancellationToken)"/>; with
    /// <paramref name="anotherUploadIsNew"/> (the upload page's key, decision 0147) another file, name or inventory under
    /// the key is a new import that keeps the key (the form sent again after Back with another file chosen), not a refusal:
    /// the latest import of the key answers its own form sent twice.
    /// </summary>
    public async Task<Result<(ImportState State, bool Created)>> CreateOnceAsync(int rolloutId, int inventoryId, string? fileName,
        ReceivedUpload upload, int userId, string idempotencyKey, bool anotherUploadIsNew, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        await using var uploadLock = await DatabaseLock.AcquireAsync(db, DatabaseLock.UploadKey(rolloutId, userId, idempotencyKey),
            cancellationToken);
        var since = clock.GetUtcNow() - IdempotencyWindow;
        var first = await db.Imports.AsNoTracking()
            .Where(i => i.RolloutId == rolloutId && i.CreatedById == userId && i.IdempotencyKey == idempotencyKey && i.CreatedAt >= since)
            .OrderByDescending(i => i.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (first is null || (anotherUploadIsNew && !await IsSameUploadAsync(first, inventoryId, fileName, upload, cancellationToken)))
        {
            var created = await CreateAsync(rolloutId, inventoryId, fileName, upload, userId, idempotencyKey, cancellationToken);
            if (created.Failed)
            {
                return created.Problem;
            }

            // As stored (its times as the database keeps them), so that a retry's answer, made of the stored import, is the same.
            var stored = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == created.Value.Import.Id, cancellationToken);
            return (created.Value with { Import = stored }, true);
        }

        string sha256;
        await using (var content = File.OpenRead(upload.Path))
        {
            sha256 = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(content, cancellationToken));
        }

        var name = KeptFileName(fileName);
        var other = first.InventoryId != inventoryId ? $"into inventory {inventoryId}, not {first.InventoryId}"
            : first.FileSha256 != sha256 ? "of another file (its SHA-256 differs)"
            : first.FileName != name ? $"of a file named \"{name}\", not \"{first.FileName}\""
            : null;
        if (other is not null)
        {
            return Problem.Conflict(string.Create(CultureInfo.InvariantCulture,
                $"The Idempotency-Key was used for import {first.Id} ({first.FileName}, uploaded {first.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC), " +
                $"and this upload is {other}. Nothing was stored: send a new key with a new upload, or this key with that upload to " +
                $"get import {first.Id} again."), "Idempotency-Key");
        }

        logger.LogInformation("Upload by user {UserId} with the idempotency key of import {ImportId} (file type {Extension}) answered with that import",
            userId, first.Id, LoggedFileName.Extension(first.FileName));
        return (new ImportState(first), false);
    }

    /// <summary>Whether <paramref name="upload"/> is the one <paramref name="first"/> was made of: its inventory, file (SHA-256) and name.</summary>
    private static async Task<bool> IsSameUploadAsync(ClientImport first, int inventoryId, string? fileName, ReceivedUpload upload,
        CancellationToken cancellationToken)
    {
        if (first.InventoryId != inventoryId || first.FileName != KeptFileName(fileName))
        {
            return false;
        }

        await using var content = File.OpenRead(upload.Path);
        var sha256 = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(content, cancellationToken));
        return first.FileSha256 == sha256;
    }

    private async Task<Result<ImportState>> CreateAsync(int rolloutId, int inventoryId, string? fileName, ReceivedUpload upload,
        int userId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var inventory = await db.Inventories.AsNoTracking()
            .Where(i => i.Id == inventoryId && i.RolloutId == rolloutId)
            .Select(i => new { i.Id, i.LastImportMapping })
            .SingleOrDefaultAsync(cancellationToken);
        if (inventory is null)
        {
            var rollout = await db.Rollouts.Where(r => r.Id == rolloutId).Select(r => r.Identifier).SingleOrDefaultAsync(cancellationToken);
            return Problem.Invalid($"Inventory {inventoryId} is not an inventory of rollout {rollout}.", "inventoryId");
        }

        fileName = KeptFileName(fileName);

        // The mapping last used for the inventory: its latest approved import's, whatever its run found (a run that failed
        // stores none), then the one its last completed run remembered. Read from the imports, never by writing the
        // inventory's row, which a running import holds (decisions 0102, 0112).
        var approved = await LatestApprovedMappingAsync(inventory.Id, cancellationToken);
        var read = await ReadAndMapAsync(upload.Path, fileName, null, inventory.Id, approved ?? inventory.LastImportMapping,
            cancellationToken, approved is null ? null : inventory.LastImportMapping);
        if (read.Failed)
        {
            return read.Problem;
        }

        var (options, rowCount, mapping, validation, _) = read.Value;
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
            IdempotencyKey = idempotencyKey,
        };

        // The import and its file are stored together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Imports.Add(import);
        await db.SaveChangesAsync(cancellationToken);
        await using (var content = File.OpenRead(upload.Path))
        {
            (import.FileSize, import.FileSha256) = await files.SaveAsync(import.Id, content, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        files.Adopt(import, upload.Path);
        logger.LogInformation("Import {ImportId} created from an uploaded {Extension} file ({Rows} rows) into inventory {InventoryId}: {Status}",
            import.Id, LoggedFileName.Extension(fileName), rowCount, inventory.Id, import.Status);
        // The name may name a person (decision 0153): at Debug only, off in the shipped configuration.
        logger.LogDebug("Import {ImportId} is the file {FileName}", import.Id, fileName);
        return new ImportState(import, validation);
    }

    /// <summary>
    /// The mapping of the inventory's import approved last (by its approval, then the newest), whatever its status now;
    /// null when none was ever approved. Only what <see cref="ImportMapping.ToRemembered"/> keeps: never "Update existing
    /// clients" or "Create option if not exists" (decision 0026). A plain read: it waits for no running import.
    /// </summary>
    private async Task<string?> LatestApprovedMappingAsync(int inventoryId, CancellationToken cancellationToken)
    {
        var mapping = await db.Imports.AsNoTracking()
            .Where(i => i.InventoryId == inventoryId && i.FirstApprovedAt != null && i.Mapping != null)
            .OrderByDescending(i => i.ApprovedAt ?? i.FirstApprovedAt).ThenByDescending(i => i.Id)
            .Select(i => i.Mapping)
            .FirstOrDefaultAsync(cancellationToken);
        return string.IsNullOrWhiteSpace(mapping) ? null : ImportMapping.FromJson(mapping).ToRemembered().ToJson();
    }

    /// <summary>The name an uploaded file is kept under: without folders, fitted to the column, "upload" when it has none.</summary>
    public static string KeptFileName(string? fileName)
    {
        var kept = ClientImport.FitFileName(ClientImport.WithoutFolders(string.IsNullOrWhiteSpace(fileName) ? "upload" : fileName.Trim()));
        return kept.Length == 0 ? "upload" : kept;
    }

    /// <summary>Opens an import's kept file as the import reads it (columns, samples, warnings).</summary>
    public Task<OpenResult> OpenFileAsync(ClientImport import, CancellationToken cancellationToken) => files.OpenAsync(import, limits, cancellationToken);

    /// <summary>
    /// What the mapping step shows of the import's file, with its first <see cref="ImportFileView.PreviewRows"/> rows
    /// (<see cref="ImportFileViews"/>: opened once, then kept).
    /// </summary>
    public Task<Result<ImportFileView>> DescribeFileAsync(ClientImport import, CancellationToken cancellationToken) =>
        views.GetAsync(import, c => files.OpenAsync(import, limits, c, ImportFileView.PreviewRows), cancellationToken);

    /// <summary>
    /// Replaces the mapping (headers are taken from the file) where <see cref="ImportStatusRules.CanEditMapping"/>
    /// allows it; the status follows the validation, whose errors come back with the import, except that the mapping the
    /// import already has (compared by meaning, <see cref="ImportMapping.Same"/>) leaves a Failed import Failed.
    /// </summary>
    public Task<Result<ImportState>> UpdateMappingAsync(int importId, ImportMapping mapping, CancellationToken cancellationToken) =>
        UpdateMappingAsync(importId, mapping, null, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateMappingAsync(int, ImportMapping, CancellationToken)"/>, refused (nothing saved) when the import's
    /// file reading or saved mapping is no longer the one <paramref name="seen"/> names.
    /// </summary>
    public async Task<Result<ImportState>> UpdateMappingAsync(int importId, ImportMapping mapping, ImportStamps? seen,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var found = await FindAsync(importId, i => ImportStatusRules.RefuseMappingChange(i) ?? seen?.Refuse(i), cancellationToken);
        if (found.Failed)
        {
            return found.Problem;
        }

        var import = found.Value;
        var file = await DescribeFileAsync(import, cancellationToken);
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

        // One entry per column of the file at most: the mapping is stored with the import and shown on every poll of it.
        if (mapping.Columns.Count > file.Value.Columns.Count)
        {
            return Problem.Invalid(string.Create(CultureInfo.InvariantCulture, $"The mapping has {mapping.Columns.Count:N0} entries and the file {file.Value.Columns.Count:N0} ") +
                "columns: give at most one entry per column of the file.", "columns");
        }

        if (mapping.Columns.GroupBy(c => c.Letter, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return Problem.Invalid($"Column {(twice.Key.Length == 0 ? "(no letter)" : twice.Key)} appears more than once in the mapping: " +
                "give one entry per column.", "columns");
        }

        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, cancellationToken);
        // A target named in another case is that field, kept in its own spelling (as headers are matched, AutomaticMapping).
        foreach (var column in mapping.Columns)
        {
            if (column.Target is { } target)
            {
                column.Target = definition.Spelled(target);
            }
        }

        var validation = MappingValidation.Validate(mapping, file.Value.Columns, definition);
        var changed = !ImportMapping.Same(mapping, ImportMapping.FromJson(import.Mapping), definition);
        import.Mapping = mapping.ToJson();
        var before = import.Status;
        import.Status = ImportStatusRules.AfterMapping(validation, import.Status, changed);
        var asked = (import.Mapping, import.Status);
        var saved = await SaveMovedOnAsync(import, before, validation, cancellationToken);
        return saved.Failed && saved.Problem == ChangedMeanwhile(importId)
            ? await SettleAsync(importId, ImportStatusRules.RefuseMappingChange, seen,
                i => Task.FromResult((i.Mapping, i.Status) == asked), validation, cancellationToken)
            : saved;
    }

    /// <summary>
    /// Reads the kept file again with other parse options (sheet, header row, delimiter, encoding, hidden rows) where
    /// <see cref="ImportStatusRules.CanChangeFileSettings"/> allows it. A problem of the file with these options (the
    /// reader's message) changes nothing; otherwise the effective options, the row count and a mapping suggested anew
    /// (the current one first, so choices survive by header) are stored and the status follows the validation. Options
    /// that read the file as it is read already change nothing: the mapping, the corrections and a Failed status stay.
    /// </summary>
    public Task<Result<ImportState>> UpdateParseOptionsAsync(int importId, ParseOptions options, int userId,
        CancellationToken cancellationToken) =>
        UpdateParseOptionsAsync(importId, options, userId, null, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateParseOptionsAsync(int, ParseOptions, int, CancellationToken)"/>, refused (nothing changed) when
    /// the import's file reading is no longer the one <paramref name="seen"/> names.
    /// </summary>
    public async Task<Result<ImportState>> UpdateParseOptionsAsync(int importId, ParseOptions options, int userId,
        ImportStamps? seen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var found = await FindAsync(importId, i => ImportStatusRules.RefuseFileSettingsChange(i) ?? seen?.Refuse(i), cancellationToken);
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
        var path = await files.GetLocalPathAsync(import, cancellationToken);
        if (path.Failed)
        {
            return path.Problem;
        }

        var read = await ReadAndMapAsync(path.Value, import.FileName, options, import.InventoryId, import.Mapping, cancellationToken);
        if (read.Failed)
        {
            return read.Problem;
        }

        var (used, rowCount, mapping, validation, validationOf) = read.Value;
        var current = ImportMapping.FromJson(import.Mapping);
        var changed = used.ToJson() != import.ParseOptions;
        if (changed)
        {
            KeepImportSettings(current, mapping);
        }
        else
        {
            // The file reads as before: its columns are the same, so the import keeps its mapping, its corrections and,
            // when Failed, its status.
            mapping = current;
            validation = validationOf(current);
        }

        var removed = changed ? await RemoveCorrectionsAsync(import.Id, cancellationToken) : 0;
        var previous = ParseOptions.FromJson(import.ParseOptions);
        import.ParseOptions = used.ToJson();
        import.RowCount = rowCount;
        import.Mapping = mapping.ToJson();
        var before = import.Status;
        import.Status = ImportStatusRules.AfterMapping(validation, import.Status, changed);
        var asked = (import.ParseOptions, import.RowCount, import.Mapping, import.Status);
        var saved = await SaveMovedOnAsync(import, before, validation, cancellationToken);
        if (saved.Failed && saved.Problem == ChangedMeanwhile(importId))
        {
            return await SettleAsync(importId, ImportStatusRules.RefuseFileSettingsChange, seen,
                i => Task.FromResult((i.ParseOptions, i.RowCount, i.Mapping, i.Status) == asked), validation, cancellationToken);
        }

        if (saved.Succeeded)
        {
            logger.LogInformation(
                "Import {ImportId}: file settings changed by user {UserId} to {Options} ({Rows} rows, {Removed} corrections removed): {Status}",
                importId, userId, import.ParseOptions, rowCount, removed, import.Status);
            if (changed)
            {
                audit?.FileSettingsSaved(userId, saved.Value.Import, FileSettingsChanges(previous, used));
            }

            return saved.Value with { CorrectionsRemoved = removed };
        }

        return saved;
    }

    /// <summary>
    /// What new file settings changed, for the audit log: "header row 1 → 3; delimiter ";" → ","" (a detected value that
    /// was not stored yet is "(none)"); when only the columns read differ, says so.
    /// </summary>
    private static string FileSettingsChanges(ParseOptions before, ParseOptions after)
    {
        static string? Delimiter(char? delimiter) =>
            delimiter switch { null => null, '\t' => "tab", { } d => d.ToString(CultureInfo.InvariantCulture) };
        var changes = new AuditChanges().Text("sheet", before.Sheet, after.Sheet).Number("header row", before.HeaderRow, after.HeaderRow)
            .Text("delimiter", Delimiter(before.Delimiter), Delimiter(after.Delimiter)).Text("encoding", before.Encoding, after.Encoding)
            .Flag("hidden rows included", before.IncludeHiddenRows, after.IncludeHiddenRows);
        return changes.Any ? changes.ToString() : "the file's columns read anew";
    }

    /// <summary>
    /// Adds, changes and removes corrections where <see cref="ImportStatusRules.CanCorrect"/> allows it: a cell's value
    /// (row as the spreadsheet numbers it, column letter; null removes it, the file's own value too) and replacements
    /// of a value in a column (a null <c>To</c> removes one). The file is never changed; Check and the run read it with
    /// the corrections applied. A column the file does not have, or a row that is not one of its data rows, refuses the
    /// whole request (400). Each new cell keeps the file's value as its original, read from the file as far as the last
    /// row named. The status stays as it is.
    /// </summary>
    public Task<Result<ImportState>> CorrectAsync(int importId, CorrectionChanges changes, int userId, CancellationToken cancellationToken) =>
        CorrectAsync(importId, changes, userId, null, cancellationToken);

    /// <summary>
    /// As <see cref="CorrectAsync(int, CorrectionChanges, int, CancellationToken)"/>, refused (nothing stored) when the
    /// import's file reading is no longer the one <paramref name="seen"/> names: its rows and column letters are another's.
    /// </summary>
    public async Task<Result<ImportState>> CorrectAsync(int importId, CorrectionChanges changes, int userId, ImportStamps? seen,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var found = await FindAsync(importId, i => ImportStatusRules.RefuseCorrection(i) ?? seen?.Refuse(i), cancellationToken);
        if (found.Failed)
        {
            return found.Problem;
        }

        var import = found.Value;
        var view = await DescribeFileAsync(import, cancellationToken);
        if (view.Failed)
        {
            return view.Problem;
        }

        var columns = view.Value.Columns;
        var headerRow = view.Value.Options.HeaderRow ?? 1;
        var problems = new List<Problem>();
        var cells = new List<(int Row, string Letter, int Index, string? Value)>();
        for (var i = 0; i < changes.Cells.Count; i++)
        {
            var cell = changes.Cells[i];
            var target = ColumnOf(columns, cell.Column, $"cells[{i}].column");
            if (target.Failed)
            {
                problems.Add(target.Problem);
            }
            else if (cell.Row <= headerRow)
            {
                problems.Add(Problem.Invalid(
                    $"Row {cell.Row} is not a data row of the file: the header is row {headerRow}, the data starts below it.",
                    $"cells[{i}].row"));
            }
            else if (cell.Value?.Length > limits.MaxCellLength)
            {
                problems.Add(Problem.Invalid(string.Create(CultureInfo.InvariantCulture, $"The value for row {cell.Row} is longer than {limits.MaxCellLength:N0} characters."),
                    $"cells[{i}].value"));
            }
            else
            {
                // Kept as typed, but a character that is not valid text as U+FFFD, as Check reads it (decision 0044).
                cells.Add((cell.Row, target.Value.Letter, target.Value.Index, cell.Value is null ? null : PlainText.WithValidCharacters(cell.Value)));
            }
        }

        var replacements = new List<(string Letter, string From, string? To)>();
        for (var i = 0; i < changes.Replacements.Count; i++)
        {
            var replacement = changes.Replacements[i];
            var target = ColumnOf(columns, replacement.Column, $"replacements[{i}].column");
            if (target.Failed)
            {
                problems.Add(target.Problem);
            }
            else if (replacement.From is null)
            {
                problems.Add(Problem.Invalid("Say which value to replace (\"from\"; \"\" for empty cells).", $"replacements[{i}].from"));
            }
            else if (CellCorrections.Key(replacement.From).Length > CorrectionChanges.MaxReplacementLength
                     || (replacement.To is { } longTo && CellCorrections.ReplacementValue(longTo).Length > CorrectionChanges.MaxReplacementLength))
            {
                problems.Add(Problem.Invalid(
                    $"A replacement's values are at most {CorrectionChanges.MaxReplacementLength} characters long.", $"replacements[{i}]"));
            }
            else
            {
                replacements.Add((target.Value.Letter, CellCorrections.Key(replacement.From),
                    replacement.To is null ? null : CellCorrections.ReplacementValue(replacement.To)));
            }
        }

        if (problems.Count > 0)
        {
            return Problem.Combine(problems);
        }

        var originals = new Dictionary<int, Dictionary<int, string?>>();
        var wanted = cells.Where(c => c.Value is not null).GroupBy(c => c.Row)
            .ToDictionary(g => g.Key, g => g.Select(c => c.Index).ToHashSet());
        if (wanted.Count > 0)
        {
            var opened = await OpenFileAsync(import, cancellationToken);
            if (!opened.Succeeded)
            {
                return Problem.FromFile(opened.Problem);
            }

            using var file = opened.File;
            try
            {
                originals = CellCorrections.ReadCells(file, wanted, cancellationToken);
            }
            catch (ImportFileException e)
            {
                return Problem.FromFile(e.Problem);
            }

            var missing = wanted.Keys.Where(r => !originals.ContainsKey(r)).Order().ToList();
            if (missing.Count > 0)
            {
                return Problem.Invalid(
                    $"{(missing.Count == 1 ? "Row" : "Rows")} {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : "")} " +
                    $"{(missing.Count == 1 ? "is not a data row" : "are not data rows")} of the file (empty, hidden and not imported, or below its last row).",
                    "cells");
            }
        }

        var now = clock.GetUtcNow();
        var storedCells = (await db.ImportCellCorrections.Where(c => c.ImportId == importId).ToListAsync(cancellationToken))
            .ToDictionary(c => (c.Row, c.Column));
        foreach (var (row, letter, index, value) in cells)
        {
            storedCells.TryGetValue((row, letter), out var stored);
            var original = value is null ? null : originals[row][index];
            if (value is null || value == (original ?? ""))
            {
                if (stored is not null)
                {
                    db.ImportCellCorrections.Remove(stored);
                    storedCells.Remove((row, letter));
                }

                continue;
            }

            if (stored is null)
            {
                stored = new ImportCellCorrection { ImportId = importId, Row = row, Column = letter, Value = value };
                db.ImportCellCorrections.Add(stored);
                storedCells[(row, letter)] = stored;
            }

            (stored.Value, stored.Original, stored.ById, stored.At) = (value, original, userId, now);
        }

        var storedReplacements = (await db.ImportValueReplacements.Where(r => r.ImportId == importId).ToListAsync(cancellationToken))
            .ToDictionary(r => (r.Column, r.From));
        foreach (var (letter, from, to) in replacements)
        {
            storedReplacements.TryGetValue((letter, from), out var stored);
            if (to is null || to == from)
            {
                if (stored is not null)
                {
                    db.ImportValueReplacements.Remove(stored);
                    storedReplacements.Remove((letter, from));
                }

                continue;
            }

            if (stored is null)
            {
                stored = new ImportValueReplacement { ImportId = importId, Column = letter, From = from, To = to };
                db.ImportValueReplacements.Add(stored);
                storedReplacements[(letter, from)] = stored;
            }

            (stored.To, stored.ById, stored.At) = (to, userId, now);
        }

        if (storedCells.Count > CorrectionChanges.MaxCells || storedReplacements.Count > CorrectionChanges.MaxReplacements)
        {
            return Problem.Invalid(string.Create(CultureInfo.InvariantCulture, $"An import holds at most {CorrectionChanges.MaxCells:N0} corrected cells and " +
                $"{CorrectionChanges.MaxReplacements:N0} replacements; for more, fix the file and upload it as a new import."));
        }

        Result<ImportState> saved;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // The import is claimed first: of two requests that read it alike (the same correction sent twice at once),
            // the second finds it changed here, before it adds a cell the first added, which the database would refuse
            // for its unique key and log as an error. It then answers as the first did when that left what it asks.
            if (!await ClaimAsync(import, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                return await SettleAsync(importId, ImportStatusRules.RefuseCorrection, seen,
                    i => CorrectedAsAskedAsync(importId, cells, originals, replacements, cancellationToken), null, cancellationToken);
            }

            try
            {
                saved = await SaveAsync(import, null, cancellationToken);
            }
            catch (DbUpdateException e) when (!BusyDatabase.IsBusyOrUnavailable(e))
            {
                // Not reached while every change of the corrections claims the import first.
                return ChangedMeanwhile(importId);
            }

            if (saved.Succeeded)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }

        if (saved.Succeeded)
        {
            logger.LogInformation(
                "Import {ImportId}: {Cells} cell and {Replacements} replacement changes by user {UserId}; it holds {CellCount} corrected cells and {ReplacementCount} replacements",
                importId, cells.Count, replacements.Count, userId, storedCells.Count, storedReplacements.Count);
        }

        return saved;
    }

    /// <summary>
    /// How many cells a replacement of <paramref name="from"/> in <paramref name="column"/> would change, and the first
    /// rows, before it is applied (the file is read once); cells corrected on their own are left out.
    /// </summary>
    public Task<Result<ReplacementPreview>> PreviewReplacementAsync(int importId, string? column, string? from,
        CancellationToken cancellationToken) =>
        PreviewReplacementAsync(importId, column, from, null, cancellationToken);

    /// <summary>
    /// How many cells a replacement of <paramref name="from"/> in <paramref name="column"/> would change, and the first
    /// rows, before it is applied (the file is read once); cells corrected on their own are left out. A
    /// <paramref name="from"/> or <paramref name="to"/> (null: not given) longer than a replacement may be is refused here
    /// already, naming it, as applying it would be.
    /// </summary>
    public Task<Result<ReplacementPreview>> PreviewReplacementAsync(int importId, string? column, string? from,
        string? to, CancellationToken cancellationToken) =>
        PreviewReplacementAsync(importId, column, from, to, null, cancellationToken);

    /// <summary>
    /// As <see cref="PreviewReplacementAsync(int, string?, string?, string?, CancellationToken)"/>, refused when the
    /// import's file reading is no longer the one <paramref name="seen"/> names (the value was chosen among another
    /// reading's cells).
    /// </summary>
    public async Task<Result<ReplacementPreview>> PreviewReplacementAsync(int importId, string? column, string? from,
        string? to, ImportStamps? seen, CancellationToken cancellationToken)
    {
        var found = await FindAsync(importId, i => ImportStatusRules.RefuseCorrection(i) ?? seen?.Refuse(i), cancellationToken);
        if (found.Failed)
        {
            return found.Problem;
        }

        var import = found.Value;
        var view = await DescribeFileAsync(import, cancellationToken);
        if (view.Failed)
        {
            return view.Problem;
        }

        var target = ColumnOf(view.Value.Columns, column, "column");
        if (target.Failed)
        {
            return target.Problem;
        }

        var letter = target.Value.Letter;
        var key = CellCorrections.Key(from);
        foreach (var (value, field) in new[] { (key, "from"), (to is null ? null : CellCorrections.ReplacementValue(to), "to") })
        {
            if (value?.Length > CorrectionChanges.MaxReplacementLength)
            {
                return Problem.Invalid($"A replacement's values are at most {CorrectionChanges.MaxReplacementLength} characters long.", field);
            }
        }

        // Reads the whole file as a dry run does: bounded with them (decision 0099).
        var slot = dryRuns?.TryEnter(importId, "a preview of a replacement");
        if (slot is not null && slot.Failed)
        {
            return slot.Problem;
        }

        using var held = slot?.Value;
        var corrected = (await db.ImportCellCorrections.AsNoTracking()
            .Where(c => c.ImportId == importId && c.Column == letter).Select(c => c.Row).ToListAsync(cancellationToken)).ToHashSet();
        var opened = await OpenFileAsync(import, cancellationToken);
        if (!opened.Succeeded)
        {
            return Problem.FromFile(opened.Problem);
        }

        using var file = opened.File;
        try
        {
            var (count, rows) = CellCorrections.CountMatches(file,
                view.Value.Columns.First(c => c.Letter == letter).Index, key, corrected, 10, cancellationToken);
            return new ReplacementPreview(letter, key, count, rows);
        }
        catch (ImportFileException e)
        {
            return Problem.FromFile(e.Problem);
        }
    }

    /// <summary>The dry run where <see cref="ImportStatusRules.CanCheck"/> allows it: every row checked, nothing written.</summary>
    public async Task<Result<CheckResult>> CheckAsync(int importId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(importId, _ => null, cancellationToken);
        if (found.Failed)
        {
            return found.Problem;
        }

        if (await RefuseCheckAsync(found.Value, cancellationToken) is { } refused)
        {
            return refused;
        }

        // One dry run of an import at a time, and a few at once in all (decision 0099): each reads the whole file.
        var slot = dryRuns?.TryEnter(importId, "a check");
        if (slot is not null && slot.Failed)
        {
            return slot.Problem;
        }

        using (slot?.Value)
        {
            return await processor.CheckAsync(importId, null, cancellationToken);
        }
    }

    /// <summary>
    /// Why the import cannot be checked now (<see cref="ImportStatusRules.RefuseCheck"/>); an Incomplete one is refused
    /// with the errors of its mapping, the ones the mapping page shows, not only a missing Name.
    /// </summary>
    public async Task<Problem?> RefuseCheckAsync(ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        return ImportStatusRules.CanCheck(import.Status) ? null
            : ImportStatusRules.RefuseCheck(import, await MappingErrorsAsync(import, cancellationToken));
    }

    /// <summary>The errors of an Incomplete import's saved mapping against its file and inventory; none for any other status.</summary>
    public async Task<IReadOnlyList<string>> MappingErrorsAsync(ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (import.Status != ImportStatus.Incomplete)
        {
            return [];
        }

        var file = await DescribeFileAsync(import, cancellationToken);
        if (file.Failed)
        {
            return [];
        }

        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, cancellationToken);
        return [.. MappingValidation.Validate(ImportMapping.FromJson(import.Mapping), file.Value.Columns, definition).Errors
            .Select(e => e.Message)];
    }

    /// <summary>
    /// The errors of an import's saved mapping against its file and inventory as they are now, whatever its status: for
    /// one Waiting for Approval or Failed, those of a field taken off the inventory (or changed) since the mapping was
    /// saved. None when the file cannot be read (its own problem says why).
    /// </summary>
    public async Task<IReadOnlyList<MappingIssue>> MappingIssuesAsync(ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        var file = await DescribeFileAsync(import, cancellationToken);
        if (file.Failed)
        {
            return [];
        }

        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, cancellationToken);
        return MappingValidation.Validate(ImportMapping.FromJson(import.Mapping), file.Value.Columns, definition).Errors;
    }

    /// <summary>
    /// Moves the import from a status <see cref="ImportStatusRules.CanApprove"/> allows to In Progress in one
    /// conditional UPDATE, so that of two approvals (two tabs, a double click) exactly one wins and queues the run; the
    /// other is refused. A saved mapping with errors (a field it imports into taken off the inventory since it was saved)
    /// is refused first, naming them (409, <see cref="ImportStatusRules.RefuseMappingErrors"/>): its run would fail as a
    /// whole with nothing written. So is one whose file is no longer on the server or cannot be read there (410,
    /// <see cref="ImportStatusRules.RefuseFileGone"/>, decision 0073): its run would fail with the file's message.
    /// </summary>
    public Task<Result<ClientImport>> ApproveAsync(int importId, int userId, CancellationToken cancellationToken) =>
        ApproveAsync(importId, userId, null, cancellationToken);

    /// <summary>
    /// As <see cref="ApproveAsync(int, int, CancellationToken)"/>, refused (nothing changed) when the import's file reading
    /// or saved mapping is no longer the one <paramref name="seen"/> names: the run would import rows, or an assignment, the
    /// approver never saw. The conditional UPDATE then also requires the import unchanged since it was compared, so a change
    /// saved between the two is refused as a change made meanwhile.
    /// </summary>
    public Task<Result<ClientImport>> ApproveAsync(int importId, int userId, ImportStamps? seen, CancellationToken cancellationToken) =>
        ApproveAsync(importId, userId, seen, null, cancellationToken);

    /// <summary>
    /// As <see cref="ApproveAsync(int, int, ImportStamps?, CancellationToken)"/>, with the API's <c>Idempotency-Key</c>
    /// (decision 0122): an approval of this import by <paramref name="userId"/> with <paramref name="idempotencyKey"/>
    /// within <see cref="IdempotencyWindow"/> (its latest run's or an earlier one's) answers the import as it is now and
    /// starts no run; the key used by that user to approve another import within that window is refused (409, field
    /// <c>Idempotency-Key</c>), nothing changed; otherwise the approval keeps the key with its run.
    /// </summary>
    public async Task<Result<ClientImport>> ApproveAsync(int importId, int userId, ImportStamps? seen, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (idempotencyKey is not null)
        {
            var keyed = await ApprovedWithKeyAsync(importId, userId, idempotencyKey, now, cancellationToken);
            if (keyed is not null)
            {
                return keyed;
            }
        }

        var approvable = ImportStatusRules.Approvable.ToArray();
        var approving = db.Imports.Where(i => i.Id == importId && approvable.Contains(i.Status));
        var compared = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (compared is null)
        {
            return NotFound(importId);
        }

        // A status that refuses the approval says so below, as without fingerprints (a second click: "already In Progress").
        if (ImportStatusRules.CanApprove(compared.Status))
        {
            if (seen?.Refuse(compared) is { } stale)
            {
                return stale;
            }

            // A file no longer on the server (or unreadable there) would fail the run as a whole: refused now, as 0067 says
            // it. Asked of the store, not of the file's view, which a page may have read before the file went.
            if (compared.FileSha256 is not null
                && (await files.GetLocalPathAsync(compared, cancellationToken)).Problem is { Kind: ProblemKind.Gone } gone)
            {
                return ImportStatusRules.RefuseFileGone(compared, gone);
            }

            if (ImportStatusRules.RefuseMappingErrors(compared, await MappingIssuesAsync(compared, cancellationToken)) is { } broken)
            {
                return broken;
            }
        }

        // The import's last run (a Failed one approved again) is kept as an earlier run, as it was read: the UPDATE then
        // also requires the import unchanged since, so the run kept is the one the approval replaces (decision 0083).
        var lastRun = compared.ApprovedAt is not null && ImportStatusRules.CanApprove(compared.Status) ? compared : null;
        if (seen is not null || lastRun is not null)
        {
            var unchanged = compared.ConcurrencyStamp;
            approving = approving.Where(i => i.ConcurrencyStamp == unchanged);
        }

        var transaction = lastRun is null ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        int won;
        try
        {
            won = await approving
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, ImportStatusRules.AfterApproval)
                    .SetProperty(i => i.ApprovedById, userId)
                    .SetProperty(i => i.ApprovedAt, now)
                    .SetProperty(i => i.ApprovalIdempotencyKey, idempotencyKey)
                    // Kept for good: an import that has run is never discarded (decision 0062).
                    .SetProperty(i => i.FirstApprovedAt, i => i.FirstApprovedAt ?? now)
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
                    .SetProperty(i => i.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
            // The UPDATE went past the change tracker: a copy tracked by an earlier step of this unit of work is stale now.
            foreach (var stale in db.ChangeTracker.Entries<ClientImport>().Where(e => e.Entity.Id == importId).ToList())
            {
                stale.State = EntityState.Detached;
            }

            if (won > 0 && lastRun is not null && transaction is not null)
            {
                // The UPDATE holds the import's row until the commit: no other step records a run of it meanwhile.
                var run = await KeepRunAsync(lastRun, lastRun.Status, lastRun.RowCount, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                db.Entry(run).State = EntityState.Detached;
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }

        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null)
        {
            return NotFound(importId);
        }

        if (won == 0)
        {
            // A retry that raced its first approval (sent before that one answered) lost to it: answered as a retry.
            if (idempotencyKey is not null
                && await ApprovedWithKeyAsync(importId, userId, idempotencyKey, now, cancellationToken) is { } raced)
            {
                return raced;
            }

            return ImportStatusRules.RefuseApproval(import, await MappingErrorsAsync(import, cancellationToken))
                   ?? Problem.Conflict($"Import {importId} was changed meanwhile: reload it.");
        }

        var jobId = queue.Enqueue(importId);
        logger.LogInformation("Import {ImportId} approved by user {UserId}; job {JobId} queued", importId, userId, jobId);
        return import;
    }

    /// <summary>
    /// What an approval with <paramref name="idempotencyKey"/> by <paramref name="userId"/> answers when the key was used
    /// within <see cref="IdempotencyWindow"/>: the import as it is now when it approved this import (its latest run or an
    /// earlier one), a 409 naming the import it approved when that is another; null when the key is new.
    /// </summary>
    private async Task<Result<ClientImport>?> ApprovedWithKeyAsync(int importId, int userId, string idempotencyKey,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - IdempotencyWindow;
        var latest = await db.Imports.AsNoTracking()
            .Where(i => i.ApprovedById == userId && i.ApprovalIdempotencyKey == idempotencyKey && i.ApprovedAt >= since)
            .OrderByDescending(i => i.ApprovedAt)
            .Select(i => new { i.Id, i.FileName, i.ApprovedAt })
            .FirstOrDefaultAsync(cancellationToken);
        var earlier = await db.ImportRuns.AsNoTracking()
            .Where(r => r.ApprovedById == userId && r.ApprovalIdempotencyKey == idempotencyKey && r.ApprovedAt >= since)
            .OrderByDescending(r => r.ApprovedAt)
            .Select(r => new { Id = r.ImportId, r.Import.FileName, r.ApprovedAt })
            .FirstOrDefaultAsync(cancellationToken);
        // Within the window a key approves one import (another is refused below): this one's use wins, else the newest.
        var first = latest?.Id == importId ? latest : earlier?.Id == importId ? earlier : latest ?? earlier;
        if (first is null)
        {
            return null;
        }

        if (first.Id != importId)
        {
            return Problem.Conflict(string.Create(CultureInfo.InvariantCulture,
                $"The Idempotency-Key was used to approve import {first.Id} ({first.FileName}, approved " +
                $"{first.ApprovedAt?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC), not import {importId}. Nothing was changed: send a " +
                $"new key with each approval, and the same key only with its retries."), "Idempotency-Key");
        }

        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null)
        {
            return NotFound(importId);
        }

        logger.LogInformation("Approval of import {ImportId} by user {UserId} with the idempotency key of an approval of it answered without a new run",
            importId, userId);
        return import;
    }

    /// <summary>
    /// Discards an abandoned import where <see cref="ImportStatusRules.CanDiscard"/> allows it (never approved, so it
    /// never ran and no review describes a run of it): the import and its kept file (the chunks and this instance's
    /// cached copy) go, in one transaction. The status is checked again by a conditional UPDATE inside that transaction,
    /// which locks the row: an approval racing the discard either wins (and the discard is refused) or finds the import
    /// gone.
    /// </summary>
    public async Task<Result<ClientImport>> DiscardAsync(int importId, int userId, CancellationToken cancellationToken)
    {
        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null)
        {
            return NotFound(importId);
        }

        if (ImportStatusRules.RefuseDiscard(import) is { } refused)
        {
            return refused;
        }

        var discardable = ImportStatusRules.Discardable.ToArray();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var held = await db.Imports
                .Where(i => i.Id == importId && discardable.Contains(i.Status) && i.FirstApprovedAt == null && i.ApprovedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
            if (held == 0)
            {
                var now = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
                return now is null ? NotFound(importId)
                    : ImportStatusRules.RefuseDiscard(now) ?? Problem.Conflict($"Import {importId} was changed meanwhile: reload it.");
            }

            await DeleteImportsAsync(db, db.Imports.Where(i => i.Id == importId), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var stale in db.ChangeTracker.Entries<ClientImport>().Where(e => e.Entity.Id == importId).ToList())
        {
            stale.State = EntityState.Detached;
        }

        files.Forget(import);
        logger.LogInformation("Import {ImportId} (file type {Extension}, {Status}) discarded by user {UserId}",
            importId, LoggedFileName.Extension(import.FileName), import.Status, userId);
        return import;
    }

    /// <summary>
    /// Runs an approved import (what the queued job calls): Completed with every row written, or Failed with nothing
    /// written. An import that is not In Progress is left as it is.
    /// </summary>
    public Task<ClientImport> RunAsync(int importId, IProgress<ImportProgress>? progress, CancellationToken cancellationToken) =>
        processor.RunAsync(importId, progress, cancellationToken);

    /// <summary>
    /// Asks for the revert of a Completed import (<see cref="ImportStatusRules.CanRevert"/>) and queues it. Refused at once,
    /// with the list (<see cref="RevertConflictsOf"/>), when a client the import created or changed was changed since;
    /// the queued job looks again under the rollout's lock. Of two requests (two tabs) one wins.
    /// </summary>
    public Task<Result<ClientImport>> RequestRevertAsync(int importId, int userId, CancellationToken cancellationToken) =>
        RequestRevertAsync(importId, userId, null, cancellationToken);

    /// <summary>
    /// As <see cref="RequestRevertAsync(int, int, CancellationToken)"/>, with the API's <c>Idempotency-Key</c> (or the
    /// revert page's own key; decision 0146): a revert of this import that <paramref name="userId"/> asked for with
    /// <paramref name="idempotencyKey"/> answers the import as it is now (reverting, Reverted, or still Completed with the
    /// job's refusal) and asks for nothing; the key used by that user for another import's revert within
    /// <see cref="IdempotencyWindow"/> is refused (409, field <c>Idempotency-Key</c>), nothing changed; otherwise the
    /// revert asked for keeps the key.
    /// </summary>
    public async Task<Result<ClientImport>> RequestRevertAsync(int importId, int userId, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null && await RevertedWithKeyAsync(importId, userId, idempotencyKey, cancellationToken) is { } keyed)
        {
            return keyed;
        }

        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null)
        {
            return NotFound(importId);
        }

        if (ImportStatusRules.RefuseRevert(import) is { } refused)
        {
            return refused;
        }

        var (clients, conflicts) = await Reverter.FindConflictsAsync(importId, cancellationToken);
        if (clients > 0)
        {
            return ImportReverter.Refusal(importId, clients, conflicts);
        }

        var now = clock.GetUtcNow();
        var won = await db.Imports
            .Where(i => i.Id == importId && i.Status == ImportStatus.Completed && i.RevertRequestedAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.RevertRequestedAt, now)
                .SetProperty(i => i.RevertedById, userId)
                .SetProperty(i => i.RevertIdempotencyKey, idempotencyKey)
                .SetProperty(i => i.RevertFailureMessage, (string?)null)
                .SetProperty(i => i.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
        foreach (var stale in db.ChangeTracker.Entries<ClientImport>().Where(e => e.Entity.Id == importId).ToList())
        {
            stale.State = EntityState.Detached;
        }

        import = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId, cancellationToken);
        if (won == 0)
        {
            // A retry that raced its first request (sent before the first answered): the winner kept the key.
            if (idempotencyKey is not null
                && await RevertedWithKeyAsync(importId, userId, idempotencyKey, cancellationToken) is { } raced)
            {
                return raced;
            }

            return ImportStatusRules.RefuseRevert(import) ?? Problem.Conflict($"Import {importId} was changed meanwhile: reload it.");
        }

        var jobId = queue.EnqueueRevert(importId);
        logger.LogInformation("Revert of import {ImportId} asked for by user {UserId}; job {JobId} queued", importId, userId, jobId);
        return import;
    }

    /// <summary>
    /// What a revert asked for with <paramref name="idempotencyKey"/> by <paramref name="userId"/> answers when the key
    /// was used: this import as it is now when it asked for this import's revert (at any time: an import's revert is asked
    /// for once, or again only after its job refused it), a 409 naming the import when it asked for another's within
    /// <see cref="IdempotencyWindow"/>; null when the key is new.
    /// </summary>
    private async Task<Result<ClientImport>?> RevertedWithKeyAsync(int importId, int userId, string idempotencyKey,
        CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow() - IdempotencyWindow;
        var used = await db.Imports.AsNoTracking()
            .Where(i => i.RevertedById == userId && i.RevertIdempotencyKey == idempotencyKey
                        && (i.Id == importId || i.RevertRequestedAt >= since))
            .OrderByDescending(i => i.Id == importId)
            .ThenByDescending(i => i.RevertRequestedAt)
            .Select(i => new { i.Id, i.FileName, i.RevertRequestedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (used is null)
        {
            return null;
        }

        if (used.Id != importId)
        {
            return Problem.Conflict(string.Create(CultureInfo.InvariantCulture,
                $"The Idempotency-Key was used to revert import {used.Id} ({used.FileName}, asked for " +
                $"{used.RevertRequestedAt?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC), not import {importId}. Nothing was changed: send a " +
                $"new key with each revert, and the same key only with its retries."), "Idempotency-Key");
        }

        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null)
        {
            return NotFound(importId);
        }

        logger.LogInformation("Revert of import {ImportId} by user {UserId} with the idempotency key of its revert answered without a new one",
            importId, userId);
        return import;
    }

    /// <summary>
    /// Runs a revert asked for (what the queued job calls): Reverted, or still Completed with the reason it was refused
    /// (<see cref="ClientImport.RevertFailureMessage"/>) and nothing changed. Any other import is left as it is.
    /// </summary>
    public Task<Result<ClientImport>> RunRevertAsync(int importId, IProgress<RevertProgress>? progress, CancellationToken cancellationToken) =>
        Reverter.RunAsync(importId, progress, cancellationToken);

    /// <summary>The clients a refused revert lists (empty for any other problem).</summary>
    public static IReadOnlyList<RevertConflict> RevertConflictsOf(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return ImportReverter.ConflictsOf(problem);
    }

    private ImportReverter Reverter => new(db, clock, logger, audit);

    /// <summary>The import to change, tracked, unless it does not exist or <paramref name="refuse"/> finds a reason.</summary>
    private async Task<Result<ClientImport>> FindAsync(int importId, Func<ClientImport, Problem?> refuse, CancellationToken cancellationToken)
    {
        var import = await db.Imports.SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null)
        {
            return NotFound(importId);
        }

        return refuse(import) is { } problem ? problem : import;
    }

    /// <summary>Saves a changed import, unless another request changed it since it was read (an approval in another tab).</summary>
    private async Task<Result<ImportState>> SaveAsync(ClientImport import, MappingValidation? validation, CancellationToken cancellationToken)
    {
        import.ConcurrencyStamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ChangedMeanwhile(import.Id);
        }

        return new ImportState(import, validation);
    }

    /// <summary>
    /// The refusal of a change to an import that another request changed since it was read (an approval, another change;
    /// in another tab, by a script or by someone else), in words for the pages and the API alike.
    /// </summary>
    private static Problem ChangedMeanwhile(int importId) => Problem.Conflict(
        $"Import {importId} was changed by another request meanwhile, so your change was not saved: reload it, and make your change again if it is still needed.");

    /// <summary>
    /// Holds <paramref name="import"/> for this transaction, unless another request changed it since it was read: its
    /// <see cref="ClientImport.ConcurrencyStamp"/> is moved on by a conditional UPDATE (which, on PostgreSQL and SQL Server,
    /// waits for another transaction holding the row), and the tracked import takes the new stamp as the one it was read
    /// with, so that saving it later in the transaction succeeds.
    /// </summary>
    private async Task<bool> ClaimAsync(ClientImport import, CancellationToken cancellationToken)
    {
        var read = import.ConcurrencyStamp;
        var claimed = Guid.NewGuid();
        var held = await db.Imports.Where(i => i.Id == import.Id && i.ConcurrencyStamp == read)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ConcurrencyStamp, claimed), cancellationToken);
        if (held == 0)
        {
            return false;
        }

        var stamp = db.Entry(import).Property(i => i.ConcurrencyStamp);
        stamp.OriginalValue = claimed;
        stamp.CurrentValue = claimed;
        return true;
    }

    /// <summary>
    /// The answer of a step that lost a race to another request which changed the import first (two identical requests
    /// sent at once, a retry while the first was still running): what the import's status now refuses, as without the
    /// race; else, when the import is now as this step asks (<paramref name="asAsked"/>), the import, as the other request
    /// answered it; else <paramref name="seen"/>'s refusal when the page or script saw another version, or
    /// <see cref="ChangedMeanwhile"/>. Nothing of this step is saved.
    /// </summary>
    private async Task<Result<ImportState>> SettleAsync(int importId, Func<ClientImport, Problem?> refuse, ImportStamps? seen,
        Func<ClientImport, Task<bool>> asAsked, MappingValidation? validation, CancellationToken cancellationToken)
    {
        // What this step changed and could not save is forgotten: the import is read as it is now.
        foreach (var entry in db.ChangeTracker.Entries().Where(e => (e.Entity is ClientImport { } i && i.Id == importId)
                     || (e.Entity is ImportCellCorrection { } c && c.ImportId == importId)
                     || (e.Entity is ImportValueReplacement { } r && r.ImportId == importId)
                     || (e.Entity is ImportRun { } run && run.ImportId == importId)).ToList())
        {
            entry.State = EntityState.Detached;
        }

        var now = await db.Imports.SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (now is null)
        {
            return NotFound(importId);
        }

        if (refuse(now) is { } refused)
        {
            return refused;
        }

        return await asAsked(now) ? new ImportState(now, validation) : seen?.Refuse(now) ?? ChangedMeanwhile(importId);
    }

    /// <summary>
    /// Whether the import's stored corrections are those a request asked for: each cell with its value (none where the
    /// value was removed or is the file's own), each replacement with its value (none where it was removed).
    /// </summary>
    private async Task<bool> CorrectedAsAskedAsync(int importId, IReadOnlyList<(int Row, string Letter, int Index, string? Value)> cells,
        Dictionary<int, Dictionary<int, string?>> originals, IReadOnlyList<(string Letter, string From, string? To)> replacements,
        CancellationToken cancellationToken)
    {
        var storedCells = await db.ImportCellCorrections.AsNoTracking().Where(c => c.ImportId == importId)
            .ToDictionaryAsync(c => (c.Row, c.Column), c => c.Value, cancellationToken);
        foreach (var (row, letter, index, value) in cells)
        {
            var removed = value is null || value == (originals[row][index] ?? "");
            if (storedCells.TryGetValue((row, letter), out var stored) ? removed || stored != value : !removed)
            {
                return false;
            }
        }

        var storedReplacements = await db.ImportValueReplacements.AsNoTracking().Where(r => r.ImportId == importId)
            .ToDictionaryAsync(r => (r.Column, r.From), r => r.To, cancellationToken);
        foreach (var (letter, from, to) in replacements)
        {
            var removed = to is null || to == from;
            if (storedReplacements.TryGetValue((letter, from), out var stored) ? removed || stored != to : !removed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Saves an import whose mapping or file settings were saved. One that leaves Failed (for Waiting for Approval or
    /// Incomplete) no longer carries the last run's verdict: what approval resets (<see cref="ApproveAsync"/>) is reset
    /// here, and its failed rows are deleted in the same transaction, so its counts, approver, duration, failed rows and
    /// error report never describe a run of another mapping. Its corrections stay: they belong to the import (decision 0025).
    /// </summary>
    private async Task<Result<ImportState>> SaveMovedOnAsync(ClientImport import, ImportStatus before, MappingValidation? validation,
        CancellationToken cancellationToken)
    {
        if (before != ImportStatus.Failed || import.Status == ImportStatus.Failed)
        {
            return await SaveAsync(import, validation, cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The run it forgets is kept as an earlier run (decision 0083), recorded once: the claim holds the import's row
        // (and refuses one changed since it was read, as the save would).
        if (import.ApprovedAt is not null)
        {
            if (!await ClaimAsync(import, cancellationToken))
            {
                return ChangedMeanwhile(import.Id);
            }

            // As the run left it: the file settings just changed may have counted the rows anew.
            await KeepRunAsync(import, before, db.Entry(import).Property(i => i.RowCount).OriginalValue, cancellationToken);
        }

        ForgetLastRun(import);
        await db.ImportRowErrors.Where(e => e.ImportId == import.Id).ExecuteDeleteAsync(cancellationToken);
        var saved = await SaveAsync(import, validation, cancellationToken);
        if (saved.Succeeded)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return saved;
    }

    /// <summary>
    /// Adds the last run <paramref name="import"/> carries to its earlier runs (saved with the step's changes), numbered
    /// after those kept. Called inside the transaction that holds the import's row and replaces that run.
    /// </summary>
    private async Task<ImportRun> KeepRunAsync(ClientImport import, ImportStatus outcome, int? rowCount, CancellationToken cancellationToken)
    {
        var kept = await db.ImportRuns.Where(r => r.ImportId == import.Id).MaxAsync(r => (int?)r.Number, cancellationToken) ?? 0;
        var run = ImportRun.Of(import, kept + 1, outcome, rowCount);
        db.ImportRuns.Add(run);
        return run;
    }

    /// <summary>What a run leaves on an import, as before its approval (the fields <see cref="ApproveAsync"/> resets, and the approver).</summary>
    private static void ForgetLastRun(ClientImport import)
    {
        import.ApprovedById = null;
        import.ApprovedBy = null;
        import.ApprovedAt = null;
        import.ApprovalIdempotencyKey = null;
        import.StartedAt = null;
        import.FinishedAt = null;
        import.Attempt = 0;
        import.LeaseExpiresAt = null;
        import.FailureMessage = null;
        import.FailedRowCount = 0;
        import.RowsChecked = 0;
        import.RowsWritten = 0;
    }

    /// <summary>
    /// What <paramref name="import"/>'s file is, when it is one of this app's failed rows reports (decision 0101): the
    /// import it came from, if its mark names one of the same rollout and inventory, with how many of that import's rows
    /// it holds and whether its values can be applied to it (<see cref="ApplyReportAsync"/>); a report of no import the
    /// uploader can see, or one without the mark (written before it, or saved again as CSV), only warned about. Null
    /// when the file is no report, or the import has been approved (it is an import of its own then).
    /// </summary>
    public async Task<ReportOrigin?> DescribeReportOriginAsync(ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (!ImportStatusRules.CanDiscard(import))
        {
            return null;
        }

        var mark = await ReadReportMarkAsync(import, cancellationToken);
        if (mark is null)
        {
            var headers = ImportMapping.FromJson(import.Mapping).Columns.Select(c => c.Header);
            return ErrorReportMark.LooksLikeReport(headers)
                ? new ReportOrigin(null, import.RowCount ?? 0, null, null, false,
                    "This file looks like a failed rows report (its \"Row\" and \"Import errors\" columns), downloaded before " +
                    "reports named their import, or saved again as CSV: importing it creates only the clients of its rows, and " +
                    "the import it came from stays as it is. To import every row, correct the failed import on its own page, or " +
                    "fix the whole file and upload it.")
                : null;
        }

        var source = await SourceOfReportAsync(import, mark, cancellationToken);
        var rows = import.RowCount ?? 0;
        if (source is null)
        {
            return new ReportOrigin(null, rows, null, null, false,
                "This file is the failed rows report of an import of another inventory or rollout: it is imported as a file " +
                "of its own, and creates only the clients of its rows.");
        }

        var total = source.RowCount ?? 0;
        var canApply = ImportStatusRules.CanCorrect(source.Status);
        return new ReportOrigin(source.Id, rows, total, source.Status, canApply,
            canApply ? ReportMessage(source.Id, rows, total) : ReportWarning(source, rows));
    }

    /// <summary>
    /// Applies the report uploaded as <paramref name="reportImportId"/> to the import it is the failed rows report of
    /// (decision 0101): each of its cells (a row with its number in the "Row" column, a column that import maps to a
    /// field) that differs from that import's current value (the file's, or an earlier correction) becomes a correction
    /// of it, through <see cref="CorrectAsync(int, CorrectionChanges, int, ImportStamps?, CancellationToken)"/> and its
    /// bounds; then the uploaded report is discarded. Refused, nothing changed: an import approved already (404-like
    /// kinds: Conflict), a file without the mark or of another rollout's or inventory's import (Invalid), an import that
    /// no longer takes corrections (Conflict).
    /// </summary>
    public async Task<Result<ReportApplied>> ApplyReportAsync(int reportImportId, int userId, CancellationToken cancellationToken)
    {
        var report = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == reportImportId, cancellationToken);
        if (report is null)
        {
            return NotFound(reportImportId);
        }

        if (!ImportStatusRules.CanDiscard(report))
        {
            return Problem.Conflict($"Import {reportImportId} has been approved: it is an import of its own now, and its values " +
                                    "are no longer applied to another import.");
        }

        var mark = await ReadReportMarkAsync(report, cancellationToken);
        if (mark is null)
        {
            return Problem.Invalid($"The file of import {reportImportId} does not say which import it is the failed rows report of " +
                                   "(it is no report, was downloaded before reports named their import, or was saved again as CSV): " +
                                   "its values cannot be applied. Correct the failed import on its own page instead.");
        }

        var source = await SourceOfReportAsync(report, mark, cancellationToken);
        if (source is null)
        {
            return Problem.Invalid($"The file of import {reportImportId} is the failed rows report of an import of another " +
                                   "inventory or rollout: its values can only be applied to an import of the same inventory.");
        }

        if (!ImportStatusRules.CanCorrect(source.Status))
        {
            return Problem.Conflict(ReportWarning(source, report.RowCount ?? 0) + " Nothing was applied.");
        }

        var collected = await CollectReportChangesAsync(report, source, cancellationToken);
        if (collected.Failed)
        {
            return collected.Problem;
        }

        var found = collected.Value;
        if (found.Changes.Count > 0)
        {
            var corrected = await CorrectAsync(source.Id, new CorrectionChanges(found.Changes, []), userId, null, cancellationToken);
            if (corrected.Failed)
            {
                return corrected.Problem;
            }
        }

        var discarded = await DiscardAsync(report.Id, userId, cancellationToken);
        if (discarded.Failed)
        {
            logger.LogWarning("The report uploaded as import {ReportId} was applied to import {ImportId}, but not discarded: {Problem}",
                report.Id, source.Id, discarded.Problem.Message);
        }

        logger.LogInformation("The report uploaded as import {ReportId} applied to import {ImportId} by user {UserId}: {Applied} values",
            report.Id, source.Id, userId, found.Changes.Count);
        return new ReportApplied(source.Id, found.Changes.Count, found.RowsWithoutNumber, found.RowsNotInImport, found.ColumnsNotApplied);
    }

    private async Task<ErrorReportMark?> ReadReportMarkAsync(ClientImport import, CancellationToken cancellationToken)
    {
        if (import.FileSha256 is null)
        {
            return null;
        }

        var path = await files.GetLocalPathAsync(import, cancellationToken);
        return path.Succeeded ? ErrorReportMark.Read(path.Value) : null;
    }

    /// <summary>The import a report's mark names, when it is of the upload's rollout and inventory; otherwise null.</summary>
    private Task<ClientImport?> SourceOfReportAsync(ClientImport upload, ErrorReportMark mark, CancellationToken cancellationToken) =>
        mark.RolloutId != upload.RolloutId || mark.ImportId == upload.Id
            ? Task.FromResult<ClientImport?>(null)
            : db.Imports.AsNoTracking()
                .Where(i => i.Id == mark.ImportId && i.RolloutId == upload.RolloutId && i.InventoryId == upload.InventoryId)
                .SingleOrDefaultAsync(cancellationToken);

    /// <summary>"1 row", "25,000 rows" (invariant, as every count in an import's messages).</summary>
    internal static string Count(int n, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{n:N0} {(n == 1 ? one : many)}");

    private static string ReportMessage(int sourceId, int rows, int total)
    {
        var others = Math.Max(0, total - rows);
        return string.Create(CultureInfo.InvariantCulture,
            $"This file is the failed rows report of import #{sourceId}: it holds {rows:N0} of its {Count(total, "row", "rows")}. ") +
               $"Importing it alone creates only those clients; import #{sourceId}'s other {Count(others, "row stays", "rows stay")} unimported.";
    }

    private static string ReportWarning(ClientImport source, int rows)
    {
        var since = source.Status switch
        {
            ImportStatus.Completed => "which has been approved again since and Completed",
            ImportStatus.Reverted => "which has been approved again, Completed and Reverted since",
            ImportStatus.InProgress => "which is being imported now",
            _ => $"which is {ImportStatusRules.Name(source.Status)} now",
        };
        return $"This file is the failed rows report of import #{source.Id}, {since}: importing it creates the clients of its " +
               $"{Count(rows, "row", "rows")} as a new import.";
    }

    private sealed record ReportChanges(List<CellChange> Changes, int RowsWithoutNumber, int RowsNotInImport,
        IReadOnlyList<string> ColumnsNotApplied);

    /// <summary>
    /// The report's cells that differ from <paramref name="source"/>'s current values, each as a cell change of it: the
    /// report's columns matched to the source's by their place after "Row" and their header (else by a header of the
    /// source's found once), only those the source maps to a field; rows by their number in "Row".
    /// </summary>
    private async Task<Result<ReportChanges>> CollectReportChangesAsync(ClientImport report, ClientImport source,
        CancellationToken cancellationToken)
    {
        var openedReport = await OpenFileAsync(report, cancellationToken);
        if (!openedReport.Succeeded)
        {
            return Problem.FromFile(openedReport.Problem);
        }

        using var reportFile = openedReport.File;
        var openedSource = await OpenFileAsync(source, cancellationToken);
        if (!openedSource.Succeeded)
        {
            return Problem.FromFile(openedSource.Problem);
        }

        using var sourceFile = openedSource.File;
        var mapping = ImportMapping.FromJson(source.Mapping);
        var imported = mapping.Columns.Where(c => c.Target is not null)
            .Select(c => c.Letter).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var rowColumn = reportFile.Columns.FirstOrDefault(c => c.Header == ErrorReport.RowHeader);
        if (rowColumn is null)
        {
            return Problem.Invalid($"The file of import {report.Id} has no \"{ErrorReport.RowHeader}\" column: its rows cannot be " +
                                   $"matched to import #{source.Id}'s.");
        }

        // The report's column index → the source's column.
        var matched = new Dictionary<int, SheetColumn>();
        var notApplied = new List<string>();
        foreach (var column in reportFile.Columns)
        {
            if (column.Header is ErrorReport.RowHeader or ErrorReport.ErrorsHeader)
            {
                continue;
            }

            var byPlace = column.Index - rowColumn.Index - 1;
            var target = byPlace >= 0 && byPlace < sourceFile.Columns.Count && SameHeader(sourceFile.Columns[byPlace].Header, column.Header)
                ? sourceFile.Columns[byPlace]
                : sourceFile.Columns.Count(c => SameHeader(c.Header, column.Header)) == 1
                    ? sourceFile.Columns.Single(c => SameHeader(c.Header, column.Header))
                    : null;
            if (target is null || !imported.Contains(target.Letter))
            {
                notApplied.Add(string.IsNullOrEmpty(column.Header) ? column.Letter : $"{column.Letter} ({column.Header})");
                continue;
            }

            matched[column.Index] = target;
        }

        var wanted = new Dictionary<int, Dictionary<int, string>>();
        var withoutNumber = 0;
        try
        {
            foreach (var row in reportFile.ReadRows())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!int.TryParse(row[rowColumn.Index]?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    || number < 1)
                {
                    withoutNumber++;
                    continue;
                }

                var values = wanted.TryGetValue(number, out var known) ? known : wanted[number] = [];
                foreach (var (index, target) in matched)
                {
                    var value = row[index] ?? "";
                    // A cell the report cut to Excel's limit is not the value: the file's stays.
                    if (!value.EndsWith(ErrorReport.CutMarker, StringComparison.Ordinal))
                    {
                        values[target.Index] = value;
                    }
                }
            }
        }
        catch (ImportFileException e)
        {
            return Problem.FromFile(e.Problem);
        }

        var changes = new List<CellChange>();
        var found = new HashSet<int>();
        if (wanted.Count > 0)
        {
            var corrections = await CellCorrections.LoadAsync(db, source.Id, sourceFile.Columns, mapping, cancellationToken);
            try
            {
                foreach (var row in corrections.Apply(sourceFile.ReadRows()))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!wanted.TryGetValue(row.RowNumber, out var values))
                    {
                        continue;
                    }

                    found.Add(row.RowNumber);
                    foreach (var (index, value) in values.OrderBy(v => v.Key))
                    {
                        if (value != (row[index] ?? ""))
                        {
                            changes.Add(new CellChange(row.RowNumber, sourceFile.Columns[index].Letter, value));
                        }
                    }
                }
            }
            catch (ImportFileException e)
            {
                return Problem.FromFile(e.Problem);
            }
        }

        return new ReportChanges(changes, withoutNumber, wanted.Keys.Count(r => !found.Contains(r)), notApplied);
    }

    private static bool SameHeader(string? a, string? b) =>
        string.Equals((a ?? "").Trim(), (b ?? "").Trim(), StringComparison.OrdinalIgnoreCase);

    private static Problem NotFound(int importId) => Problem.NotFound($"Import {importId} does not exist.");

    /// <summary>The column of the file that <paramref name="column"/> names (a letter), or why it names none.</summary>
    private static Result<SheetColumn> ColumnOf(IReadOnlyList<SheetColumn> columns, string? column, string field)
    {
        var letter = column?.Trim().ToUpperInvariant();
        if (letter is { Length: > 0 } && columns.FirstOrDefault(c => c.Letter == letter) is { } found)
        {
            return found;
        }

        var range = columns.Count == 0 ? "none" : columns.Count == 1 ? columns[0].Letter : $"{columns[0].Letter}–{columns[^1].Letter}";
        return Problem.Invalid($"Column \"{column}\" is not a column of the file (its columns: {range}).", field);
    }

    /// <summary>The corrections of an import, marked for removal with the step's changes.</summary>
    private async Task<int> RemoveCorrectionsAsync(int importId, CancellationToken cancellationToken)
    {
        var cells = await db.ImportCellCorrections.Where(c => c.ImportId == importId).ToListAsync(cancellationToken);
        var replacements = await db.ImportValueReplacements.Where(r => r.ImportId == importId).ToListAsync(cancellationToken);
        db.ImportCellCorrections.RemoveRange(cells);
        db.ImportValueReplacements.RemoveRange(replacements);
        return cells.Count + replacements.Count;
    }

    /// <summary>
    /// New file settings suggest the mapping anew, which never ticks "Update existing clients" or "Create option if not
    /// exists" (<see cref="AutomaticMapping"/>): what the person ticked for this import is kept (by target).
    /// </summary>
    private static void KeepImportSettings(ImportMapping current, ImportMapping suggested)
    {
        suggested.UpdateExisting = current.UpdateExisting;
        var ticked = current.Columns.Where(c => c.CreateOptions).Select(c => c.Target).OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        foreach (var column in suggested.Columns)
        {
            column.CreateOptions = column.Target is not null && ticked.Contains(column.Target);
        }
    }

    /// <summary>
    /// Reads a file as an import would (every row, for the count and the row limit) and maps it automatically, reusing
    /// <paramref name="previousMapping"/> (JSON) where its columns still fit: what a new upload and new file settings
    /// both need. A file the reader refuses gives its problem.
    /// </summary>
    private async Task<Result<FileReading>> ReadAndMapAsync(
        string path, string fileName, ParseOptions? options, int inventoryId, string? previousMapping, CancellationToken cancellationToken,
        string? fallbackMapping = null)
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

        var definition = await InventoryDefinition.LoadAsync(db, inventoryId, cancellationToken);
        var previous = string.IsNullOrWhiteSpace(previousMapping) ? null : ImportMapping.FromJson(previousMapping);
        var fallback = string.IsNullOrWhiteSpace(fallbackMapping) ? null : ImportMapping.FromJson(fallbackMapping);
        var mapping = AutomaticMapping.Suggest(spreadsheet.Columns, definition, previous, fallbackMapping: fallback);
        var firstValues = UserLookupGuess.FirstValuesOf(spreadsheet);
        if (mapping.Columns.Any(c => c.Target is { } target && DefaultFields.IsUser(target)))
        {
            // Only a file with a user column asks the rollout's members which attribute its values are.
            mapping = AutomaticMapping.Suggest(spreadsheet.Columns, definition, previous,
                await UserLookupGuess.ForAsync(db, inventoryId, firstValues, cancellationToken), fallback);
        }

        // A separator remembered from the last import (or the default) that none of the column's first values holds,
        // where they hold another common one, is that other one (decision 0113).
        SeparatorGuess.Adjust(mapping, spreadsheet.Columns, definition, firstValues);

        var columns = spreadsheet.Columns;
        return new FileReading(spreadsheet.Options, rowCount, mapping, MappingValidation.Validate(mapping, columns, definition),
            other => MappingValidation.Validate(other, columns, definition));
    }

    /// <param name="ValidationOf">Validates another mapping against the file's columns as read.</param>
    private sealed record FileReading(ParseOptions Options, int RowCount, ImportMapping Mapping, MappingValidation Validation,
        Func<ImportMapping, MappingValidation> ValidationOf);

    /// <summary>
    /// Deletes the imports and everything stored with them (failed rows, file chunks, corrections), inside the caller's
    /// transaction: the one list of an import's tables, for discarding an import and deleting an inventory alike.
    /// </summary>
    public static async Task DeleteImportsAsync(RolloutDbContext db, IQueryable<ClientImport> imports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = imports.Select(i => i.Id);
        await db.ImportRowErrors.Where(e => ids.Contains(e.ImportId)).ExecuteDeleteAsync(cancellationToken);
        await db.ImportRuns.Where(r => ids.Contains(r.ImportId)).ExecuteDeleteAsync(cancellationToken);
        await db.ImportFileChunks.Where(c => ids.Contains(c.ImportId)).ExecuteDeleteAsync(cancellationToken);
        await db.ImportCellCorrections.Where(c => ids.Contains(c.ImportId)).ExecuteDeleteAsync(cancellationToken);
        await db.ImportValueReplacements.Where(r => ids.Contains(r.ImportId)).ExecuteDeleteAsync(cancellationToken);
        await imports.ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// The refusal of a file. One refused as damaged is logged with what the reader threw (in the web app Serilog adds
    /// the request's RequestId), so that a file Excel opens but the reader cannot is visible to an operator as a reader bug.
    /// </summary>
    private Problem Refuse(FileProblem problem, string fileName)
    {
        if (problem.Kind == FileProblemKind.Corrupt)
        {
            logger.LogWarning(problem.Cause, "An uploaded {Extension} file was refused as damaged: {Message}", LoggedFileName.Extension(fileName),
                problem.Message);
            logger.LogDebug("The file refused as damaged is {FileName}", fileName);
        }

        return Problem.FromFile(problem);
    }
}
