using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Importing.Reverting;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Web.Features.Errors;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// What the import's page shows, for the wizard (<see cref="ImportsController"/>) and the key account managers'
/// read-only review (<see cref="ReviewsController"/>) alike: file and detection, mapping, check result, progress,
/// result and failed rows; plus the progress the bar polls and the download of the kept file. Callers check role and
/// membership first.
/// </summary>
public sealed class ImportsPageBuilder(RolloutDbContext db, ImportLifecycle imports, ImportFileStore files,
    ImportProgressRegistry progress)
{
    private const int SampleCount = 3;
    private const int MaxCheckErrorsShown = 500;
    private const int MaxFailingValues = 20;
    /// <summary>The later imports of the same inventory a failed import's page lists; it counts the others and links to them.</summary>
    public const int MaxLaterImports = 10;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>The import of <paramref name="rollout"/> with its inventory and users, or null.</summary>
    public Task<ClientImport?> FindAsync(Rollout rollout, int id, CancellationToken cancellationToken) =>
        db.Imports.AsNoTracking()
            .Include(i => i.Inventory)
            .Include(i => i.CreatedBy)
            .Include(i => i.ApprovedBy)
            .Include(i => i.RevertedBy)
            .SingleOrDefaultAsync(i => i.Id == id && i.RolloutId == rollout.Id, cancellationToken);

    /// <summary>
    /// What the progress bar polls: the running import's rows checked, written and failed, of the total, and its attempt. From
    /// the import's row, the same on every instance; on SQLite (one instance) from the running job in this process.
    /// </summary>
    public object Progress(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        var total = import.RowCount ?? 0;
        if (ImportStatusRules.IsReverting(import))
        {
            var revert = progress.RevertOf(import.Id);
            return new
            {
                status = import.Status.ToString(),
                done = false,
                reverting = true,
                reverted = revert.Done,
                total = revert.Total,
            };
        }

        var running = progress.Of(import);
        return new
        {
            status = import.Status.ToString(),
            done = import.Status is not ImportStatus.InProgress,
            reverting = false,
            @checked = running.Checked,
            written = running.Written,
            failed = running.Failed,
            total = running.Total > 0 ? running.Total : total,
            attempt = import.Attempt,
        };
    }

    /// <summary>
    /// The file as it was uploaded (streamed from the kept copy), under its original name with the import's number
    /// ("laptops-import-12.csv", <see cref="DownloadNames.OriginalFile"/>); a file no longer on the server,
    /// or whose copy cannot be read, is refused as gone (410, <see cref="ImportFileStore.MissingMessage"/>).
    /// </summary>
    public async Task<Result<Download>> OriginalFileAsync(ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (import.FileSha256 is null)
        {
            return Problem.NotFound($"Import {import.Id} has no file.");
        }

        var path = await files.GetLocalPathAsync(import, cancellationToken);
        if (path.Failed)
        {
            return path.Problem;
        }

        var contentType = ContentTypes.TryGetContentType(import.FileName, out var type) ? type : "application/octet-stream";
        try
        {
            var stream = new FileStream(path.Value, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81_920,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            return new Download(stream, DownloadNames.OriginalFile(import.FileName, import.Id), contentType);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return files.Unreadable(import, path.Value, e.Message);
        }
    }

    /// <summary>The cells of the import corrected on their own (at most <c>CorrectionChanges.MaxCells</c>), by row and column letter.</summary>
    private async Task<HashSet<(int Row, string Column)>> CorrectedCellsAsync(int importId, CancellationToken cancellationToken) =>
        [.. (await db.ImportCellCorrections.AsNoTracking().Where(c => c.ImportId == importId)
                .Select(c => new { c.Row, c.Column }).ToListAsync(cancellationToken))
            .Select(c => (c.Row, c.Column.ToUpperInvariant()))];

    public async Task<ImportPage> PageAsync(Rollout rollout, ClientImport import, CancellationToken cancellationToken,
        bool review = false, ListPosition? rows = null, string? column = null, string? message = null,
        CheckResult? check = null, ReplacementProposal? proposal = null, IReadOnlyList<RevertConflict>? revertConflicts = null,
        string? correctionsAfter = null, string? messageAt = null)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(import);
        var mapping = ImportMapping.FromJson(import.Mapping);
        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, cancellationToken);
        var options = ParseOptions.FromJson(import.ParseOptions);
        IReadOnlyList<ImportColumn> columns = [];
        IReadOnlyList<SourceRow> preview = [];
        IReadOnlyList<string> warnings = [];
        IReadOnlyList<MappingIssue> mappingErrors = [];
        IReadOnlyList<MappingIssue> mappingWarnings = [];
        SpreadsheetFormat? format = null;
        IReadOnlyList<SheetInfo> sheets = [];
        string? fileProblem = null;
        var fileMissing = false;
        var described = await imports.DescribeFileAsync(import, cancellationToken);
        if (described.Succeeded)
        {
            var file = described.Value;
            format = file.Format;
            sheets = [.. file.Sheets.Where(s => !s.Hidden || s.Name == file.Sheet)];
            options = file.Options;
            columns = [.. file.Columns.Select(c => new ImportColumn(c.Letter, c.Header,
                [.. file.SampleRows.Take(SampleCount).Select(r => r[c.Index])], c.Index))];
            preview = [.. file.SampleRows.Take(ImportFileView.PreviewRows)];
            warnings = [.. file.Warnings.Select(w => w.Message)];
            var validation = MappingValidation.Validate(mapping, file.Columns, definition);
            mappingErrors = validation.Errors;
            mappingWarnings = validation.Warnings;
        }
        else
        {
            fileProblem = described.Problem.Message;
            fileMissing = described.Problem.Kind == ProblemKind.Gone;
        }

        var errors = new KeysetPage<ImportRowError>([], null, null);
        IReadOnlyList<ErrorColumnCount> counts = [];
        IReadOnlyList<FailingValue> failingValues = [];
        var total = 0;
        var listed = new FailedRowsListed(0, 0);
        int? fromRow = null;
        string? errorsRestart = null;
        var earlier = 0;
        column = FailedRows.Column(column);
        if (import.Status == ImportStatus.Failed)
        {
            // A cell corrected on its own keeps its correction (a replacement leaves it alone): its value is not offered,
            // nor counted among the cells a replacement would change.
            failingValues = [.. (await db.ImportRowErrors.Where(e => e.ImportId == import.Id && e.Column != null
                        && !db.ImportCellCorrections.Any(c => c.ImportId == e.ImportId && c.Row == e.Row && c.Column == e.Column))
                    .GroupBy(e => new { e.Column, e.Header, e.Value })
                    .Select(g => new { g.Key.Column, g.Key.Header, g.Key.Value, Count = g.Select(e => e.Row).Distinct().Count() })
                    .OrderByDescending(g => g.Count).Take(MaxFailingValues)
                    .ToListAsync(cancellationToken))
                .Select(g => g.Column is { } letter ? new FailingValue(letter, g.Header, g.Value ?? "", g.Count) : null)
                .OfType<FailingValue>()];
            // The errors of at most 100,000 failed rows are kept, at most 1,000,000 (ImportChecker.MaxListedRows and
            // MaxListedErrors): their counts per column are bounded, and they count the rows listed. A cell can fail more
            // than once (a multi-selection with two unknown options), so a column's failing rows and failing values are
            // counted by row, its errors apart (decision 0186).
            counts = [.. (await db.ImportRowErrors.Where(e => e.ImportId == import.Id).GroupBy(e => new { e.Column, e.Header })
                    .Select(g => new { g.Key.Column, g.Key.Header, Errors = g.Count(), Rows = g.Select(e => e.Row).Distinct().Count() })
                    .ToListAsync(cancellationToken))
                .OrderBy(c => c.Column is null ? int.MaxValue : ColumnLetters.ToIndex(c.Column))
                .Select(c => new ErrorColumnCount(c.Column, c.Header, c.Rows, c.Errors))];
            total = counts.Where(c => column is null || c.Column == column).Sum(c => c.Errors);
            listed = await FailedRows.ListedAsync(db, import, cancellationToken);
            // Listed from a row on (a correction's redirect, after=12.0) when every failed row fits on one page: all of
            // them, that row among them, rather than a page that hides the rows before it behind Previous.
            fromRow = FailedRows.FromRow(rows?.After);
            if (fromRow is not null && total <= ImportPage.ErrorPageSize)
            {
                rows = ListPosition.First;
            }

            // A Next or Previous of a run replaced since: the first page, saying so (decision 0109).
            if (rows is not null && await FailedRows.RanAgainAsync(db, import.Id, rows, cancellationToken))
            {
                (rows, errorsRestart) = (ListPosition.First, FailedRows.RanAgain);
            }

            errors = await FailedRows.PageAsync(db, import.Id, column, rows ?? ListPosition.First, ImportPage.ErrorPageSize,
                cancellationToken);
            // A page after the first says how many failed rows come before it.
            if (errors.HasPrevious && errors.Items.Count > 0)
            {
                earlier = await FailedRows.RowsBeforeAsync(db, import.Id, column, errors.Items[0].Row, cancellationToken);
            }
        }

        if (check is not null)
        {
            // Errors of the import as a whole (no column) have no failing value; a cell corrected on its own is not
            // offered either (its failing value is its correction, which no replacement changes).
            var correctedCells = await CorrectedCellsAsync(import.Id, cancellationToken);
            failingValues = [.. check.Errors
                .Where(e => e.Column is null || !correctedCells.Contains((e.Row, e.Column.ToUpperInvariant())))
                .GroupBy(e => (e.Column, e.Header, Value: e.Value ?? ""))
                .Select(g => g.Key.Column is { } letter
                    ? new FailingValue(letter, g.Key.Header, g.Key.Value, g.Select(e => e.Row).Distinct().Count()) : null)
                .OfType<FailingValue>()
                .OrderByDescending(v => v.Count).Take(MaxFailingValues)];
        }

        if (check is not null && check.Errors.Count > MaxCheckErrorsShown)
        {
            check = check with { Errors = [.. check.Errors.Take(MaxCheckErrorsShown)] };
        }

        // The corrections card lists a page of the corrected cells, newest first; the failing cells listed get their own.
        var (corrected, olderCorrections, correctionsFrom) =
            await ImportCorrections.NewestAsync(db, import.Id, correctionsAfter, cancellationToken);
        var correctionCounts = await ImportCorrections.CountAsync(db, import.Id, cancellationToken);
        var listedRows = errors.Items.Select(e => e.Row).Concat(check?.Errors.Select(e => e.Row) ?? []).ToHashSet();
        var listedCorrections = correctionCounts.Cells == 0 ? new Dictionary<(int, string), CellCorrectionDto>()
            : await ImportCorrections.OfRowsAsync(db, import.Id, listedRows, cancellationToken);

        // The later imports of the inventory (a failed import's page lists the first ten and counts the others, only when
        // there are more), and the one just before this import, which every import's page links back to.
        var sameInventory = db.Imports.AsNoTracking().Where(i => i.InventoryId == import.InventoryId);
        List<LaterImport> later = [];
        var laterCount = 0;
        if (import.Status == ImportStatus.Failed)
        {
            later = await sameInventory.Where(i => i.Id > import.Id)
                .OrderBy(i => i.Id).Take(MaxLaterImports + 1)
                .Select(i => new LaterImport(i.Id, i.Status, i.FileName, i.CreatedAt))
                .ToListAsync(cancellationToken);
            laterCount = later.Count > MaxLaterImports
                ? await sameInventory.CountAsync(i => i.Id > import.Id, cancellationToken)
                : later.Count;
            later = [.. later.Take(MaxLaterImports)];
        }

        var earlierImport = await sameInventory.Where(i => i.Id < import.Id).OrderByDescending(i => i.Id)
            .Select(i => new LaterImport(i.Id, i.Status, i.FileName, i.CreatedAt))
            .FirstOrDefaultAsync(cancellationToken);

        var restored = import.Status == ImportStatus.Reverted ? await RevertRestoredAsync(db, import.Id, cancellationToken) : 0;

        return new ImportPage
        {
            Rollout = rollout,
            Import = import,
            Review = review,
            Options = options,
            Format = format,
            Sheets = sheets,
            Columns = columns,
            Preview = preview,
            Warnings = warnings,
            FileProblem = fileProblem,
            FileMissing = fileMissing,
            Mapping = mapping,
            MappingErrors = mappingErrors,
            MappingWarnings = mappingWarnings,
            CustomFields = definition.CustomFields,
            Message = message,
            MessageAt = messageAt,
            Check = check,
            Errors = errors.Items,
            ErrorCounts = counts,
            ErrorTotal = total,
            Listed = listed,
            ErrorsBefore = errors.Previous,
            ErrorsAfter = errors.Next,
            ErrorsRestart = errorsRestart,
            ErrorsFromRow = fromRow,
            EarlierFailedRows = earlier,
            ErrorColumn = column,
            Corrections = new CorrectionsDto(corrected, correctionCounts.Replacements == 0 ? []
                : await ImportCorrections.ReplacementsAsync(db, import.Id, cancellationToken)),
            CorrectedCellCount = correctionCounts.Cells,
            CorrectionsAfter = correctionsFrom,
            CorrectionsOlder = olderCorrections,
            ListedCellCorrections = listedCorrections,
            Editors = review || !ImportStatusRules.CanCorrect(import.Status)
                ? new Dictionary<string, CellEditor>()
                : await CellEditors.LoadAsync(db, rollout.Id, mapping, definition, cancellationToken),
            FailingValues = failingValues,
            Proposal = proposal,
            LaterImports = later,
            LaterImportCount = laterCount,
            EarlierImport = earlierImport,
            Runs = await ImportRunHistory.ReadAsync(db, import, cancellationToken),
            RevertConflicts = revertConflicts ?? [],
            RevertRestoredCount = restored,
            // A failed rows report uploaded as this import: what it is of, before anything else (decision 0101).
            ReportOrigin = await imports.DescribeReportOriginAsync(import, cancellationToken),
        };
    }

    /// <summary>
    /// The clients a finished revert set back to what they had before: one history entry "reverted import #N" each
    /// (through the history's import index); the page and the API's <c>revert.restored</c> (decision 0066).
    /// </summary>
    public static Task<int> RevertRestoredAsync(RolloutDbContext db, int importId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.ClientHistory.CountAsync(h => h.ImportId == importId && h.Action == ClientHistoryAction.Reverted, cancellationToken);
    }
}
