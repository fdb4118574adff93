using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.DataProtection;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reverting;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Web.Features.Errors;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

public sealed record ImportListItem(
    int Id,
    ImportStatus Status,
    string FileName,
    string Inventory,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Created,
    int Updated,
    int FailedRows)
{
    public TimeSpan? Duration => StartedAt is { } start && FinishedAt is { } end ? end - start : null;
}

/// <summary>A page of the rollout's imports, newest first.</summary>
/// <param name="Status">The status filter; <paramref name="File"/> a part of the file name; <paramref name="Count"/> the
/// imports these filters keep (null without them; decision 0107).</param>
public sealed record ImportList(Rollout Rollout, KeysetPage<ImportListItem> Page, string? Message = null,
    ImportListInventory? Inventory = null, string? Error = null, ImportStatus? Status = null, string? File = null, int? Count = null)
{
    public const int PageSize = 50;

    /// <summary>The list's address with its filters: the pager's base.</summary>
    public string Path => PathWith(Status, File);

    /// <summary>The list of the inventory filter (if any) without the status and file filters (the form's "Clear").</summary>
    public string Unfiltered => PathWith(null, null);

    public bool IsFiltered => Status is not null || File is not null;

    /// <summary>"3 imports with status Failed whose file name contains “q3”" (null without the filters).</summary>
    public string? CountText => Count is { } count
        ? ImportNumbers.Count(count, "import", "imports")
          + (Status is { } status ? " with status " + ImportStatusDisplay.Name(status) : "")
          + (File is { } file ? $" whose file name contains “{file}”" : "")
        : null;

    private string PathWith(ImportStatus? status, string? file)
    {
        var query = new List<string>();
        if (Inventory is { } only)
        {
            query.Add("inventory=" + only.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (status is { } kept)
        {
            query.Add("status=" + kept.ToString());
        }

        if (file is not null)
        {
            query.Add("file=" + Uri.EscapeDataString(file));
        }

        return $"/rollouts/{Rollout.Identifier}/imports" + (query.Count == 0 ? "" : "?" + string.Join("&", query));
    }

    public IReadOnlyList<ImportListItem> Imports => Page.Items;
}

/// <summary>An import on the key account managers' review page, with its rollout.</summary>
public sealed record ReviewListItem(
    int Id,
    ImportStatus Status,
    string RolloutIdentifier,
    string Rollout,
    string Inventory,
    string FileName,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    int Created,
    int Updated,
    int FailedRows,
    string? ApprovedBy = null,
    DateTimeOffset? ApprovedAt = null,
    DateTimeOffset? LastActivityAt = null);

/// <summary>
/// A page of the imports a key account manager reviews: failed ones first, then the others, each by latest activity,
/// newest first; filtered by <see cref="Rollout"/> (an identifier) or <see cref="Query"/> (the rollouts whose name or
/// identifier contains it, decision 0132) and <see cref="Status"/> when given, with the reason a filter was refused
/// (<see cref="Error"/>).
/// </summary>
public sealed record ReviewList(KeysetPage<ReviewListItem> Page,
    string? Rollout = null, ImportStatus? Status = null, string? Error = null, ImportListInventory? Inventory = null,
    string? Query = null)
{
    /// <summary>The list's address with its filters: the pager's base, and what a bookmark keeps.</summary>
    public string Path
    {
        get
        {
            var query = new List<string>();
            if (Rollout is not null)
            {
                query.Add("rollout=" + Uri.EscapeDataString(Rollout));
            }

            if (Query is not null)
            {
                query.Add("q=" + Uri.EscapeDataString(Query));
            }

            if (Status is { } status)
            {
                query.Add("status=" + status);
            }

            if (Inventory is { } inventory)
            {
                query.Add("inventory=" + inventory.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return query.Count == 0 ? "/reviews" : "/reviews?" + string.Join("&", query);
        }
    }

    public const int PageSize = 50;

    public IReadOnlyList<ReviewListItem> Imports => Page.Items;
}

/// <summary>Step 1: the inventory and the file; <see cref="Error"/> is the reason the last upload was refused.</summary>
public sealed record NewImport(Rollout Rollout, IReadOnlyList<Inventory> Inventories, int? InventoryId)
{
    /// <summary>
    /// The key of this page's upload, new with each page load and posted before the file: the same form sent twice (a
    /// double click without script, Back and Upload again) makes one import, and the second post opens it (decision 0147).
    /// </summary>
    public string UploadKey { get; } = Guid.NewGuid().ToString("N");
}

/// <summary>A column of the file (its zero-based <see cref="Index"/> in a row) with its first sample values.</summary>
public sealed record ImportColumn(string Letter, string Header, IReadOnlyList<string?> Samples, int Index = 0);

/// <summary>
/// Failed rows per column (letter and header), for the filter: <see cref="Count"/> the rows failing in the column,
/// <see cref="Errors"/> their errors there (more when a cell fails more than once, as a multi-selection's unknown options).
/// </summary>
public sealed record ErrorColumnCount(string? Column, string? Header, int Count, int Errors);

/// <summary>A value that failed in a column, and in how many cells: what "Replace every …" offers.</summary>
public sealed record FailingValue(string Column, string? Header, string Value, int Count);

/// <summary>
/// One failing cell of the failed rows or the check, with its editor (<c>_CellEditor.cshtml</c>). <see cref="MessageId"/>
/// is the id of the table cell holding the cell's message: the editor is described by it, so a screen reader reads the
/// message with the field. <see cref="EditorId"/> is the id of its box or list, which its label names.
/// </summary>
public sealed record CellEditorView(ImportPage Page, int Row, string? Column, string? Value, string MessageId)
{
    public string EditorId => (MessageId.EndsWith("-message", StringComparison.Ordinal) ? MessageId[..^"-message".Length] : MessageId) + "-correction";
}

/// <summary>A later import of the same inventory, linked from a failed import's page; or the earlier one, linked from every import's page.</summary>
public sealed record LaterImport(int Id, ImportStatus Status, string FileName, DateTimeOffset CreatedAt);

/// <summary>The inventory an imports list is filtered by.</summary>
public sealed record ImportListInventory(int Id, string Name);

/// <summary>A replacement shown before it is applied: how many cells it changes, the first rows.</summary>
public sealed record ReplacementProposal(string Column, string? Field, string From, string To, int Cells, IReadOnlyList<int> Rows);

/// <summary>
/// An import the rollout does not hold (any more): discarded in another tab, deleted with its inventory, or never one of
/// this rollout. The page says so and links to the rollout's imports, or in the review (<paramref name="Review"/>) to
/// the reviews, which the user may see; it tells nothing about imports of other rollouts.
/// </summary>
public sealed record ImportGone(Rollout Rollout, int Id, bool Review = false, ImportElsewhere? Elsewhere = null);

/// <summary>The rollout that holds an import asked for in another one, and the address of its page there.</summary>
public sealed record ImportElsewhere(string RolloutName, string Path);

/// <summary>
/// A download of the import the page offers no more, or never did (an error report of an import without failed rows,
/// its file no longer readable): the reason, with the way back to the import's page (the review's for a reviewer).
/// </summary>
public sealed record ImportDownloadRefused(Rollout Rollout, int Id, string Title, string Message, bool Review = false)
{
    public string ImportPath => Review ? $"/reviews/{Rollout.Identifier}/imports/{Id}" : $"/rollouts/{Rollout.Identifier}/imports/{Id}";
}

/// <summary>"Discard import #N?" or "Revert import #N?": the step explained, with the form that does it (confirmed=true).</summary>
public sealed record ImportConfirmation(Rollout Rollout, ClientImport Import)
{
    public string BasePath => $"/rollouts/{Rollout.Identifier}/imports/{Import.Id}";

    /// <summary>
    /// The key of this page's form, new with each page load: the revert's form posted twice (a double click, sent again
    /// after Back) asks for one revert and is answered as the first (decision 0146).
    /// </summary>
    public string RequestKey { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// What the discard's form says of the import it discards (<see cref="DiscardedImport"/>), protected: its second post,
    /// which finds the import gone, is answered as the first was (decision 0148).
    /// </summary>
    public string? DiscardToken { get; init; }
}

/// <summary>
/// The import a discard's confirmation page showed, as its form carries it (protected by the app's data protection, for
/// the user who loaded it): a discard's form posted again after the first deleted the import lands where the first did,
/// "Import #N (file) was discarded", though nothing of the import is kept (decision 0148). It holds the inventory, so a
/// form posted after the inventory was deleted (with its imports) says that instead, and when the page was loaded
/// (<see cref="IssuedAt"/>): it is honoured for <see cref="Lifetime"/>, as the idempotency keys are (decision 0152).
/// </summary>
public sealed record DiscardedImport(int RolloutId, int ImportId, int UserId, string FileName, int InventoryId, DateTimeOffset IssuedAt)
{
    /// <summary>How long a discard's form is answered as the first post once its import is gone (a day, as idempotency keys).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const string Purpose = "Rollouter.Import.DiscardForm.v2";

    public string Protect(IDataProtectionProvider protection) =>
        protection.CreateProtector(Purpose).Protect(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{RolloutId}|{ImportId}|{UserId}|{InventoryId}|{IssuedAt.ToUnixTimeSeconds()}|{FileName}"));

    /// <summary>Whether the form is too old to be answered as its first post at <paramref name="now"/>.</summary>
    public bool ExpiredAt(DateTimeOffset now) => now - IssuedAt > Lifetime || IssuedAt - now > TimeSpan.FromMinutes(5);

    /// <summary>The import the token names, or null for a token that is not one of this app's (or is damaged).</summary>
    public static DiscardedImport? Unprotect(IDataProtectionProvider protection, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        string text;
        try
        {
            text = protection.CreateProtector(Purpose).Unprotect(token);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }

        var parts = text.Split('|', 6);
        var style = System.Globalization.NumberStyles.None;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return parts.Length == 6 && int.TryParse(parts[0], style, culture, out var rollout)
               && int.TryParse(parts[1], style, culture, out var import) && int.TryParse(parts[2], style, culture, out var user)
               && int.TryParse(parts[3], style, culture, out var inventory) && long.TryParse(parts[4], style, culture, out var issued)
               && issued <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? new DiscardedImport(rollout, import, user, parts[5], inventory, DateTimeOffset.FromUnixTimeSeconds(issued))
            : null;
    }
}

/// <summary>The import's page: file, detection, mapping form, check result, progress and result.</summary>
public sealed class ImportPage
{
    public const int ErrorPageSize = 50;

    /// <summary>
    /// The import's file is a failed rows report (decision 0101): of which import, and whether its values can be applied
    /// to that import instead of importing it alone; null for any other file, or once the import has been approved.
    /// </summary>
    public ReportOrigin? ReportOrigin { get; init; }

    public required Rollout Rollout { get; init; }

    public required ClientImport Import { get; init; }

    /// <summary>
    /// The key account managers' read-only review (under /reviews): no file settings, mapping, check or approval forms.
    /// </summary>
    public bool Review { get; init; }

    public required ParseOptions Options { get; init; }

    public SpreadsheetFormat? Format { get; init; }

    /// <summary>The file's format as the page names it: "CSV", "XLSX", "ODS".</summary>
    public string FormatName => Format?.ToString().ToUpperInvariant() ?? "";

    /// <summary>The encodings File settings offers (value, name); the File card names the detected one the same way.</summary>
    public static IReadOnlyList<(string Value, string Name)> Encodings { get; } =
    [
        ("utf-8", "UTF-8"), ("utf-16", "UTF-16 (little endian)"), ("utf-16BE", "UTF-16 (big endian)"), ("windows-1252", "Windows-1252"),
        ("macintosh", "Mac Roman (Excel for Mac)"), ("ibm850", "DOS (code page 850)"),
    ];

    /// <summary>"UTF-8" for utf-8: an encoding by its name in <see cref="Encodings"/>, another as the reader named it.</summary>
    public static string EncodingName(string encoding) =>
        Encodings.FirstOrDefault(e => string.Equals(e.Value, encoding, StringComparison.OrdinalIgnoreCase)).Name ?? encoding;

    /// <summary>
    /// The workbook's sheets to choose from (hidden ones left out unless chosen), each with its rows that hold a value;
    /// empty for CSV.
    /// </summary>
    public IReadOnlyList<SheetInfo> Sheets { get; init; } = [];

    /// <summary>"Clients (1,204 rows)": a sheet as the page lists it.</summary>
    public static string SheetLabel(SheetInfo sheet) => sheet.Rows is int rows
        ? $"{sheet.Name} ({rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {(rows == 1 ? "row" : "rows")})"
        : sheet.Name;

    public IReadOnlyList<ImportColumn> Columns { get; init; } = [];

    /// <summary>The file's first rows below the header (at most <see cref="ImportFileView.PreviewRows"/>), as the grid shows them.</summary>
    public IReadOnlyList<SourceRow> Preview { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Why the file's columns and samples cannot be shown (a file the reader refuses, a full disk, a file gone).</summary>
    public string? FileProblem { get; init; }

    /// <summary>
    /// The kept file is no longer on the server, or cannot be read there (<see cref="FileProblem"/> says which): the page
    /// offers no download of it.
    /// </summary>
    public bool FileMissing { get; init; }

    public required ImportMapping Mapping { get; init; }

    public IReadOnlyList<MappingIssue> MappingErrors { get; init; } = [];

    public IReadOnlyList<MappingIssue> MappingWarnings { get; init; } = [];

    public required IReadOnlyList<CustomField> CustomFields { get; init; }

    /// <summary>
    /// Up to this many custom fields, each column's "Import into" lists them all; beyond, it lists the default fields, the
    /// column's own field and "Another custom field…", whose box searches one list of the fields written once on the
    /// page (decision 0079): 209 fields and 500 columns wrote 119,312 options, a 12 MB page.
    /// </summary>
    public const int FieldsInEverySelect = 20;

    /// <summary>Whether each column picks a custom field from the page's one list (<see cref="FieldsInEverySelect"/>).</summary>
    public bool FieldsListedOnce => CustomFields.Count > FieldsInEverySelect;

    public string? Message { get; init; }

    /// <summary>
    /// Where <see cref="Message"/> belongs: <see cref="FailedRowsAnchor"/> or <see cref="CorrectionsAnchor"/> (a cell
    /// corrected, a value replaced), shown at the top of that card, where the reader is; null for the top of the page.
    /// </summary>
    public string? MessageAt { get; init; }

    /// <summary>The message for the top of the page: one that belongs to a card the page does not show falls back here.</summary>
    public string? TopMessage => MessageFor(FailedRowsAnchor) is null && MessageFor(CorrectionsAnchor) is null ? Message : null;

    /// <summary>The message to show at the top of the card <paramref name="place"/>, when it belongs there and the card is shown.</summary>
    public string? MessageFor(string place) => MessageAt == place && place switch
    {
        FailedRowsAnchor => Import.Status == ImportStatus.Failed && ErrorCounts.Count > 0,
        CorrectionsAnchor => CorrectedCellCount > 0 || Corrections.Replacements.Count > 0,
        _ => false,
    } ? Message : null;

    /// <summary>The id of a card's message (<see cref="MessageFor"/>): the fragment a correction's redirect names.</summary>
    public static string StatusAnchor(string place) => place + "-status";

    public const string CorrectionsAnchor = "corrections";

    /// <summary>The id of a failed row's line (a row and column; "failed-7" for an error of the whole row).</summary>
    public static string RowAnchor(int row, string? column) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"failed-{row}") + (column is null ? "" : "-" + column);

    /// <summary>The id of a failing cell's message in the failed rows ("failed-…") or the check ("check-…").</summary>
    public static string MessageAnchor(string table, int row, string? column) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{table}-{row}") + (column is null ? "" : "-" + column) + "-message";

    public CheckResult? Check { get; init; }

    public IReadOnlyList<ImportRowError> Errors { get; init; } = [];

    public IReadOnlyList<ErrorColumnCount> ErrorCounts { get; init; } = [];

    /// <summary>
    /// The errors of the failed rows in the column filter (all columns without one): a row that fails in several cells
    /// counts once for each (the import's <c>FailedRowCount</c> counts the rows).
    /// </summary>
    public int ErrorTotal { get; init; }

    /// <summary>The import's failed rows and how many are listed: the counts and the total are of those listed.</summary>
    public FailedRowsListed Listed { get; init; } = new(0, 0);

    /// <summary>The cursor of the Previous link of the failed rows (before=), null on the first page.</summary>
    public string? ErrorsBefore { get; init; }

    /// <summary>The cursor of the Next link of the failed rows (after=), null on the last page.</summary>
    public string? ErrorsAfter { get; init; }

    /// <summary>Why the failed rows start at the first page although Next or Previous was followed: the import ran again since.</summary>
    public string? ErrorsRestart { get; init; }

    /// <summary>
    /// The row the failed rows were asked to start at (a correction's redirect, <c>after=12.0</c>), or null. When every
    /// failed row fits on one page they are all listed from the first, and the card's message is shown above that row.
    /// </summary>
    public int? ErrorsFromRow { get; init; }

    /// <summary>How many failed rows (in the column filter) come before the first one listed: 0 on the first page.</summary>
    public int EarlierFailedRows { get; init; }

    /// <summary>The failed rows' Previous page, as the pager links it.</summary>
    public string? ErrorsPreviousLink => ErrorsBefore is { } before
        ? ErrorPath(ErrorColumn) + (ErrorColumn is null ? "?" : "&") + "before=" + Uri.EscapeDataString(before) + "#" + FailedRowsAnchor
        : null;

    public string? ErrorColumn { get; init; }

    /// <summary>
    /// The corrections card's cells (the newest <see cref="ImportCorrections.PageSize"/>, or those older than
    /// <see cref="CorrectionsAfter"/>) and every value replacement of this import (who, when, old → new).
    /// </summary>
    public CorrectionsDto Corrections { get; init; } = new([], []);

    /// <summary>The cells corrected on this import in all (the card lists a page of them).</summary>
    public int CorrectedCellCount { get; init; }

    /// <summary>Where the card's list starts (corrections-after=): null for the newest.</summary>
    public string? CorrectionsAfter { get; init; }

    /// <summary>The corrections-after= of the card's older corrections, null when it shows the oldest.</summary>
    public string? CorrectionsOlder { get; init; }

    /// <summary>The corrections of the failing cells this page lists (failed rows, check), by row and column letter.</summary>
    public IReadOnlyDictionary<(int Row, string Column), CellCorrectionDto> ListedCellCorrections { get; init; } =
        new Dictionary<(int, string), CellCorrectionDto>();

    /// <summary>The link to the card's corrections older than <paramref name="after"/> (the newest for null).</summary>
    public string CorrectionsLink(string? after) =>
        (after is null ? BasePath : $"{BasePath}?corrections-after={Uri.EscapeDataString(after)}") + "#corrections";

    /// <summary>How each mapped column's failing cells are edited (by column letter).</summary>
    public IReadOnlyDictionary<string, CellEditor> Editors { get; init; } = new Dictionary<string, CellEditor>();

    /// <summary>The values that failed most often, by column, for "Replace every …".</summary>
    public IReadOnlyList<FailingValue> FailingValues { get; init; } = [];

    /// <summary>A replacement to confirm (after "Preview").</summary>
    public ReplacementProposal? Proposal { get; init; }

    /// <summary>The imports of the same inventory made after this one, the first <see cref="ImportsPageBuilder.MaxLaterImports"/>.</summary>
    public IReadOnlyList<LaterImport> LaterImports { get; init; } = [];

    /// <summary>How many imports of the same inventory were made after this one (<see cref="LaterImports"/> lists the first of them).</summary>
    public int LaterImportCount { get; init; }

    /// <summary>The import of the same inventory made just before this one, if any.</summary>
    public LaterImport? EarlierImport { get; init; }

    /// <summary>
    /// Every later import, listed: the wizard's imports list of the inventory from the page after this import (its
    /// keyset <c>before=</c>), or the reviews of the inventory for a reviewer.
    /// </summary>
    public string LaterImportsListPath => Review
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"/reviews?rollout={Uri.EscapeDataString(Rollout.Identifier)}&inventory={Import.InventoryId}")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"/rollouts/{Rollout.Identifier}/imports?inventory={Import.InventoryId}&before={Import.Id}");

    /// <summary>The page of an import of this rollout, in the wizard or the review as this page is.</summary>
    public string ImportPath(int id) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"/{(Review ? "reviews" : "rollouts")}/{Rollout.Identifier}/imports/{id}");

    /// <summary>The import's runs, newest first: the latest (the one this page's status, counts and failed rows are of) and the earlier ones.</summary>
    public IReadOnlyList<ImportRunEntry> Runs { get; init; } = [];

    /// <summary>The runs before the latest, newest first ("Earlier runs"): every run when the import was not approved since its last.</summary>
    public IReadOnlyList<ImportRunEntry> EarlierRuns => [.. Runs.Where(r => !r.Latest)];

    /// <summary>The earlier runs older than those listed (<see cref="ImportRunHistory.EarlierShown"/> at most are).</summary>
    public int EarlierRunsNotShown => ImportRunHistory.NotShown(Runs);

    /// <summary>The run the import carries now, if it was approved since its last run was kept.</summary>
    public ImportRunEntry? LatestRun => Runs.FirstOrDefault(r => r.Latest);

    /// <summary>
    /// Cells can be corrected and values replaced: <see cref="ImportStatusRules.CanCorrect"/>, not in a review, and not
    /// once the uploaded file is gone (a correction names a cell of it; decision 0151).
    /// </summary>
    public bool Correctable => !Review && ImportStatusRules.CanCorrect(Import.Status) && !FileMissing;

    /// <summary>
    /// Why the failed rows show no values: their file was deleted under the retention of uploaded files, and the cells'
    /// values with it (decision 0136); null while they are kept.
    /// </summary>
    public string? ValuesDeleted => Import.FileDeletedAt is { } deletedAt ? ImportFileStore.ValuesDeletedMessage(deletedAt) : null;

    /// <summary>The correction of a cell, if it has one.</summary>
    public CellCorrectionDto? CorrectionOf(int row, string? column) => column is null ? null
        : ListedCellCorrections.GetValueOrDefault((row, column.ToUpperInvariant()));

    /// <summary>The replacement that applies to a cell's value, if any (a cell corrected on its own keeps its correction).</summary>
    public ReplacementDto? ReplacementOf(string? column, string? value) => column is null ? null
        : Corrections.Replacements.FirstOrDefault(r => string.Equals(r.Column, column, StringComparison.OrdinalIgnoreCase)
                                                       && r.From == Importing.Corrections.CellCorrections.Key(value));

    /// <summary>
    /// Whether "Replace every …" can take this failing value: a replacement's values are at most
    /// <see cref="Importing.Corrections.CorrectionChanges.MaxReplacementLength"/> characters (as the preview checks them),
    /// so a longer one is corrected in its cell or in the file.
    /// </summary>
    public static bool Replaceable(string value) =>
        Importing.Corrections.CellCorrections.Key(value).Length <= Importing.Corrections.CorrectionChanges.MaxReplacementLength;

    public CellEditor? EditorOf(string? column) => column is not null && Editors.TryGetValue(column, out var editor) ? editor : null;

    /// <summary>The clients changed since the import, when a revert was just refused for them.</summary>
    public IReadOnlyList<RevertConflict> RevertConflicts { get; init; } = [];

    /// <summary>
    /// A Reverted import's clients set back to what they had before (the ones it created, deleted, are its
    /// <see cref="ClientImport.CreatedCount"/>); 0 for any other status.
    /// </summary>
    public int RevertRestoredCount { get; init; }

    /// <summary>"Revert this import": a Completed import with no revert running, in the wizard (not the review).</summary>
    public bool Revertable => !Review && ImportStatusRules.RefuseRevert(Import) is null;

    public bool Reverting => ImportStatusRules.IsReverting(Import);

    /// <summary>
    /// The mapping form (and the file settings) can be saved: <see cref="ImportStatusRules.CanEditMapping"/>, while the
    /// uploaded file is there (the mapping is checked against its columns; decision 0151).
    /// </summary>
    public bool Editable => !Review && ImportStatusRules.CanEditMapping(Import.Status) && !FileMissing;

    public bool FileSettingsEditable => !Review && ImportStatusRules.CanChangeFileSettings(Import.Status) && !FileMissing;

    /// <summary>Check reads every row of the uploaded file: not offered once it is gone (decision 0151).</summary>
    public bool Checkable => !Review && ImportStatusRules.CanCheck(Import.Status) && !FileMissing;

    /// <summary>
    /// The review's read-only Check (decision 0080): a link to the dry run of the saved assignment, where the status
    /// allows a check (Waiting for Approval, Failed); it writes nothing.
    /// </summary>
    public bool ReviewCheckable => Review && ImportStatusRules.CanCheck(Import.Status) && !FileMissing;

    /// <summary>A run reads the uploaded file: not offered once it is gone (decision 0151; the approval refuses it, 410).</summary>
    public bool Approvable => !Review && ImportStatusRules.CanApprove(Import.Status) && !FileMissing;

    /// <summary>
    /// What the import's status would allow (Check, Approve, corrections) but the missing file does not: said on the
    /// summary instead of the buttons (decision 0151); false while the file is there or the status allows none of them.
    /// </summary>
    public bool NeedsTheFileAgain => FileMissing && !Review && (ImportStatusRules.CanApprove(Import.Status)
        || ImportStatusRules.CanCheck(Import.Status) || ImportStatusRules.CanCorrect(Import.Status));

    /// <summary>An abandoned import that never ran can be thrown away: <see cref="ImportStatusRules.CanDiscard"/>.</summary>
    public bool Discardable => !Review && ImportStatusRules.CanDiscard(Import);

    /// <summary>
    /// The failed rows as a workbook (the review offers it too), made of the kept file's rows: not offered while the file
    /// is missing (the failed rows are still listed on the page).
    /// </summary>
    public bool ErrorReport => ImportStatusRules.CanDownloadErrorReport(Import) && !FileMissing;

    /// <summary>The page's address: under /reviews for a review, else the wizard's.</summary>
    public string BasePath => Review ? $"/reviews/{Rollout.Identifier}/imports/{Import.Id}" : WizardPath;

    public string WizardPath => $"/rollouts/{Rollout.Identifier}/imports/{Import.Id}";

    /// <summary>The failed rows from their start, filtered by a column letter or not (the pager adds its position).</summary>
    public string ErrorPath(string? column) =>
        BasePath + (column is null ? "" : "?column=" + Uri.EscapeDataString(column));

    /// <summary>
    /// The failed rows filtered by a column letter or not; the fragment brings the reader back to the failed rows
    /// instead of the top of the page.
    /// </summary>
    public string ErrorLink(string? column) => ErrorPath(column) + "#" + FailedRowsAnchor;

    public const string FailedRowsAnchor = "failed-rows";

    /// <summary>"B (Status)", the letter alone without a header, "(row)" for an error of the whole row.</summary>
    public static string ColumnName(string? letter, string? header) =>
        letter is null ? "(row)" : string.IsNullOrEmpty(header) ? letter : $"{letter} ({header})";

    /// <summary>A cell as the preview grid shows it: long texts cut, so that one cell does not widen the grid.</summary>
    public static string Cell(string? value) =>
        value is null ? "" : value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 79), "…");

    /// <summary>
    /// The import failed as a whole, not in its rows: no row failed and none is listed (the rollout's client limit, a
    /// file that cannot be read, a run interrupted too often, a field changed during the run, an unexpected error). Its
    /// page says so and what to do, never "correct the failing cells below".
    /// </summary>
    public bool FailedAsAWhole => Import.Status == ImportStatus.Failed && Import.FailedRowCount == 0 && ErrorCounts.Count == 0;

    /// <summary>
    /// Every error of the failed rows is one of the whole row, "(row)", with no cell to correct: a required field no
    /// column is mapped to, say. The page then offers only what can work (decision 0105), never "correct the failing
    /// cells below".
    /// </summary>
    public bool FailedWithoutCells => Import.Status == ImportStatus.Failed && ErrorCounts.Count > 0 && ErrorCounts.All(c => c.Column is null);

    /// <summary>The inventory's required fields that no column of the saved mapping imports into, by name.</summary>
    public IReadOnlyList<string> RequiredFieldsWithoutColumn =>
        [.. CustomFields.Where(f => f.Required && !Mapping.Columns.Any(c => string.Equals(c.Target, f.Name, StringComparison.Ordinal)))
            .Select(f => f.Name)];

    /// <summary>The line under the title: the status's explanation, by the kind of failure for a Failed import.</summary>
    public string StatusExplanation => ImportStatusDisplay.Explanation(Import.Status, Import.CreatedCount, Import.UpdatedCount,
        NameMapped, FailedAsAWhole, MappingNeedsAttention, Review, Import.RowCount ?? 0, Import.SkippedRowCount ?? 0);

    /// <summary>
    /// An import that was ready (Waiting for Approval, or Failed) whose saved mapping has errors now: a field it imports
    /// into was taken off the inventory since it was saved, say. Approve refuses it, naming the errors, until it is saved
    /// without them (<see cref="ImportStatusRules.RefuseMappingErrors"/>).
    /// </summary>
    public bool MappingNeedsAttention => Import.Status is (ImportStatus.WaitingForApproval or ImportStatus.Failed) && MappingErrors.Count > 0;

    /// <summary>A column of the saved mapping goes into Name.</summary>
    public bool NameMapped => Mapping.Columns.Any(c => c.Target == DefaultFields.Name);

    public ColumnMapping? MappingOf(string letter) =>
        Mapping.Columns.FirstOrDefault(c => string.Equals(c.Letter, letter, StringComparison.OrdinalIgnoreCase));

    public string TargetName(string? target) =>
        target is null ? "Do not import" : DefaultFields.IsDefault(target) ? DefaultFields.DisplayName(target)
        : IsMissingField(target) ? $"{target} (not a field of {Import.Inventory.Name})" : target;

    /// <summary>
    /// A saved target that is neither a default field nor one of the inventory's custom fields (as the mapping's check
    /// finds them, by exact name): a field taken off the inventory since the mapping was saved, or never one of it.
    /// </summary>
    public bool IsMissingField([NotNullWhen(true)] string? target) =>
        target is not null && !DefaultFields.IsDefault(target) && !CustomFields.Any(f => string.Equals(f.Name, target, StringComparison.Ordinal));

    /// <summary>
    /// The file reading this page shows (<see cref="ImportStamps.FileOf"/>): every form that names rows, columns or the
    /// file settings posts it, so a form of a page loaded before the file settings changed is refused (decision 0056).
    /// </summary>
    public string FileStamp => ImportStamps.FileOf(Import);

    /// <summary>The saved column-field assignment this page shows (<see cref="ImportStamps.MappingOf"/>), posted by the mapping form.</summary>
    public string MappingStamp => ImportStamps.MappingOf(Import);

    /// <summary>
    /// The key of this page's Approve, new with each page load and posted by the mapping form: the same form posted again
    /// (a double click, Back and Approve again) is answered as its first approval and starts no second run (decision 0145).
    /// </summary>
    public string ApprovalKey { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// A key a page's form posted (<see cref="ApprovalKey"/>, <see cref="ImportConfirmation.RequestKey"/>) as the import
    /// keeps it: "page:" and 1 to 64 printable ASCII characters; null for none or another.
    /// </summary>
    public static string? StoredKey(string? key) =>
        key is { Length: > 0 and <= 64 } && key.All(c => c is >= '!' and <= '~') ? "page:" + key : null;
}

/// <summary>The file settings form as posted; an empty value means "detect it".</summary>
public sealed class ParseOptionsForm
{
    public string? Sheet { get; set; }

    public int? HeaderRow { get; set; }

    /// <summary><c>,</c> <c>;</c> <c>|</c> <c>:</c>, "tab", or "other" for <see cref="DelimiterOther"/>.</summary>
    public string? Delimiter { get; set; }

    /// <summary>A delimiter of one's own (a tab or any printable ASCII character but a quote: ParseOptions.IsAllowedDelimiter), with "other".</summary>
    public string? DelimiterOther { get; set; }

    public string? Encoding { get; set; }

    public bool IncludeHiddenRows { get; set; }

    /// <summary>The file reading the page showed (<see cref="ImportPage.FileStamp"/>); absent: not checked.</summary>
    public string? FileStamp { get; set; }

    public ParseOptions ToOptions() => new(
        string.IsNullOrWhiteSpace(Sheet) ? null : Sheet,
        HeaderRow,
        Delimiter switch
        {
            null or "" => null,
            "tab" => '\t',
            "other" => string.IsNullOrEmpty(DelimiterOther) ? null : DelimiterOther[0],
            var d => d[0],
        },
        string.IsNullOrWhiteSpace(Encoding) ? null : Encoding,
        IncludeHiddenRows);
}

/// <summary>The mapping form as posted: one entry per column, plus "Update existing clients".</summary>
public sealed class MappingForm
{
    /// <summary>
    /// The values one column's row posts at most: Letter, Target, Lookup, CreateOptions, SeparatorChoice and Separator,
    /// and two more to spare.
    /// </summary>
    public const int ValuesPerColumn = 8;

    /// <summary>
    /// The values the form may post (Save mapping, Check and Approve): a row's at most for each column a file may have
    /// (500), and the antiforgery token, the stamps and Update existing with room to spare. ASP.NET Core's default of
    /// 1,024 refused a file of 205 columns or more with "Bad request".
    /// </summary>
    public const int MaxValues = Rollouter.Import.Importing.Reading.ReaderLimits.DefaultMaxColumns * ValuesPerColumn + 100;

    public bool UpdateExisting { get; set; }

    public List<ColumnForm> Columns { get; set; } = [];

    /// <summary>The file reading the page showed (<see cref="ImportPage.FileStamp"/>); absent: not checked.</summary>
    public string? FileStamp { get; set; }

    /// <summary>The saved assignment the page showed (<see cref="ImportPage.MappingStamp"/>); absent: not checked.</summary>
    public string? MappingStamp { get; set; }

    /// <summary>
    /// The key of the page's Approve (<see cref="ImportPage.ApprovalKey"/>, one per page load): the same form posted twice
    /// is one approval (decision 0145, as the API's <c>Idempotency-Key</c>, decision 0122); absent: not checked.
    /// </summary>
    public string? ApprovalKey { get; set; }

    /// <summary>What the page showed, as the import's steps compare it; null when the form carries neither fingerprint.</summary>
    public ImportStamps? Stamps => FileStamp is null && MappingStamp is null ? null : new ImportStamps(FileStamp, MappingStamp);

    /// <summary>
    /// The mapping the form means. A browser posts every row's options, also those hidden for the chosen target (the
    /// separator box always holds a value): only the ones that apply to the target are kept — lookup for Assignee and
    /// Client User, "create option" for selections, separator for multi-selections.
    /// </summary>
    public ImportMapping ToMapping(IReadOnlyList<CustomField> customFields) => new()
    {
        UpdateExisting = UpdateExisting,
        Columns = [.. Columns.Select(c =>
        {
            if (string.IsNullOrWhiteSpace(c.Letter))
            {
                return null;
            }

            var target = c.ChosenTarget;
            var field = customFields.FirstOrDefault(f => string.Equals(f.Name, target?.Trim(), StringComparison.OrdinalIgnoreCase));
            return new ColumnMapping
            {
                Letter = c.Letter,
                // A field typed in is stored as the field is named (the list's spelling), as one chosen from a list is.
                Target = string.IsNullOrWhiteSpace(target) ? null : c.Target == ColumnForm.AnotherField && field is not null ? field.Name : target,
                Lookup = DefaultFields.IsUser(target) ? c.Lookup : null,
                CreateOptions = c.CreateOptions && field?.HasOptions == true,
                Separator = field?.IsMultiValued != true ? null : SeparatorChoices.Resolve(c.SeparatorChoice, c.Separator),
            };
        }).OfType<ColumnMapping>()],
    };
}

/// <summary>A failing cell corrected on the import's page; <see cref="Remove"/> undoes its correction.</summary>
public sealed class CellCorrectionForm
{
    public int Row { get; set; }

    public string? Column { get; set; }

    /// <summary>The value to use; empty empties the cell.</summary>
    public string? Value { get; set; }

    public bool Remove { get; set; }

    /// <summary>The failed rows' column filter of the page the form was on, kept after the redirect.</summary>
    public string? Filter { get; set; }

    /// <summary>"corrections" when posted from the corrections card (back there), else back to the failed rows.</summary>
    public string? Back { get; set; }

    /// <summary>The file reading the page showed (<see cref="ImportPage.FileStamp"/>): its rows are that reading's.</summary>
    public string? FileStamp { get; set; }
}

/// <summary>"Replace every <see cref="From"/> in column <see cref="Column"/> with <see cref="To"/>"; <see cref="Remove"/> removes one.</summary>
public sealed class ReplacementForm
{
    public string? Column { get; set; }

    /// <summary>The value replaced; empty stands for empty cells.</summary>
    public string? From { get; set; }

    public string? To { get; set; }

    public bool Remove { get; set; }

    /// <summary>The file reading the page showed (<see cref="ImportPage.FileStamp"/>): its column letters are that reading's.</summary>
    public string? FileStamp { get; set; }
}

public sealed class ColumnForm
{
    public string? Letter { get; set; }

    public string? Target { get; set; }

    /// <summary>The <see cref="Target"/> that stands for the custom field typed in <see cref="Field"/>.</summary>
    public const string AnotherField = "*field";

    /// <summary>
    /// The custom field typed or chosen from the page's list, for <see cref="Target"/> <see cref="AnotherField"/> (an
    /// inventory with more fields than <see cref="ImportPage.FieldsInEverySelect"/>); ignored for any other target.
    /// </summary>
    public string? Field { get; set; }

    /// <summary>What the column is imported into: the field typed in for <see cref="AnotherField"/> (none when it is empty), else the target chosen.</summary>
    public string? ChosenTarget => Target == AnotherField ? Field?.Trim() : Target;

    public UserLookup? Lookup { get; set; }

    public bool CreateOptions { get; set; }

    /// <summary>The separator chosen from the list (<see cref="SeparatorChoices"/>): a separator, "newline", or "other".</summary>
    public string? SeparatorChoice { get; set; }

    /// <summary>The separator typed in, for "other" (or posted without a choice, as before the list).</summary>
    public string? Separator { get; set; }
}

/// <summary>
/// The value separators a multi-selection column offers on the page. A line break (Excel's Alt+Enter lists) cannot be
/// typed into a text box, so the page offers a list — the common separators, "Line break" and "Other" with a box — and
/// posts the choice by name ("newline"), never as the character.
/// </summary>
public static class SeparatorChoices
{
    public const string LineBreak = "newline";

    public const string Other = "other";

    /// <summary>The list's values and labels, in order; "Other" last.</summary>
    public static IReadOnlyList<(string Value, string Label)> All { get; } =
    [
        (";", "Semicolon (;)"), (",", "Comma (,)"), ("|", "Pipe (|)"), (LineBreak, "Line break"), (Other, "Other"),
    ];

    /// <summary>The list's value that stands for <paramref name="separator"/>: itself, "newline", or "other".</summary>
    public static string Choice(string separator) => separator switch
    {
        "\n" or "\r\n" => LineBreak,
        ";" or "," or "|" => separator,
        _ => Other,
    };

    /// <summary>
    /// The separator a posted row means: the chosen one, a line break for "newline", else the text typed in (no choice:
    /// a form posted without the list). Null (the default, ";") when nothing usable was given.
    /// </summary>
    public static string? Resolve(string? choice, string? typed) => choice switch
    {
        LineBreak => "\n",
        ";" or "," or "|" => choice,
        _ => string.IsNullOrWhiteSpace(typed) ? null : typed,
    };
}

/// <summary>
/// Counts as the import pages write them: grouped ("25,000"), the same whatever the server's culture, as the client
/// list and the settings write theirs.
/// </summary>
public static class ImportNumbers
{
    /// <summary>"25,000".</summary>
    public static string N(int count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An id in an address, without separators.</summary>
    public static string Id(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// What the dry run of an update found among the clients the file matches (decision 0091), after "the file matches
    /// 200,000 existing clients": ": 10 would change (PC-0000020, PC-0000040, …), 199,990 are already as in the file",
    /// and the clients without a row that an advanced link would change ("; 2 more clients would change through an
    /// advanced link"); empty when the file matches none.
    /// </summary>
    public static string MatchedOutcome(Rollouter.Import.Importing.Rules.CheckResult check)
    {
        var unchanged = check.Unchanged ?? 0;
        var changing = check.ToUpdate - unchanged;
        var text = "";
        if (check.ToUpdate > 0)
        {
            var names = check.ChangedClients.Count > 0
                ? $" ({string.Join(", ", check.ChangedClients)}{(changing > check.ChangedClients.Count ? ", …" : "")})"
                : "";
            text = $": {N(changing)} would change{names}, {N(unchanged)} {(unchanged == 1 ? "is" : "are")} already as in the file";
        }

        var throughLinks = check.ChangedThroughLinksOnly;
        if (throughLinks > 0)
        {
            text += $"; {Count(throughLinks, "more client", "more clients")} would change through an advanced link";
        }

        return text;
    }

    /// <summary>
    /// After "it creates 2 new clients" of an update's dry run (decision 0104): " (QA-D2O, PC-9): no client of Docking
    /// has these names" (", …" after the fifth), so a misspelt name shows before it creates a client; empty for none.
    /// </summary>
    public static string CreatedOutcome(Rollouter.Import.Importing.Rules.CheckResult check, string inventory)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.ToCreate == 0 || check.CreatedClients.Count == 0)
        {
            return "";
        }

        var more = check.ToCreate > check.CreatedClients.Count ? ", …" : "";
        return $" ({string.Join(", ", check.CreatedClients)}{more}): no client of {inventory} has {(check.ToCreate == 1 ? "that name" : "these names")}";
    }

    /// <summary>"1 row", "25,000 rows".</summary>
    public static string Count(int count, string one, string many) => $"{N(count)} {(count == 1 ? one : many)}";

    /// <summary>"The first row", "The first 10 rows" (of the file's preview).</summary>
    public static string First(int count) => count == 1 ? "The first row" : $"The first {N(count)} rows";

    /// <summary>A dry run that found nothing wrong: "All 25,000 rows would be imported.", "The 1 row would be imported."</summary>
    public static string AllImported(int count, int skipped = 0) => count switch
    {
        0 when skipped > 0 => "No row would be imported: every row holds values only in columns that are not imported.",
        0 => "No row would be imported: there is none below the header.",
        1 => "The 1 row would be imported.",
        _ => $"All {N(count)} rows would be imported.",
    };
}

/// <summary>Status names, badge colours and the seed's explanations.</summary>
public static class ImportStatusDisplay
{
    /// <summary>The order the default fields are offered in, above the divider.</summary>
    public static IReadOnlyList<string> DefaultTargets { get; } =
        [DefaultFields.Name, DefaultFields.Status, DefaultFields.Assignee, DefaultFields.ClientUser, DefaultFields.Description, DefaultFields.ClientFlag];

    public static string Name(ImportStatus status) => ImportStatusRules.Name(status);

    public static string Badge(ImportStatus status) => status switch
    {
        ImportStatus.Incomplete => "text-bg-secondary",
        ImportStatus.WaitingForApproval => "text-bg-warning",
        ImportStatus.InProgress => "text-bg-info",
        ImportStatus.Failed => "text-bg-danger",
        ImportStatus.Completed => "text-bg-success",
        ImportStatus.Reverted => "text-bg-dark",
        _ => "text-bg-light",
    };

    /// <summary>
    /// The original product's words for each status; a completed import that changed nothing says so, and an
    /// Incomplete import whose Name is mapped (kept Incomplete by another mapping error) is not called empty, and an
    /// import that failed as a whole (<see cref="ImportPage.FailedAsAWhole"/>) does not speak of rows.
    /// </summary>
    /// <param name="review">Said to a reviewer (the review's page), who neither uploaded the file nor assigned its
    /// columns: "the file", "the column-field assignment saved for it", never "your".</param>
    /// <param name="rows">The file's rows holding a value (<see cref="ClientImport.RowCount"/>): a Completed import's
    /// rows that neither created nor changed a client are said to be unchanged.</param>
    /// <param name="skipped">Of those rows, the ones the run skipped (values only in columns not imported, decision 0081):
    /// said as skipped, not unchanged; 0 for an import completed before they were recorded.</param>
    public static string Explanation(ImportStatus status, int created = 0, int updated = 0, bool nameMapped = false,
        bool failedAsAWhole = false, bool mappingNeedsAttention = false, bool review = false, int rows = 0, int skipped = 0) => status switch
    {
        ImportStatus.WaitingForApproval when review && !mappingNeedsAttention =>
            "The import is ready to be started. Once a rollout manager approves it, the file is processed based on the column-field assignment saved for it.",
        ImportStatus.InProgress when review => "The file is being processed. Depending on the amount of rows, this step can take some time.",
        ImportStatus.WaitingForApproval when mappingNeedsAttention =>
            "The column-field assignment needs attention: it has errors, listed under Step 2 (a field it imports into may have been taken off the inventory since it was saved). Correct them and save the mapping: until then Approve is refused, and nothing is written.",
        ImportStatus.Failed when mappingNeedsAttention =>
            Explanation(status, created, updated, nameMapped, failedAsAWhole) +
            " The column-field assignment needs attention too: correct the errors listed under Step 2 and save the mapping before you approve again.",
        ImportStatus.Failed when failedAsAWhole =>
            "The import could not be run, for a reason that concerns it as a whole, not single rows. No clients have been created or changed. Please read below.",
        ImportStatus.Incomplete when nameMapped =>
            "The column-field assignment has errors, listed under Step 2: correct them and save the mapping to make the import ready for approval.",
        ImportStatus.Completed when created == 0 && updated == 0 =>
            "The processing was successfully completed. Every client in the file already had these values, so nothing was changed.",
        ImportStatus.Incomplete => "The second step (column-field assignment) is empty. It is required to import at least the names of the clients.",
        ImportStatus.WaitingForApproval => "The import is ready to be started. After an approval, your file is processed based on your column-field assignment.",
        ImportStatus.InProgress => "Your file is being processed. Depending on the amount of rows, this step can take some time.",
        ImportStatus.Failed => "One or more rows could not be imported. The import was cancelled and no clients have been created. Please read below.",
        ImportStatus.Completed => Completed(created, updated, rows, skipped),
        ImportStatus.Reverted => "The import was reverted. " + Reverted(created, updated),
        _ => "",
    };

    /// <summary>
    /// A Completed import that changed something, with its counts: the original product's "The processing was
    /// successfully completed and all clients have been created." when every row created a client, else what it did,
    /// "The processing was successfully completed: 10 clients updated, 199,990 rows unchanged." or "…: 120 clients
    /// created, 30 updated, 3 rows skipped." A row is unchanged when it named a client that already had its values (or,
    /// for an import completed before skipped rows were recorded, held values only in columns not imported); a skipped
    /// row is one the run recorded as holding values only in columns not imported; a count of nothing is left out.
    /// </summary>
    public static string Completed(int created, int updated, int rows, int skipped = 0)
    {
        if (updated == 0 && created > 0 && created >= rows - skipped)
        {
            return "The processing was successfully completed and all clients have been created.";
        }

        var parts = new List<string>();
        if (created > 0)
        {
            parts.Add(ImportNumbers.Count(created, "client", "clients") + " created");
        }

        if (updated > 0)
        {
            parts.Add((created > 0 ? ImportNumbers.N(updated) : ImportNumbers.Count(updated, "client", "clients")) + " updated");
        }

        // Clients an advanced link changed in other inventories count as updated without a row of their own: no
        // unchanged rows are claimed then.
        var unchanged = rows - skipped - created - updated;
        if (unchanged > 0)
        {
            parts.Add(ImportNumbers.Count(unchanged, "row", "rows") + " unchanged");
        }

        if (skipped > 0)
        {
            parts.Add(ImportNumbers.Count(skipped, "row", "rows") + " skipped");
        }

        return "The processing was successfully completed: " + string.Join(", ", parts) + ".";
    }

    /// <summary>
    /// What a revert did, said of what the import had done, a part with nothing to undo left out: "The 1 client it
    /// created was deleted.", "The values it changed on 2 clients were restored.", both joined by "and"; "The import had
    /// changed nothing, so there was nothing to undo." when it had created and changed no client.
    /// </summary>
    public static string Reverted(int created, int updated)
    {
        var parts = new List<string>();
        if (created > 0)
        {
            parts.Add($"the {ImportNumbers.Count(created, "client", "clients")} it created {(created == 1 ? "was" : "were")} deleted");
        }

        if (updated > 0)
        {
            parts.Add($"the values it changed on {ImportNumbers.Count(updated, "client", "clients")} were restored");
        }

        if (parts.Count == 0)
        {
            return "The import had changed nothing, so there was nothing to undo.";
        }

        var sentence = string.Join(" and ", parts);
        return string.Concat("T", sentence.AsSpan(1), ".");
    }

    /// <summary>
    /// A finished revert's figures, for the Reverted card: "2 clients removed (the ones it created), 300 restored to what
    /// they had before.", a figure of 0 left out; "nothing to undo: the import had created and changed no client." when
    /// both are.
    /// </summary>
    public static string RevertFigures(int removed, int restored)
    {
        var parts = new List<string>();
        if (removed > 0)
        {
            parts.Add($"{ImportNumbers.Count(removed, "client", "clients")} removed ({(removed == 1 ? "the one" : "the ones")} it created)");
        }

        if (restored > 0)
        {
            var what = parts.Count == 0 ? ImportNumbers.Count(restored, "client", "clients") : ImportNumbers.N(restored);
            parts.Add($"{what} restored to what {(restored == 1 ? "it" : "they")} had before");
        }

        return parts.Count == 0 ? "nothing to undo: the import had created and changed no client." : string.Join(", ", parts) + ".";
    }

    /// <summary>
    /// What a revert does, said of what the import did: "the 3 clients it created in Laptops are deleted, the values it
    /// changed on 2 clients (and on linked clients) are restored, and options it created that no client uses are
    /// removed"; a part with nothing to undo (no client updated) is left out.
    /// </summary>
    public static string RevertImpact(int created, int updated, string? inventory = null)
    {
        var parts = new List<string>();
        if (created > 0)
        {
            parts.Add($"the {ImportNumbers.Count(created, "client", "clients")} it created{(inventory is null ? "" : $" in {inventory}")} {(created == 1 ? "is" : "are")} deleted");
        }

        if (updated > 0)
        {
            parts.Add($"the values it changed on {ImportNumbers.Count(updated, "client", "clients")} (and on linked clients) are restored");
        }

        parts.Add("options it created that no client uses are removed");
        return parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + (parts.Count > 2 ? "," : "") + " and " + parts[^1];
    }

    /// <summary>
    /// The link to the clients an import created or changed (the inventory's list filtered by it, decision 0103): "Show
    /// the 1,234 clients it created or changed"; of a Reverted import, whose clients created are deleted, those it
    /// changed. Null when there are none to show.
    /// </summary>
    public static string? ImportedClientsText(int created, int updated, bool reverted)
    {
        var count = reverted ? updated : created + updated;
        var what = reverted ? "changed" : created == 0 ? "changed" : updated == 0 ? "created" : "created or changed";
        return count <= 0 ? null
            : count == 1 ? $"Show the client it {what}"
            : $"Show the {ImportNumbers.N(count)} clients it {what}";
    }

    /// <summary>The inventory's client list filtered by the import (<see cref="ImportedClientsText"/>).</summary>
    public static string ImportedClientsPath(string rollout, int inventoryId, int importId) =>
        $"/rollouts/{rollout}/inventories/{ImportNumbers.Id(inventoryId)}?import={ImportNumbers.Id(importId)}";

    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "",
        { TotalSeconds: < 60 } d => $"{d.TotalSeconds:0.#} s",
        { TotalHours: < 1 } d => $"{(int)d.TotalMinutes} min {d.Seconds} s",
        var d => $"{(int)d.Value.TotalHours} h {d.Value.Minutes} min",
    };
}
