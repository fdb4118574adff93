using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Infrastructure.Api;

namespace Rollouter.Import.Web.Features.Imports;

public sealed record ColumnDto(string Letter, string Header, IReadOnlyList<string?> Samples);

/// <summary>One column's mapping: <c>target</c> is a default field (Name, Status, Assignee, ClientUser, Description,
/// ClientFlag), a custom field's name, or null (not imported); <c>lookup</c> applies to Assignee and ClientUser.</summary>
public sealed record ColumnMappingDto(string Letter, string? Target, UserLookup? Lookup, bool CreateOptions, string? Separator)
{
    public ColumnMapping ToMapping() => new()
    {
        Letter = Letter ?? "",
        Target = Target,
        Lookup = Lookup,
        CreateOptions = CreateOptions,
        Separator = Separator,
    };
}

/// <summary>
/// The mapping of <c>PUT /api/imports/{id}/mapping</c>: <c>columns</c> is required (an empty list unmaps every column), so
/// that a body without it, or with it misspelt, never empties the mapping.
/// </summary>
public sealed record MappingDto(bool UpdateExisting,
    [System.ComponentModel.DataAnnotations.Required(ErrorMessage =
        "give the columns to map ([{{letter, target, …}}], one entry per column of the file); an empty list maps none.")]
    IReadOnlyList<ColumnMappingDto>? Columns)
{
    public static MappingDto From(ImportMapping mapping) => new(mapping.UpdateExisting,
        [.. mapping.Columns.Select(c => new ColumnMappingDto(c.Letter, c.Target, c.Lookup, c.CreateOptions, c.Separator))]);

    public ImportMapping ToMapping() => new()
    {
        UpdateExisting = UpdateExisting,
        Columns = [.. (Columns ?? []).Select(c => c.ToMapping())],
    };
}

/// <summary>
/// A running import: rows checked ("processed"), written, of the total, and failed so far; once a row has failed
/// nothing is written, and the rest is checked to list every failed row.
/// </summary>
public sealed record ProgressDto(int Processed, int Written, int Total, int Failed);

public sealed record CountsDto(int Created, int Updated, int FailedRows);

/// <summary>
/// An import (<c>GET /api/imports/{id}</c>): who created it (<c>createdBy</c>, the upload) and who approved it last
/// (<c>approvedBy</c>, null before an approval), as the rollout's list of imports names them.
/// </summary>
public sealed record ImportDto(
    int Id,
    int RolloutId,
    int InventoryId,
    ImportStatus Status,
    string FileName,
    long FileSize,
    int? RowCount,
    IReadOnlyList<ColumnDto> Columns,
    IReadOnlyList<string> Warnings,
    MappingDto Mapping,
    IReadOnlyList<MappingIssueDto> MappingErrors,
    ProgressDto Progress,
    CountsDto Counts,
    string? FailureMessage,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ApprovedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempt,
    ParseOptionsDto? ParseOptions = null,
    IReadOnlyList<SheetDto>? Sheets = null,
    CorrectionCountsDto? Corrections = null,
    RevertDto? Revert = null,
    string? FileStamp = null,
    string? MappingStamp = null,
    UserRefDto? CreatedBy = null,
    UserRefDto? ApprovedBy = null,
    SkippedDto? Skipped = null,
    IReadOnlyList<ImportRunDto>? Runs = null,
    int RunsNotShown = 0,
    ReportOfDto? ReportOf = null);

/// <summary>
/// The import's file is a failed rows report (decision 0101): <c>importId</c> the import it is of (null when the file
/// names none of this inventory: a report written before reports named their import, saved again as CSV, or of another
/// inventory or rollout), <c>rows</c> its rows, <c>rowsInImport</c> that import's, <c>status</c> that import's,
/// <c>canApply</c> whether <c>POST /api/imports/{id}/apply-report</c> can apply its values to that import, and the
/// page's sentence (<c>message</c>). Null for any other file, and once the import has been approved.
/// </summary>
public sealed record ReportOfDto(int? ImportId, int Rows, int? RowsInImport, ImportStatus? Status, bool CanApply, string Message)
{
    public static ReportOfDto? From(ReportOrigin? origin) => origin is null ? null
        : new ReportOfDto(origin.ImportId, origin.Rows, origin.RowsInImport, origin.Status, origin.CanApply, origin.Message);
}

/// <summary>
/// A failed rows report applied to its import (<c>POST /api/imports/{id}/apply-report</c>): the import corrected
/// (<c>importId</c>, and as <c>GET /api/imports/{importId}</c> gives it, <c>import</c>), the values that became
/// corrections (<c>applied</c>), what was not applied (<c>rowsWithoutNumber</c>, <c>rowsNotInImport</c>,
/// <c>columnsNotApplied</c>) and the page's sentence (<c>message</c>). The uploaded report is discarded.
/// </summary>
public sealed record ReportAppliedDto(int ImportId, int Applied, int RowsWithoutNumber, int RowsNotInImport,
    IReadOnlyList<string> ColumnsNotApplied, string Message, ImportDto Import);

/// <summary>
/// The rows a Completed run skipped, their values all in columns not imported: <c>count</c>, the first
/// <see cref="ClientImport.SkippedRowsListed"/> row numbers (<c>rows</c>, as the spreadsheet numbers them) and the page's
/// sentence (<c>message</c>, null for none). Null for an import that has not completed, or completed before they were
/// recorded (decision 0081).
/// </summary>
public sealed record SkippedDto(int Count, IReadOnlyList<int> Rows, string? Message)
{
    public static SkippedDto? Of(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return Of(import.SkippedRowCount, import.SkippedRows);
    }

    /// <summary>From the import's two columns (<see cref="ClientImport.SkippedRowCount"/>, <see cref="ClientImport.SkippedRows"/>), as a list reads them.</summary>
    public static SkippedDto? Of(int? skippedRowCount, string? skippedRows)
    {
        if (skippedRowCount is not { } count)
        {
            return null;
        }

        var rows = SkippedRows.Parse(skippedRows);
        return new SkippedDto(count, rows, SkippedRows.Sentence(count, rows));
    }

    /// <summary>The rows a check skipped, named as a Completed import names them: never null, count 0 for none.</summary>
    public static SkippedDto Of(CheckResult check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new SkippedDto(check.EmptyRowCount, check.SkippedRows, SkippedRows.Sentence(check.EmptyRowCount, check.SkippedRows));
    }
}

/// <summary>
/// One run of an import (the import's <c>runs</c>, newest first): its number (1 for the first approval), who approved it
/// and when, when it started and finished, its <c>outcome</c> (InProgress while it runs, then Completed or Failed;
/// Completed also once the import is reverted), the file's rows it read, its counts, its failure message and how many
/// times it was started. <c>latest</c> marks the run the import's own status, counts and failed rows are of; the failed
/// rows of the others are not kept (decision 0083).
/// </summary>
public sealed record ImportRunDto(int Number, bool Latest, UserRefDto? ApprovedBy, DateTimeOffset? ApprovedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, ImportStatus Outcome, int? RowCount, CountsDto Counts, string? FailureMessage, int Attempts);

/// <summary>
/// The import's revert: <c>running</c> from the request until the job ends (the status stays Completed), with the
/// clients <c>done</c> of <c>total</c> where the instance that answers runs it (null elsewhere); <c>revertedAt</c> once
/// Reverted, with the finished revert's figures: <c>removed</c> (the clients it created, deleted) and <c>restored</c>
/// (the clients whose values were set back), <c>done</c> and <c>total</c> both their sum; <c>failureMessage</c> when the
/// job refused it (the figures null); <c>revertedBy</c> who asked for it (the user the reverted clients' history names),
/// also of a refused one.
/// </summary>
public sealed record RevertDto(bool Running, DateTimeOffset? RequestedAt, DateTimeOffset? RevertedAt, string? FailureMessage,
    int? Done, int? Total, UserRefDto? RevertedBy = null, int? Removed = null, int? Restored = null);

/// <summary>A sheet of the workbook: its name, whether it is hidden, and its rows that hold a value (null for CSV).</summary>
public sealed record SheetDto(string Name, bool Hidden, int? Rows);

/// <summary>How many cells are corrected and how many value replacements the import holds.</summary>
public sealed record CorrectionCountsDto(int Cells, int Replacements);

/// <summary>
/// A corrected cell: row as the spreadsheet numbers it, column letter, the value used, the file's value, who corrected
/// it (display name and id) and when.
/// </summary>
public sealed record CellCorrectionDto(int Row, string Column, string? Value, string? Original, string By, DateTimeOffset At,
    int ById);

/// <summary>Every cell of <c>column</c> whose value is <c>from</c> ("" for empty cells) is read as <c>to</c>.</summary>
public sealed record ReplacementDto(string Column, string From, string? To, string By, DateTimeOffset At, int ById);

/// <summary>
/// The corrections of an import: <c>GET /api/imports/{id}/corrections</c>. The corrected <c>cells</c> by row, a page of
/// <c>pageSize</c> (1,000 unless asked otherwise) of <c>total</c>; <c>next</c> is the <c>after=</c> of the next page
/// (null on the last). The <c>replacements</c> (at most 1,000) come whole with the first page, empty on the later ones.
/// </summary>
public sealed record CorrectionsDto(IReadOnlyList<CellCorrectionDto> Cells, IReadOnlyList<ReplacementDto> Replacements,
    int Total = 0, int PageSize = 0, string? Next = null);

/// <summary>A cell to correct; a null <c>value</c> removes its correction.</summary>
public sealed record CellChangeDto(int Row, string? Column, string? Value);

/// <summary>A replacement to add or change; a null <c>to</c> removes it.</summary>
public sealed record ReplacementChangeDto(string? Column, string? From, string? To);

/// <summary>The body of <c>PUT /api/imports/{id}/corrections</c>: what to add, change or remove.</summary>
public sealed record CorrectionsChangeDto(IReadOnlyList<CellChangeDto>? Cells, IReadOnlyList<ReplacementChangeDto>? Replacements)
{
    public CorrectionChanges ToChanges() => new(
        [.. (Cells ?? []).Select(c => new CellChange(c.Row, c.Column, c.Value))],
        [.. (Replacements ?? []).Select(r => new ReplacementChange(r.Column, r.From, r.To))]);
}

/// <summary>What a replacement would change: how many cells, and the first rows.</summary>
public sealed record ReplacementPreviewDto(string Column, string From, int Cells, IReadOnlyList<int> Rows);

/// <summary>
/// How the kept file is read: <c>sheet</c> (workbooks), <c>headerRow</c> (1-based), <c>delimiter</c> (CSV: <c>,</c>
/// <c>;</c> <c>\t</c> or "tab", <c>|</c>, <c>:</c> or any other one character but a quote or a line break), <c>encoding</c> (CSV: utf-8, utf-16, utf-16BE, windows-1252, macintosh, ibm850) and whether
/// hidden rows are imported. A null value is detected.
/// </summary>
public sealed record ParseOptionsDto(string? Sheet, int? HeaderRow, string? Delimiter, string? Encoding, bool IncludeHiddenRows)
{
    public static ParseOptionsDto From(ParseOptions options) => new(options.Sheet, options.HeaderRow,
        options.Delimiter?.ToString(), options.Encoding, options.IncludeHiddenRows);

    /// <summary>The options, or the message saying why the delimiter is not one.</summary>
    public Result<ParseOptions> ToOptions()
    {
        char? delimiter = Delimiter switch
        {
            null or "" => null,
            "tab" or "Tab" or "\\t" => '\t',
            { Length: 1 } d => d[0],
            _ => (char?)0,
        };
        return delimiter is { } chosen && !ParseOptions.IsAllowedDelimiter(chosen)
            ? Problem.Invalid(ParseOptions.DelimiterRule, "delimiter")
            : new ParseOptions(Sheet, HeaderRow, delimiter, Encoding, IncludeHiddenRows);
    }
}

public sealed record RowErrorDto(int Row, string? Column, string? Header, string? Value, string Message);

/// <summary>
/// A page of an import's failed rows (<c>GET /api/imports/{id}/errors</c>): <see cref="PageDto{T}"/>'s members, and
/// <c>failedRows</c> (every failed row of the run), <c>listedRows</c> (those listed: at most 100,000, fewer when their
/// errors reach 1,000,000) and <c>complete</c> (false when rows failed beyond those listed: <c>total</c> and the items
/// are then of the rows listed only), and <c>valuesDeleted</c> (why every item's <c>value</c> is null: the sentence the page
/// shows once the import's file, and the cells' values with it, was deleted under the retention of uploaded files;
/// null while they are kept; decision 0136).
/// </summary>
public sealed record FailedRowsPageDto(int Total, int? Page, int PageSize, IReadOnlyList<RowErrorDto> Items, string? Next,
    bool TotalExact, int FailedRows, int ListedRows, bool Complete, string? ValuesDeleted = null);

/// <summary>
/// A dry run's result; <c>toUpdate</c> counts the rows that match existing clients ("Update existing clients"), and
/// <c>updatedClients</c> names the first of them (a row that a later row of its linked client fails leaves both): only
/// the values that differ are written, so of those, <c>toChange</c> counts the clients the run would change, compared
/// value by value as the run compares (with the clients changed only through an advanced link: the run's
/// <c>counts.updated</c>), <c>changedClients</c> names the first, and <c>unchanged</c> counts the matched clients that
/// already hold the file's values (the run's "rows unchanged"; decision 0091). <c>importErrors</c> are the reasons the import as a whole would fail
/// (the client limit, a workflow without statuses) even when no row fails: the import would be written only when
/// <c>failedRows</c> is 0 and <c>importErrors</c> is empty. <c>skipped</c> names the rows counted in <c>skippedRows</c>,
/// in the shape of the import's <c>skipped</c> (decision 0081). <c>createdClients</c> names the first five clients the
/// rows would create (with "Update existing clients": names no client of the inventory has; decision 0104).
/// </summary>
public sealed record CheckResultDto(int RowCount, int FailedRows, int ErrorCount, IReadOnlyList<RowErrorDto> Errors,
    int ToCreate = 0, int ToUpdate = 0, IReadOnlyList<string>? UpdatedClients = null, IReadOnlyList<string>? ImportErrors = null,
    int SkippedRows = 0, SkippedDto? Skipped = null, int ToChange = 0, int Unchanged = 0,
    IReadOnlyList<string>? ChangedClients = null, IReadOnlyList<string>? CreatedClients = null);
