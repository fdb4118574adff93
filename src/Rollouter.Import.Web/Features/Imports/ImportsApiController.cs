using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The import wizard's steps for scripts: Rollout Manager or higher, member of the import's rollout. Key account
/// managers who are members may read an import and its failed rows (GET) and check it (the dry run, which stores
/// nothing), never change it.
/// </summary>
[Route("api")]
public sealed class ImportsApiController(
    RolloutDbContext db,
    RolloutAccess access,
    ImportLifecycle imports,
    ImportUploads uploads,
    ImportProgressRegistry progress,
    AuditLog audit) : ApiControllerBase(db, access)
{
    /// <summary>
    /// Creates an import from a multipart upload with the fields <c>inventoryId</c> and <c>file</c> (in any order). The
    /// file is streamed to disk, never buffered in memory; a file the importer refuses answers 400, 413 or 415, a disk
    /// too full to hold it 507. With <paramref name="idempotencyKey"/> (the header <c>Idempotency-Key</c>), a retry of
    /// the same upload by the same user within 24 hours answers 200 with the import the first made, nothing stored again;
    /// another upload under that key is refused (409).
    /// </summary>
    [HttpPost("rollouts/{id:int}/imports")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [DisableRequestSizeLimit]
    [DisableFormValueModelBinding]
    [Consumes("multipart/form-data")]
    [ProducesResponseType<ImportDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ImportDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status507InsufficientStorage, "application/problem+json")]
    public async Task<IActionResult> Create(int id, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var rollout = await Access.RolloutAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        // Checked before the body is read: a key that cannot be kept refuses the upload at once.
        if (IdempotencyKeyProblem(Request.Headers[IdempotencyKeyHeader], "upload") is { } badKey)
        {
            return Refuse(badKey);
        }

        if (uploads.RefuseDeclaredLength(Request.ContentLength) is { } tooLarge)
        {
            return Refuse(tooLarge);
        }

        if (MultipartUpload.Boundary(Request.ContentType) is not { } boundary)
        {
            return Error(StatusCodes.Status400BadRequest, "Send multipart/form-data with the fields inventoryId and file.");
        }

        using var received = await MultipartUpload.ReadAsync(Request.Body, boundary, uploads, ["inventoryId"], skipEmptyFile: false, null, cancellationToken);
        if (received.Problem is not null)
        {
            return Refuse(received.Problem);
        }

        // Each field at fault named: inventoryId missing or not a number, no file.
        var inventoryId = InventoryIdOf(received);
        if (inventoryId.Failed)
        {
            return Refuse(inventoryId.Problem);
        }

        if (received.File is not { } file)
        {
            return Refuse(Import.Problem.Invalid("Send the file to import in the field file (multipart/form-data, with inventoryId).", "file"));
        }

        if (idempotencyKey is not null)
        {
            var once = await imports.CreateOnceAsync(rollout.Value.Id, inventoryId.Value, received.FileName, file, User.UserId(),
                idempotencyKey, cancellationToken);
            if (once.Failed)
            {
                return Refuse(once.Problem);
            }

            var (state, isNew) = once.Value;
            var described = await DescribeAsync(state.Import, state.Validation, cancellationToken);
            if (isNew)
            {
                return Created($"/api/imports/{state.Import.Id}", described);
            }

            // A retry: the import the key made, as GET /api/imports/{id} gives it now.
            Response.Headers.Location = $"/api/imports/{state.Import.Id}";
            return Ok(described);
        }

        var result = await imports.CreateAsync(rollout.Value.Id, inventoryId.Value, received.FileName, file, User.UserId(), cancellationToken);
        if (result.Failed)
        {
            return Refuse(result.Problem);
        }

        var created = result.Value;
        return Created($"/api/imports/{created.Import.Id}", await DescribeAsync(created.Import, created.Validation, cancellationToken));
    }

    /// <summary>The header of an upload's or an approval's idempotency key.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Why the idempotency key of an upload or approval (<paramref name="call"/>) cannot be kept (empty, sent twice, too long, not printable ASCII); null when it can, or none was sent.</summary>
    private static Problem? IdempotencyKeyProblem(Microsoft.Extensions.Primitives.StringValues sent, string call) =>
        sent.Count switch
        {
            0 => null,
            > 1 => Import.Problem.Invalid("Send one Idempotency-Key header, not several.", IdempotencyKeyHeader),
            _ when sent[0] is not { Length: > 0 and <= ClientImport.IdempotencyKeyLength } key || key.Any(c => c is < '!' or > '~') =>
                Import.Problem.Invalid(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The Idempotency-Key is 1 to {ClientImport.IdempotencyKeyLength} printable ASCII characters without spaces " +
                    $"(a UUID, say): one per {call}, sent again with its retries."), IdempotencyKeyHeader),
            _ => null,
        };

    [HttpGet("imports/{id:int}")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ImportDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Get(int id, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.ImportReader, cancellationToken);
        return import.Failed ? Refuse(import.Problem) : Ok(await DescribeAsync(import.Value, null, cancellationToken));
    }

    /// <summary>
    /// Replaces the mapping; the answer's <c>mappingErrors</c> say what keeps the import Incomplete. With
    /// <paramref name="fileStamp"/> (the import's <c>fileStamp</c> the letters were chosen from), refused with 409 and
    /// nothing stored when the file settings changed since.
    /// </summary>
    [HttpPut("imports/{id:int}/mapping")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ImportDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> UpdateMapping(int id, MappingDto mapping, [FromQuery] string? fileStamp,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var saved = await imports.UpdateMappingAsync(id, mapping.ToMapping(), Seen(fileStamp, null), cancellationToken);
        if (saved.Succeeded)
        {
            audit.MappingSaved(User.UserId(), saved.Value.Import);
        }

        return await DescribedAsync(saved, cancellationToken);
    }

    /// <summary>
    /// Reads the kept file again with other parse options; columns, row count and the suggested mapping follow. A
    /// problem of the file with these options answers 400 and changes nothing; 409 while In Progress or after Completed.
    /// </summary>
    [HttpPut("imports/{id:int}/parse-options")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ImportDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> UpdateParseOptions(int id, ParseOptionsDto options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var parsed = options.ToOptions();
        if (parsed.Failed)
        {
            return Refuse(parsed.Problem);
        }

        return await DescribedAsync(await imports.UpdateParseOptionsAsync(id, parsed.Value, User.UserId(), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The dry run: every row checked against the mapping, nothing written. The failing rows, and the reasons the import
    /// as a whole would fail (<c>importErrors</c>: the client limit, a workflow without statuses). It stores nothing, so
    /// whoever may read the import may check it: its key account managers too (decision 0080).
    /// </summary>
    [HttpPost("imports/{id:int}/check")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<CheckResultDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Check(int id, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.ImportReader, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var result = await imports.CheckAsync(id, cancellationToken);
        if (result.Failed)
        {
            return Refuse(result.Problem);
        }

        var check = result.Value;
        return Ok(new CheckResultDto(check.RowCount, check.FailedRowCount, check.ErrorCount,
            [.. check.Errors.Select(e => new RowErrorDto(e.Row, e.Column, e.Header, e.Value, e.Message))],
            check.ToCreate, check.ToUpdate, check.UpdatedClients, check.ImportErrors, check.EmptyRowCount, SkippedDto.Of(check),
            check.ToChange ?? 0, check.Unchanged ?? 0, check.ChangedClients, check.CreatedClients));
    }

    /// <summary>
    /// The cells corrected in the browser (or here) and the value replacements, with who and when. The cells by row, by
    /// keyset: <c>next</c> of an answer is the <c>after</c> of the next page; 1,000 a page unless <c>pageSize</c> says
    /// otherwise (at most 1,000). The replacements come with the first page.
    /// </summary>
    [HttpGet("imports/{id:int}/corrections")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<CorrectionsDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Corrections(int id, string? after = null, int pageSize = ImportCorrections.ApiDefaultPageSize,
        CancellationToken cancellationToken = default)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.ImportReader, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var size = Paging.Of(1, pageSize, PageDto.MaxPageSize).PageSize;
        after = string.IsNullOrEmpty(after) ? null : after;
        if (await ImportCorrections.RowPageAsync(Db, id, after, size, cancellationToken) is not var (cells, next))
        {
            return Refuse(Import.Problem.Invalid("after is not a position in this list: take next from an answer.", "after"));
        }

        var counts = await ImportCorrections.CountAsync(Db, id, cancellationToken);
        return Ok(new CorrectionsDto(cells, after is null ? await ImportCorrections.ReplacementsAsync(Db, id, cancellationToken) : [],
            counts.Cells, size, next));
    }

    /// <summary>
    /// Adds, changes or removes corrections (a null cell <c>value</c> or replacement <c>to</c> removes one) and answers
    /// with the import as <c>GET</c> does; 400 for a row or column the file does not have, 409 while In Progress or
    /// after Completed, and with <paramref name="fileStamp"/> when the file settings changed since it was read.
    /// </summary>
    [HttpPut("imports/{id:int}/corrections")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ImportDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Correct(int id, CorrectionsChangeDto changes, [FromQuery] string? fileStamp,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        return await DescribedAsync(await imports.CorrectAsync(id, changes.ToChanges(), User.UserId(), Seen(fileStamp, null),
            cancellationToken), cancellationToken);
    }

    /// <summary>How many cells a replacement of <c>from</c> in <c>column</c> would change, before it is applied.</summary>
    [HttpGet("imports/{id:int}/corrections/preview")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ReplacementPreviewDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<IActionResult> PreviewReplacement(int id, string? column, string? from, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var preview = await imports.PreviewReplacementAsync(id, column, from, cancellationToken);
        return preview.Failed
            ? Refuse(preview.Problem)
            : Ok(new ReplacementPreviewDto(preview.Value.Column, preview.Value.From, preview.Value.Cells, preview.Value.Rows));
    }

    /// <summary>
    /// Approves the import and enqueues the job: 202, then poll <c>GET /api/imports/{id}</c>. With
    /// <paramref name="fileStamp"/> or <paramref name="mappingStamp"/> (the import's, as last read), refused with 409 and
    /// nothing changed when the file settings or the mapping changed since. With <paramref name="idempotencyKey"/> (the
    /// header <c>Idempotency-Key</c>), a retry of an approval of this import by the same user within 24 hours answers 202
    /// with the import as it is now and starts no run; the key of an approval of another import is refused (409).
    /// </summary>
    [HttpPost("imports/{id:int}/approve")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ImportDto>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Approve(int id, [FromQuery] string? fileStamp, [FromQuery] string? mappingStamp,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        if (IdempotencyKeyProblem(Request.Headers[IdempotencyKeyHeader], "approval") is { } badKey)
        {
            return Refuse(badKey);
        }

        var result = await imports.ApproveAsync(id, User.UserId(), Seen(fileStamp, mappingStamp), idempotencyKey, cancellationToken);
        return result.Failed
            ? Refuse(result.Problem)
            : Accepted($"/api/imports/{id}", await DescribeAsync(result.Value, null, cancellationToken));
    }

    /// <summary>
    /// Applies the failed rows report uploaded as import <paramref name="id"/> to the import it is of (its
    /// <c>reportOf.importId</c>, decision 0101): each of its values that differs from that import's becomes a correction
    /// of it, and this import is discarded. 200 with what was applied and the corrected import; 400 when the file names
    /// no import of the same inventory (no report, a report without its mark, another rollout's); 409 when this import
    /// has been approved or that import no longer takes corrections (Completed, Reverted, In Progress).
    /// </summary>
    [HttpPost("imports/{id:int}/apply-report")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ReportAppliedDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> ApplyReport(int id, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var result = await imports.ApplyReportAsync(id, User.UserId(), cancellationToken);
        if (result.Failed)
        {
            return Refuse(result.Problem);
        }

        var applied = result.Value;
        var corrected = await Db.Imports.AsNoTracking().SingleAsync(i => i.Id == applied.ImportId, cancellationToken);
        return Ok(new ReportAppliedDto(applied.ImportId, applied.Applied, applied.RowsWithoutNumber, applied.RowsNotInImport,
            applied.ColumnsNotApplied, applied.Message, await DescribeAsync(corrected, null, cancellationToken)));
    }

    /// <summary>
    /// Discards an abandoned import (Incomplete or Waiting for Approval) with its kept file: 204. 409 in any other
    /// status: a Failed import is kept for its failed rows, a Completed one for its clients' history.
    /// </summary>
    [HttpDelete("imports/{id:int}")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Discard(int id, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var result = await imports.DiscardAsync(id, User.UserId(), cancellationToken);
        return result.Failed ? Refuse(result.Problem) : NoContent();
    }

    /// <summary>
    /// Takes a Completed import back: 202 with the import, whose <c>revert.running</c> is true until the job ends (poll
    /// <c>GET /api/imports/{id}</c> until <c>status</c> is Reverted, or <c>revert.failureMessage</c> says why not). 409
    /// when the import is not Completed, or with <c>conflicts</c> when a client it created or changed was changed since.
    /// With <paramref name="idempotencyKey"/> (the header <c>Idempotency-Key</c>), a retry of the revert this user asked
    /// for with it answers 202 with the import as it is now and asks for no second revert; the key of another import's
    /// revert is refused (409; decision 0146).
    /// </summary>
    [HttpPost("imports/{id:int}/revert")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ImportDto>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Revert(int id, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        if (IdempotencyKeyProblem(Request.Headers[IdempotencyKeyHeader], "revert") is { } badKey)
        {
            return Refuse(badKey);
        }

        var result = await imports.RequestRevertAsync(id, User.UserId(), idempotencyKey, cancellationToken);
        return result.Failed
            ? Refuse(result.Problem)
            : Accepted($"/api/imports/{id}", await DescribeAsync(result.Value, null, cancellationToken));
    }

    /// <summary>
    /// The failed rows of the last run, by row and column; <c>column</c> (a letter) filters. Pages by keyset: <c>next</c>
    /// of an answer is the <c>after</c> of the next page; <c>page</c> still works.
    /// </summary>
    [HttpGet("imports/{id:int}/errors")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<FailedRowsPageDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<IActionResult> Errors(int id, int? page = null, int pageSize = 50, string? column = null, string? after = null,
        CancellationToken cancellationToken = default)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.ImportReader, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        // A header ("Status") or any other text matched no failed row and answered an empty list, as if none failed there.
        if (!string.IsNullOrWhiteSpace(column) && !FailedRows.IsColumnLetter(column))
        {
            return Refuse(Import.Problem.Invalid(
                $"column is a column letter of the file, such as B (as each failed row's column gives it), not \"{column.Trim()}\".", "column"));
        }

        var paging = Paging.Of(page ?? 1, pageSize, PageDto.MaxPageSize);
        if (after is not null && page is not null)
        {
            return Refuse(Import.Problem.Invalid("Give after or page, not both: each says where the page starts.", "page"));
        }

        var total = await FailedRows.Query(Db, id, column).CountAsync(cancellationToken);
        List<ImportRowError> rows;
        string? next;
        if (paging.Page > 1)
        {
            // The errors of at most 100,000 failed rows are kept, at most 1,000,000 (ImportChecker.MaxListedRows and
            // MaxListedErrors): skipping to any page stays bounded.
            var read = await FailedRows.Query(Db, id, column).Skip(paging.Skip).Take(paging.PageSize + 1).ToListAsync(cancellationToken);
            rows = [.. read.Take(paging.PageSize)];
            next = read.Count > paging.PageSize ? FailedRows.Cursor(rows[^1]) : null;
        }
        else
        {
            if (after is not null && await FailedRows.RanAgainAsync(Db, id, new ListPosition(After: after), cancellationToken))
            {
                return Refuse(Import.Problem.Invalid(FailedRows.RanAgain, "after"));
            }

            var keyset = await FailedRows.PageAsync(Db, id, column, new ListPosition(After: after), paging.PageSize, cancellationToken);
            if (after is not null && keyset.Previous is null && keyset.Items.Count > 0)
            {
                return Refuse(Import.Problem.Invalid("after is not a position in this list: take next from an answer.", "after"));
            }

            rows = [.. keyset.Items];
            next = keyset.Next;
        }

        var items = rows.Select(e => new RowErrorDto(e.Row, e.Column, e.Header, e.Value, e.Message)).ToList();
        var listed = await FailedRows.ListedAsync(Db, import.Value, cancellationToken);
        return Ok(new FailedRowsPageDto(total, after is null ? paging.Page : null, paging.PageSize, items, next,
            TotalExact: true, listed.FailedRows, listed.ListedRows, listed.Complete,
            import.Value.FileDeletedAt is { } deletedAt ? ImportFileStore.ValuesDeletedMessage(deletedAt) : null));
    }

    /// <summary>The fingerprints a script sent (an empty one is not sent), as the steps compare them; null without any.</summary>
    private static ImportStamps? Seen(string? fileStamp, string? mappingStamp) =>
        string.IsNullOrEmpty(fileStamp) && string.IsNullOrEmpty(mappingStamp)
            ? null
            : new ImportStamps(NullIfEmpty(fileStamp), NullIfEmpty(mappingStamp), FromApi: true);

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>The upload's <c>inventoryId</c>, or why it is not one (missing, not a number).</summary>
    private static Result<int> InventoryIdOf(MultipartUpload received)
    {
        if (!received.Fields.TryGetValue("inventoryId", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return Import.Problem.Invalid("Send the inventory to import into in the field inventoryId (multipart/form-data, " +
                "with the file in the field file).", "inventoryId");
        }

        return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : Import.Problem.Invalid($"inventoryId is the id of one of the rollout's inventories (a whole number, as " +
                $"GET /api/rollouts/{{id}}/inventories gives it), not \"{Shown(value)}\".", "inventoryId");
    }

    /// <summary>A value sent, as a message quotes it: on one line, its first 40 characters.</summary>
    private static string Shown(string value)
    {
        value = PlainText.OnOneLine(value);
        var cut = value.Length > 40 && char.IsHighSurrogate(value[39]) ? 39 : 40;
        return value.Length > 40 ? value[..cut] + "…" : value;
    }

    private async Task<IActionResult> DescribedAsync(Result<ImportState> result, CancellationToken cancellationToken) =>
        result.Failed ? Refuse(result.Problem) : Ok(await DescribeAsync(result.Value.Import, result.Value.Validation, cancellationToken));

    private async Task<ImportDto> DescribeAsync(ClientImport import, MappingValidation? validation, CancellationToken cancellationToken)
    {
        var mapping = ImportMapping.FromJson(import.Mapping);
        IReadOnlyList<ColumnDto> columns = [];
        ParseOptionsDto? parseOptions = null;
        IReadOnlyList<SheetDto>? sheets = null;
        var warnings = new List<string>();
        if (import.FileSha256 is not null)
        {
            var described = await imports.DescribeFileAsync(import, cancellationToken);
            if (described.Succeeded)
            {
                var file = described.Value;
                columns = [.. file.Columns.Select(c => new ColumnDto(c.Letter, c.Header,
                    [.. file.SampleRows.Take(ImportFileReader.DefaultSampleSize).Select(r => r[c.Index])]))];
                warnings.AddRange(file.Warnings.Select(w => w.Message));
                parseOptions = ParseOptionsDto.From(file.Options);
                sheets = [.. file.Sheets.Select(s => new SheetDto(s.Name, s.Hidden, s.Rows))];
                // Also a ready import's: a field its mapping imports into may have been taken off the inventory since.
                if (validation is null && ImportStatusRules.CanEditMapping(import.Status))
                {
                    var definition = await InventoryDefinition.LoadAsync(Db, import.InventoryId, cancellationToken);
                    validation = MappingValidation.Validate(mapping, file.Columns, definition);
                }
            }
            else
            {
                warnings.Add(described.Problem.Message);
            }
        }

        var total = import.RowCount ?? 0;
        var running = progress.Of(import);
        // Who created, approved and reverted it: one query for the (at most three) users.
        int?[] named = [import.CreatedById, import.ApprovedById, import.RevertedById];
        var userIds = named.OfType<int>().Distinct().ToList();
        var users = await Db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => new UserRefDto(u.Id, u.DisplayName, u.Email), cancellationToken);
        UserRefDto? Named(int? id) => id is { } known ? users.GetValueOrDefault(known) : null;
        var runs = await ImportRunHistory.ReadAsync(Db, import, cancellationToken, latestApprover: false);
        return new ImportDto(import.Id, import.RolloutId, import.InventoryId, import.Status, import.FileName, import.FileSize,
            import.RowCount, columns, warnings, MappingDto.From(mapping),
            [.. (validation?.Errors ?? []).Select(e => new MappingIssueDto(e.Column, e.Message))],
            new ProgressDto(running.Checked, running.Written, total, running.Failed),
            new CountsDto(import.CreatedCount, import.UpdatedCount, import.FailedRowCount),
            import.FailureMessage, import.CreatedAt, import.ApprovedAt, import.StartedAt, import.FinishedAt, import.Attempt,
            parseOptions, sheets, await ImportCorrections.CountAsync(Db, import.Id, cancellationToken),
            await RevertAsync(import, Named(import.RevertedById), cancellationToken), ImportStamps.FileOf(import),
            ImportStamps.MappingOf(import), Named(import.CreatedById), Named(import.ApprovedById), SkippedDto.Of(import),
            [.. runs.Select(r => new ImportRunDto(r.Number, r.Latest,
                r.Latest ? Named(import.ApprovedById) : r.ApprovedBy is { } by ? new UserRefDto(by.Id, by.DisplayName, by.Email) : null,
                r.ApprovedAt, r.StartedAt, r.FinishedAt,
                r.Outcome, r.RowCount, new CountsDto(r.Created, r.Updated, r.FailedRows), r.FailureMessage, r.Attempts))],
            ImportRunHistory.NotShown(runs),
            ReportOfDto.From(await imports.DescribeReportOriginAsync(import, cancellationToken)));
    }

    private async Task<RevertDto?> RevertAsync(ClientImport import, UserRefDto? revertedBy, CancellationToken cancellationToken)
    {
        if (import.RevertRequestedAt is null && import.RevertFailureMessage is null)
        {
            return null;
        }

        var reverting = ImportStatusRules.IsReverting(import);
        if (import.Status == ImportStatus.Reverted)
        {
            // The finished revert's figures, as it left them: it deleted every client the import created (a client goes
            // only with its inventory, which takes the import along) and gave each client it restored one entry
            // "reverted import #N" (through the history's import index).
            var removed = import.CreatedCount;
            var restored = await ImportsPageBuilder.RevertRestoredAsync(Db, import.Id, cancellationToken);
            return new RevertDto(false, import.RevertRequestedAt, import.RevertedAt, import.RevertFailureMessage,
                removed + restored, removed + restored, revertedBy, removed, restored);
        }

        var running = reverting ? progress.RunningRevertOf(import.Id) : null;
        return new RevertDto(reverting, import.RevertRequestedAt, import.RevertedAt, import.RevertFailureMessage,
            running?.Done, running?.Total, revertedBy);
    }
}
