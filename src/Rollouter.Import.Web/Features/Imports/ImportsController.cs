using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reverting;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Web.Features.Imports.Reviews;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Forms;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// Inventory → Import and the wizard (upload, column-field mapping, summary and approval): only rollout managers (or
/// higher) who are members of the rollout. An import of another rollout answers 404.
/// </summary>
[RolloutScoped(MinimumRole = Role.RolloutManager)]
[Route("rollouts/{rollout}/imports")]
public sealed class ImportsController(
    RolloutDbContext db,
    ImportLifecycle imports,
    ImportUploads uploads,
    ImportsPageBuilder pages,
    IAntiforgery antiforgery,
    IOptions<AntiforgeryOptions> antiforgeryOptions,
    IDataProtectionProvider protection,
    TimeProvider clock,
    AuditLog audit) : Controller
{
    /// <summary>
    /// The rollout's imports, newest first, 50 a page by keyset on the id; with <paramref name="inventory"/>, those of that
    /// inventory only (an import page's "10 of 37 later imports" links here, <c>before=</c> the import: the page of the
    /// imports after it). An inventory the rollout does not hold lists every import, saying so (404).
    /// </summary>
    [HttpGet("")]
    [ReviewForKeyAccountManagers(List = true)]
    public async Task<IActionResult> Index(int? inventory = null, string? after = null, string? before = null, bool last = false,
        string? status = null, string? file = null, CancellationToken cancellationToken = default)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var only = inventory is { } inventoryId
            ? await db.Inventories.AsNoTracking().Where(i => i.Id == inventoryId && i.RolloutId == rollout.Id)
                .Select(i => new ImportListInventory(i.Id, i.Name)).SingleOrDefaultAsync(cancellationToken)
            : null;
        string? error = null;
        if (inventory is not null && only is null)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"There is no inventory {inventory} in {rollout.Name}: every import of the rollout is listed.");
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        // The filters by status and by file name (decision 0107): a status by its name as the API takes it, a file name
        // by a part of it, ignoring case. An unknown status is said and left out.
        ImportStatus? chosen = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (Enum.GetNames<ImportStatus>().FirstOrDefault(n => string.Equals(n, status.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name)
            {
                chosen = Enum.Parse<ImportStatus>(name);
            }
            else
            {
                error ??= $"There is no status \"{status}\": every status is listed.";
            }
        }

        var part = string.IsNullOrWhiteSpace(file) ? null : file.Trim();
        var partKey = part?.ToLowerInvariant();
        IQueryable<ClientImport> Filtered()
        {
            var imports = db.Imports.Where(i => i.RolloutId == rollout.Id);
            if (only is not null)
            {
                imports = imports.Where(i => i.InventoryId == only.Id);
            }

            if (chosen is { } kept)
            {
                imports = imports.Where(i => i.Status == kept);
            }

            if (partKey is not null)
            {
                imports = imports.Where(i => i.FileName.ToLower().Contains(partKey));
            }

            return imports;
        }

        var page = await KeysetPage<ImportListItem>.ReadAsync(new ListPosition(after, before, last), ImportList.PageSize,
            i => i.Id.ToString(CultureInfo.InvariantCulture), async (read, count) =>
            {
                var imports = Filtered();
                if (read.Cursor is not null)
                {
                    if (!int.TryParse(read.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        return null;
                    }

                    imports = read.Forward ? imports.Where(i => i.Id < id) : imports.Where(i => i.Id > id);
                }

                return await (read.Forward ? imports.OrderByDescending(i => i.Id) : imports.OrderBy(i => i.Id))
                    .Take(count)
                    .Select(i => new ImportListItem(i.Id, i.Status, i.FileName, i.Inventory.Name, i.CreatedBy.DisplayName,
                        i.CreatedAt, i.ApprovedBy != null ? i.ApprovedBy.DisplayName : null, i.ApprovedAt, i.StartedAt,
                        i.FinishedAt, i.CreatedCount, i.UpdatedCount, i.FailedRowCount))
                    .ToListAsync(cancellationToken);
            });
        var count = chosen is not null || part is not null ? await Filtered().CountAsync(cancellationToken) : (int?)null;
        return View(new ImportList(rollout, page, TempData[PageMessage.Key] as string, only, error, chosen, part, count));
    }

    /// <summary>Step 1: choose the inventory and the file.</summary>
    [HttpGet("new")]
    public async Task<IActionResult> New(int? inventoryId, CancellationToken cancellationToken) =>
        View(await NewImportAsync(inventoryId, cancellationToken));

    /// <summary>
    /// Step 1 posted: the multipart body is streamed section by section (no form binding, no buffering) into the
    /// import service, as the API does. The antiforgery token (a header, or the form's first field) is validated before
    /// the rest of the body is read. A refused file shows the service's message with its status code.
    /// </summary>
    [HttpPost("new")]
    [DisableRequestSizeLimit]
    [DisableFormValueModelBinding]
    [IgnoreAntiforgeryToken]
    public async Task<IActionResult> Upload(CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        if (uploads.RefuseDeclaredLength(Request.ContentLength) is { } tooLarge)
        {
            return await RefuseUploadAsync(null, tooLarge, cancellationToken);
        }

        if (MultipartUpload.Boundary(Request.ContentType) is not { } boundary)
        {
            return await RefuseUploadAsync(null, Import.Problem.Invalid("Choose an inventory and a file."), cancellationToken);
        }

        // The antiforgery token is checked before the rest of the body is read: sent as a header, before a byte of it; as
        // the form's first field (where the page puts it), before the part after it.
        var header = antiforgeryOptions.Value.HeaderName;
        MultipartUpload.FirstField? tokenFirst = null;
        if (!string.IsNullOrEmpty(header) && !string.IsNullOrEmpty(Request.Headers[header]))
        {
            if (!await antiforgery.IsRequestValidAsync(HttpContext))
            {
                return BadRequest();
            }
        }
        else
        {
            tokenFirst = new MultipartUpload.FirstField(antiforgeryOptions.Value.FormFieldName, IsAntiforgeryTokenValidAsync);
        }

        using var received = await MultipartUpload.ReadAsync(Request.Body, boundary, uploads, ["inventoryId", "uploadKey"],
            skipEmptyFile: true, tokenFirst, cancellationToken);
        if (received.Rejected)
        {
            return BadRequest();
        }

        int? inventoryId = received.Fields.TryGetValue("inventoryId", out var value) && int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
        if (received.Problem is not null)
        {
            return await RefuseUploadAsync(inventoryId, received.Problem, cancellationToken);
        }

        if (inventoryId is null || received.File is null)
        {
            return await RefuseUploadAsync(inventoryId, Import.Problem.Invalid(
                inventoryId is null ? "Choose the inventory to import into." : "Choose the file to import."), cancellationToken);
        }

        // The page's key (one per page load): the same form sent again (a double click without script, Back and Upload
        // again) is answered with the import its first post made, and makes none (decision 0147). Another file chosen
        // before sending it again is a new import; a form without the key (a page loaded before it had one) makes one.
        var key = ImportPage.StoredKey(received.Fields.GetValueOrDefault("uploadKey"));
        int importId;
        if (key is null)
        {
            var result = await imports.CreateAsync(rollout.Id, inventoryId.Value, received.FileName, received.File, User.UserId(),
                cancellationToken);
            if (result.Failed)
            {
                return await RefuseUploadAsync(inventoryId, result.Problem, cancellationToken);
            }

            importId = result.Value.Import.Id;
        }
        else
        {
            var once = await imports.CreateOnceAsync(rollout.Id, inventoryId.Value, received.FileName, received.File, User.UserId(),
                key, anotherUploadIsNew: true, cancellationToken);
            if (once.Failed)
            {
                return await RefuseUploadAsync(inventoryId, once.Problem, cancellationToken);
            }

            importId = once.Value.State.Import.Id;
        }

        return Redirect(string.Create(CultureInfo.InvariantCulture, $"/rollouts/{rollout.Identifier}/imports/{importId}"));
    }

    /// <summary>Steps 2 and 3: the file, the mapping form, the summary with approval, progress and result.</summary>
    [HttpGet("{id:int}")]
    [ReviewForKeyAccountManagers]
    public async Task<IActionResult> Details(int id, string? column = null, string? after = null, string? before = null, bool last = false,
        [FromQuery(Name = "corrections-after")] string? correctionsAfter = null, CancellationToken cancellationToken = default)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        // A step refused before a redirect (Approve, an address of a step the import no longer allows): its reasons.
        CarriedRefusal.Restore(TempData, ModelState, HttpContext);
        // "Revert started" for a revert that ended before this page was asked for (a small import): the page says how it
        // ended instead, and that outcome takes the focus the message would have had (import-details.js).
        var message = TempData[PageMessage.Key] as string;
        if (message == RevertStarted && !ImportStatusRules.IsReverting(import))
        {
            message = null;
        }

        return View(await PageAsync(import, cancellationToken, rows: new ListPosition(after, before, last), column: column,
            message: message, correctionsAfter: correctionsAfter,
            messageAt: TempData["MessageAt"] as string));
    }

    /// <summary>
    /// The addresses only a form posts to, opened in the address bar (a reload of the page a refused form showed, a
    /// restored session, a bookmark): the import's page instead of "405 Method Not Allowed". Discard and Revert have their
    /// confirmation pages, Check its result page, replacements/preview its GET.
    /// </summary>
    [HttpGet("{id:int}/mapping")]
    [HttpGet("{id:int}/parse-options")]
    [HttpGet("{id:int}/approve")]
    [HttpGet("{id:int}/corrections")]
    [HttpGet("{id:int}/replacements")]
    public IActionResult FormOnly(int id) => RedirectToImport(id);

    /// <summary>Saves the mapping: Incomplete until Name is mapped, then Waiting for Approval.</summary>
    [HttpPost("{id:int}/mapping")]
    [RequestFormLimits(ValueCountLimit = MappingForm.MaxValues)]
    public async Task<IActionResult> SaveMapping(int id, MappingForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, cancellationToken);
        var result = await imports.UpdateMappingAsync(id, form.ToMapping(definition.CustomFields),
            await StampsOfAsync(import, form, cancellationToken), cancellationToken);
        if (result.Failed)
        {
            return await RefuseAsync(import, result.Problem, cancellationToken);
        }

        audit.MappingSaved(User.UserId(), result.Value.Import);

        TempData[PageMessage.Key] = result.Value.Import.Status != ImportStatus.Incomplete
            ? "Mapping saved. The import is Waiting for Approval."
            : result.Value.Validation?.HasName == true
                ? "Mapping saved. The import stays Incomplete until the errors listed under Step 2 are corrected."
                : "Mapping saved. The import stays Incomplete until a column is mapped to Name.";
        // The redirect names the message, which takes the focus (PageMessageRedirect, decisions 0173 and 0175).
        return Redirect($"/rollouts/{RolloutScopedAttribute.Current(HttpContext).Identifier}/imports/{id}");
    }

    /// <summary>
    /// The file settings (sheet, header row, delimiter, encoding, hidden rows): the kept file is read again with them
    /// and the mapping suggested anew; a problem with the new settings is shown on the page and changes nothing.
    /// </summary>
    [HttpPost("{id:int}/parse-options")]
    public async Task<IActionResult> SaveParseOptions(int id, ParseOptionsForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        // The form posts the header row of the sheet shown; another sheet with that header row left as it was has its
        // own header row detected.
        var options = form.ToOptions();
        var current = ParseOptions.FromJson(import.ParseOptions);
        if (options.Sheet is not null && current.Sheet is not null && options.Sheet != current.Sheet && options.HeaderRow == current.HeaderRow)
        {
            options = options with { HeaderRow = null };
        }

        var before = import.ParseOptions;
        var result = await imports.UpdateParseOptionsAsync(id, options, User.UserId(), FileOnly(form.FileStamp), cancellationToken);
        if (result.Failed)
        {
            // A delimiter refused is one typed under "Other": that box is the field to correct.
            return await RefuseAsync(import, result.Problem, cancellationToken,
                delimiterField: form.Delimiter == "other" ? nameof(ParseOptionsForm.DelimiterOther) : nameof(ParseOptionsForm.Delimiter));
        }

        TempData[PageMessage.Key] = result.Value.Import.ParseOptions == before
            ? $"File settings unchanged: {ImportNumbers.Count(result.Value.Import.RowCount ?? 0, "row", "rows")}; the column-field assignment is kept."
            : $"File settings saved: {ImportNumbers.Count(result.Value.Import.RowCount ?? 0, "row", "rows")}; the column-field assignment was suggested anew.";
        return Redirect($"/rollouts/{RolloutScopedAttribute.Current(HttpContext).Identifier}/imports/{id}");
    }

    /// <summary>
    /// The dry run: every row checked, nothing written. The mapping form posts with it: a mapping changed on the page
    /// is saved first, so the check checks what the page shows; then the browser is sent to <see cref="Checked"/>, so
    /// that reloading the result, or going back and forward, never posts the form again (which could also put back a
    /// mapping saved since).
    /// </summary>
    [HttpPost("{id:int}/check")]
    [RequestFormLimits(ValueCountLimit = MappingForm.MaxValues)]
    public async Task<IActionResult> Check(int id, MappingForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var saved = await SaveShownMappingAsync(import, form, await StampsOfAsync(import, form, cancellationToken), cancellationToken);
        if (saved.Refusal is not null)
        {
            return saved.Refusal;
        }

        if (await imports.RefuseCheckAsync(saved.Import, cancellationToken) is { } refused)
        {
            return await RefuseAsync(saved.Import, refused, cancellationToken);
        }

        if (saved.Changed)
        {
            TempData[PageMessage.Key] = MappingSavedMessage;
        }

        return Redirect($"/rollouts/{RolloutScopedAttribute.Current(HttpContext).Identifier}/imports/{id}/check#check");
    }

    /// <summary>The dry run's result page (<see cref="Check"/>): the import's page with what would be written and what would fail.</summary>
    [HttpGet("{id:int}/check")]
    [ReviewForKeyAccountManagers(Suffix = "/check")]
    public async Task<IActionResult> Checked(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var result = await imports.CheckAsync(id, cancellationToken);
        if (result.Failed)
        {
            return await RefuseAsync(import, result.Problem, cancellationToken);
        }

        return View(nameof(Details), await PageAsync(import, cancellationToken, check: result.Value,
            message: TempData[PageMessage.Key] as string));
    }

    /// <summary>
    /// Approves the import (Waiting for Approval or Failed) and enqueues the job. The mapping form posts with it: a
    /// mapping changed on the page is saved first and used, never silently dropped; one that does not import the Name
    /// yet is saved and the approval refused.
    /// </summary>
    [HttpPost("{id:int}/approve")]
    [RequestFormLimits(ValueCountLimit = MappingForm.MaxValues)]
    public async Task<IActionResult> Approve(int id, MappingForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var shownStamps = await StampsOfAsync(import, form, cancellationToken);
        var saved = await SaveShownMappingAsync(import, form, shownStamps, cancellationToken);
        if (saved.Refusal is not null)
        {
            return saved.Refusal;
        }

        // The page's fingerprints; after the shown assignment was saved, the one saved: the run imports what was seen.
        var seen = shownStamps is not { } stamps ? null
            : stamps with { Mapping = saved.Changed && stamps.Mapping is not null ? ImportStamps.MappingOf(saved.Import) : stamps.Mapping };
        // The page's own key (decision 0145): the same form posted twice (a double click, Back and Approve again) is one
        // approval, answered as the first, never a refusal saying the import is already In Progress.
        var result = await imports.ApproveAsync(id, User.UserId(), seen, ImportPage.StoredKey(form.ApprovalKey), cancellationToken);
        if (result.Failed)
        {
            // The page the redirect shows says why, through the summary, as a refused form does.
            AddReasons(result.Problem);
            CarriedRefusal.Keep(TempData, ModelState, Request);
        }
        else if (saved.Changed)
        {
            TempData[PageMessage.Key] = MappingSavedMessage;
        }

        return Redirect($"/rollouts/{RolloutScopedAttribute.Current(HttpContext).Identifier}/imports/{id}");
    }

    /// <summary>"Discard import #N?": what is deleted, and the form that deletes it; an import that cannot be discarded: its page.</summary>
    [HttpGet("{id:int}/discard")]
    public Task<IActionResult> ConfirmDiscard(int id, CancellationToken cancellationToken) =>
        ConfirmAsync(id, "Discard", ImportStatusRules.RefuseDiscard, cancellationToken);

    /// <summary>
    /// Discards an abandoned import (Incomplete or Waiting for Approval, never approved) with its file, once confirmed on
    /// <see cref="ConfirmDiscard"/> (<paramref name="confirmed"/>): a post without it, from a page whose script did not
    /// ask, is sent there first and deletes nothing. Back to the list of imports. Refused (409, on the import's page) in
    /// any other status.
    /// </summary>
    [HttpPost("{id:int}/discard")]
    public async Task<IActionResult> Discard(int id, bool confirmed, string? discardToken, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await DiscardedBeforeAsync(id, discardToken, cancellationToken) ?? await GoneAsync(id, cancellationToken);
        }

        if (!confirmed && ImportStatusRules.CanDiscard(import))
        {
            return RedirectToImport(id, null, "/discard");
        }

        var result = await imports.DiscardAsync(id, User.UserId(), cancellationToken);
        if (result.Failed)
        {
            // Gone meanwhile: the same form's first post, sent just before, discarded it.
            if (result.Problem.Kind == ProblemKind.NotFound)
            {
                return await DiscardedBeforeAsync(id, discardToken, cancellationToken) ?? await GoneAsync(id, cancellationToken);
            }

            return await RefuseAsync(import, result.Problem, cancellationToken);
        }

        return DiscardedAnswer(id, import.FileName);
    }

    /// <summary>Where a discard lands: the rollout's imports, saying which import was discarded.</summary>
    private RedirectResult DiscardedAnswer(int id, string fileName)
    {
        TempData[PageMessage.Key] = $"Import #{id} ({fileName}) was discarded with its file.";
        return Redirect($"/rollouts/{RolloutScopedAttribute.Current(HttpContext).Identifier}/imports");
    }

    /// <summary>
    /// A discard's form posted again once the import is gone (a double click, Back and Discard again): its token says the
    /// page showed this import of this rollout to this user, so it is answered as the first post was (decision 0148);
    /// when the import's inventory is gone too, it was deleted with it, and the answer says so; null for a form without a
    /// token, another's, or one older than <see cref="DiscardedImport.Lifetime"/> (decision 0152): a 404 then.
    /// </summary>
    private async Task<IActionResult?> DiscardedBeforeAsync(int id, string? discardToken, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        if (DiscardedImport.Unprotect(protection, discardToken) is not { } shown || shown.ImportId != id
            || shown.RolloutId != rollout.Id || shown.UserId != User.UserId() || shown.ExpiredAt(clock.GetUtcNow()))
        {
            return null;
        }

        if (!await db.Inventories.AnyAsync(i => i.Id == shown.InventoryId && i.RolloutId == rollout.Id, cancellationToken))
        {
            TempData[PageMessage.Key] = $"Import #{id} ({shown.FileName}) is no longer here: its inventory was deleted, with its " +
                                  "imports and their files.";
            return Redirect($"/rollouts/{rollout.Identifier}/imports");
        }

        return DiscardedAnswer(id, shown.FileName);
    }

    /// <summary>
    /// The failed rows report uploaded as import <paramref name="id"/>, applied to the import it is of (decision 0101):
    /// its values that differ become corrections of that import, this upload is discarded, and the page of that import
    /// says how many were applied. Refused (a report of another inventory or rollout, one without its mark, an import
    /// that no longer takes corrections): this import's page, with the reason.
    /// </summary>
    [HttpPost("{id:int}/apply-report")]
    public async Task<IActionResult> ApplyReport(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var result = await imports.ApplyReportAsync(id, User.UserId(), cancellationToken);
        if (result.Failed)
        {
            return await RefuseAsync(import, result.Problem, cancellationToken);
        }

        TempData[PageMessage.Key] = result.Value.Message;
        return RedirectToImport(result.Value.ImportId);
    }

    /// <summary>
    /// A failing cell corrected in place, or its correction undone (<see cref="CellCorrectionForm.Remove"/>). The file
    /// stays as uploaded; Check and the next approval read the corrected value.
    /// </summary>
    [HttpPost("{id:int}/corrections")]
    public async Task<IActionResult> Correct(int id, CellCorrectionForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        // As stored (decision 0044): the message says what the page then shows.
        var value = form.Remove ? null : PlainText.WithValidCharacters(form.Value ?? "");
        var result = await imports.CorrectAsync(id, new CorrectionChanges([new CellChange(form.Row, form.Column, value)], []),
            User.UserId(), FileOnly(form.FileStamp), cancellationToken);
        if (result.Failed)
        {
            // The failed rows from the refused cell on (in the column filter the page had), so its editor is on the page.
            return await RefuseAsync(import, result.Problem, cancellationToken, rows: import.Status == ImportStatus.Failed
                ? new ListPosition(FailedRows.From(form.Row), null, false) : null, column: FailedRows.Column(form.Filter));
        }

        TempData[PageMessage.Key] = value is null
            ? $"Row {form.Row}, column {form.Column?.ToUpperInvariant()}: the file's value is used again."
            : $"Row {form.Row}, column {form.Column?.ToUpperInvariant()} corrected to '{value}'. Check or approve the import again to use it.";
        if (form.Back == ImportPage.CorrectionsAnchor || import.Status != ImportStatus.Failed)
        {
            return RedirectToCard(id, ImportPage.CorrectionsAnchor);
        }

        // Back to the failed rows, listed from the corrected row on (in the column filter the page had), under the message:
        // the next failing cell is the next Tab stop.
        var filter = FailedRows.Column(form.Filter);
        TempData["MessageAt"] = ImportPage.FailedRowsAnchor;
        return RedirectToImport(id, ImportPage.StatusAnchor(ImportPage.FailedRowsAnchor),
            "?" + (filter is null ? "" : "column=" + Uri.EscapeDataString(filter) + "&") + "after=" + FailedRows.From(form.Row));
    }

    /// <summary>
    /// "Replace every 'Shipped' in column B with …" posted: sent on to <see cref="ShowReplacementPreview"/>, so the
    /// preview's address can be reloaded and opened again without posting anything.
    /// </summary>
    [HttpPost("{id:int}/replacements/preview")]
    public IActionResult PreviewReplacement(int id, ReplacementForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        // The file reading the page showed goes along: the preview is refused for a page loaded before the file settings changed.
        return RedirectToImport(id, "replacement-proposal", "/replacements/preview?" + string.Join("&",
            new[] { ("column", form.Column), ("from", form.From), ("to", form.To), ("fileStamp", form.FileStamp) }
                .Where(f => f.Item1 != "fileStamp" || f.Item2 is not null)
                .Select(f => f.Item1 + "=" + Uri.EscapeDataString(f.Item2 ?? ""))));
    }

    /// <summary>Shows how many cells a replacement changes before it is applied; without a column, the import's page.</summary>
    [HttpGet("{id:int}/replacements/preview")]
    public async Task<IActionResult> ShowReplacementPreview(int id, string? column, string? from, string? to,
        string? fileStamp, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(column))
        {
            return RedirectToImport(id);
        }

        var preview = await imports.PreviewReplacementAsync(id, column, from, to, FileOnly(fileStamp), cancellationToken);
        if (preview.Failed)
        {
            // The form was posted here and sent on with its fields in the address: its own To is the field to link.
            CarriedRefusal.PostedHere(HttpContext);
            return await RefuseAsync(import, preview.Problem, cancellationToken);
        }

        var field = ImportMapping.FromJson(import.Mapping).Columns
            .FirstOrDefault(c => c.Letter == preview.Value.Column)?.Target;
        var proposal = new ReplacementProposal(preview.Value.Column, field is null ? null : DefaultFields.IsDefault(field) ? DefaultFields.DisplayName(field) : field,
            preview.Value.From, CellCorrections.ReplacementValue(to), preview.Value.Cells, preview.Value.Rows);
        return View(nameof(Details), await PageAsync(import, cancellationToken, proposal: proposal));
    }

    /// <summary>Applies a replacement after its preview, or removes one (<see cref="ReplacementForm.Remove"/>).</summary>
    [HttpPost("{id:int}/replacements")]
    public async Task<IActionResult> Replace(int id, ReplacementForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var to = form.Remove ? null : CellCorrections.ReplacementValue(form.To);
        var result = await imports.CorrectAsync(id, new CorrectionChanges([], [new ReplacementChange(form.Column, form.From ?? "", to)]),
            User.UserId(), FileOnly(form.FileStamp), cancellationToken);
        if (result.Failed)
        {
            return await RefuseAsync(import, result.Problem, cancellationToken);
        }

        var from = CellCorrections.Key(form.From);
        TempData[PageMessage.Key] = to is null
            ? $"'{from}' in column {form.Column?.ToUpperInvariant()} is no longer replaced."
            : $"Every '{from}' in column {form.Column?.ToUpperInvariant()} is read as '{to}'. Check or approve the import again to use it.";
        return RedirectToCard(id, ImportPage.CorrectionsAnchor);
    }

    /// <summary>"Revert import #N?": what is undone, and the form that does it; an import that cannot be reverted: its page.</summary>
    [HttpGet("{id:int}/revert")]
    public Task<IActionResult> ConfirmRevert(int id, CancellationToken cancellationToken) =>
        ConfirmAsync(id, "Revert", ImportStatusRules.RefuseRevert, cancellationToken);

    /// <summary>
    /// A confirmation page (<paramref name="view"/>) for a step that deletes or undoes data; an import the step is
    /// refused for (<paramref name="refusal"/>) goes back to its page, which says why.
    /// </summary>
    private async Task<IActionResult> ConfirmAsync(int id, string view, Func<ClientImport, Problem?> refusal,
        CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        if (refusal(import) is { } refused)
        {
            AddReasons(refused);
            CarriedRefusal.Keep(TempData, ModelState, Request);
            return RedirectToImport(id);
        }

        var rollout = RolloutScopedAttribute.Current(HttpContext);
        return View(view, new ImportConfirmation(rollout, import)
        {
            DiscardToken = view == "Discard"
                ? new DiscardedImport(rollout.Id, import.Id, User.UserId(), import.FileName, import.InventoryId, clock.GetUtcNow())
                    .Protect(protection)
                : null,
        });
    }

    /// <summary>The message of a revert just asked for, while it runs.</summary>
    public const string RevertStarted = "Revert started: this page shows its progress, then its outcome.";

    /// <summary>
    /// "Revert this import", once confirmed on <see cref="ConfirmRevert"/> (<paramref name="confirmed"/>; without it the
    /// post is sent there and changes nothing): queued, and the page shows its progress; refused, the page lists the
    /// clients changed since (409) and nothing changes.
    /// </summary>
    [HttpPost("{id:int}/revert")]
    public async Task<IActionResult> Revert(int id, bool confirmed, string? requestKey, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        if (!confirmed && ImportStatusRules.RefuseRevert(import) is null)
        {
            return RedirectToImport(id, null, "/revert");
        }

        // The confirmation page's key: its form posted twice (a double click, sent again after Back) is the revert it
        // asked for, answered as the first was, not "already being reverted" (decision 0146).
        var result = await imports.RequestRevertAsync(id, User.UserId(), ImportPage.StoredKey(requestKey), cancellationToken);
        if (result.Failed)
        {
            AddReasons(result.Problem);
            return View(nameof(Details), await PageAsync(import, cancellationToken,
                revertConflicts: ImportLifecycle.RevertConflictsOf(result.Problem)));
        }

        if (ImportStatusRules.IsReverting(result.Value))
        {
            TempData[PageMessage.Key] = RevertStarted;
        }

        return Redirect($"/rollouts/{RolloutScopedAttribute.Current(HttpContext).Identifier}/imports/{id}");
    }

    /// <summary>
    /// What the progress bar polls: the running import's rows checked and written, of the total. Its refusals are
    /// problem details (<see cref="ScriptPolledAttribute"/>: 401 signed out, 403, 404), which the script tells apart.
    /// </summary>
    [HttpGet("{id:int}/progress")]
    [ScriptPolled]
    public async Task<IActionResult> Progress(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return NotFound();
        }

        return Json(pages.Progress(import));
    }

    /// <summary>The file as it was uploaded.</summary>
    [HttpGet("{id:int}/file")]
    [ReviewForKeyAccountManagers(Suffix = "/file")]
    public async Task<IActionResult> OriginalFile(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var file = await pages.OriginalFileAsync(import, cancellationToken);
        return file.Succeeded ? file.Value.ToResult()
            : this.OriginalFileRefused(RolloutScopedAttribute.Current(HttpContext), id, file.Problem);
    }

    private const string MappingSavedMessage =
        "The column-field assignment shown on the page differed from the saved one: it was saved and used.";

    private RedirectResult RedirectToImport(int id, string? fragment = null, string? rest = null) =>
        Redirect($"/rollouts/{RolloutScopedAttribute.Current(HttpContext).Identifier}/imports/{id}" + rest +
                 (fragment is null ? "" : "#" + fragment));

    /// <summary>Back to a card of the import's page, its message at the top of the card (the fragment).</summary>
    private RedirectResult RedirectToCard(int id, string place)
    {
        TempData["MessageAt"] = place;
        return RedirectToImport(id, ImportPage.StatusAnchor(place));
    }

    /// <summary>An import this rollout does not hold (any more): 404, saying so, with a link to the rollout's imports.</summary>
    private Task<ViewResult> GoneAsync(int id, CancellationToken cancellationToken) =>
        this.GoneAsync(RolloutScopedAttribute.Current(HttpContext), id, cancellationToken);

    /// <summary>
    /// Saves the mapping the page showed when Check or Approve was clicked, where it differs from the saved one; a form
    /// without columns (a script, a page without the mapping) changes nothing. A mapping that leaves the import
    /// Incomplete is saved and refused with its errors.
    /// </summary>
    private async Task<(ClientImport Import, bool Changed, IActionResult? Refusal)> SaveShownMappingAsync(
        ClientImport import, MappingForm form, ImportStamps? shownStamps, CancellationToken cancellationToken)
    {
        if (!ImportStatusRules.CanEditMapping(import.Status))
        {
            return (import, false, null);
        }

        // A page loaded before the file settings or the saved assignment changed: its columns are another reading's, or
        // its assignment would undo the one saved since. Nothing is saved, checked or approved; the page as it is now.
        if (shownStamps?.Refuse(import) is { } stale)
        {
            return (import, false, await RefuseAsync(import, stale, cancellationToken));
        }

        if (form.Columns.Count == 0)
        {
            return (import, false, null);
        }

        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, cancellationToken);
        var shown = form.ToMapping(definition.CustomFields);
        if (ImportMapping.Same(shown, ImportMapping.FromJson(import.Mapping), definition))
        {
            return (import, false, null);
        }

        var result = await imports.UpdateMappingAsync(import.Id, shown, shownStamps, cancellationToken);
        var current = await FindAsync(import.Id, cancellationToken) ?? import;
        if (result.Failed)
        {
            return (current, false, await RefuseAsync(current, result.Problem, cancellationToken));
        }

        audit.MappingSaved(User.UserId(), result.Value.Import);

        if (result.Value.Import.Status == ImportStatus.Incomplete)
        {
            var reasons = string.Join(" ", (result.Value.Validation?.Errors ?? []).Select(e => e.Message));
            return (current, true, await RefuseAsync(current, Import.Problem.Invalid(
                $"The column-field assignment shown was saved, but the import stays Incomplete: {reasons}".TrimEnd(' ', ':')),
                cancellationToken));
        }

        return (current, true, null);
    }

    /// <summary>
    /// The fingerprints a mapping form (Save mapping, Check, Approve) is held to. A form whose assignment is the one saved
    /// undoes nothing, whenever its page was loaded: its own save posted again (a double click, the page's form sent again
    /// after Back), or the same choice made in two tabs. The saved assignment's fingerprint is then the import's own, so
    /// it is not refused as "saved since this page was loaded" when nothing of the page's would be lost (decision 0145);
    /// the file reading's fingerprint is kept, and so is the page's when its assignment differs from the saved one
    /// (decision 0056).
    /// </summary>
    private async Task<ImportStamps?> StampsOfAsync(ClientImport import, MappingForm form, CancellationToken cancellationToken)
    {
        if (form.Stamps is not { Mapping: { } mapping } stamps || mapping == ImportStamps.MappingOf(import)
            || form.Columns.Count == 0 || (stamps.File is { } file && file != ImportStamps.FileOf(import)))
        {
            return form.Stamps;
        }

        var definition = await InventoryDefinition.LoadAsync(db, import.InventoryId, cancellationToken);
        return ImportMapping.Same(form.ToMapping(definition.CustomFields), ImportMapping.FromJson(import.Mapping), definition)
            ? stamps with { Mapping = ImportStamps.MappingOf(import) }
            : stamps;
    }

    /// <summary>The fingerprint of the file reading a form was made for, as the steps compare it; null when not posted.</summary>
    private static ImportStamps? FileOnly(string? fileStamp) => fileStamp is null ? null : new ImportStamps(fileStamp);

    private Task<ClientImport?> FindAsync(int id, CancellationToken cancellationToken) =>
        pages.FindAsync(RolloutScopedAttribute.Current(HttpContext), id, cancellationToken);

    private Task<ImportPage> PageAsync(ClientImport import, CancellationToken cancellationToken, ListPosition? rows = null,
        string? column = null, string? message = null, CheckResult? check = null,
        ReplacementProposal? proposal = null, IReadOnlyList<RevertConflict>? revertConflicts = null, string? correctionsAfter = null,
        string? messageAt = null) =>
        pages.PageAsync(RolloutScopedAttribute.Current(HttpContext), import, cancellationToken, review: false, rows, column,
            message, check, proposal, revertConflicts, correctionsAfter, messageAt);

    private async Task<bool> IsAntiforgeryTokenValidAsync(string token)
    {
        var header = antiforgeryOptions.Value.HeaderName;
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(header))
        {
            return false;
        }

        // The form field was read from the stream; handing it over as the header keeps the antiforgery service from
        // reading (and buffering) the form.
        Request.Headers[header] = token;
        return await antiforgery.IsRequestValidAsync(HttpContext);
    }

    private async Task<IActionResult> RefuseUploadAsync(int? inventoryId, Problem problem, CancellationToken cancellationToken)
    {
        // The file's reasons are the form's (the summary, which takes the focus); the inventory's is under its field.
        problem.AddTo(ModelState, Response);
        return View(nameof(New), await NewImportAsync(inventoryId, cancellationToken));
    }

    /// <summary>
    /// The import's page again, with the reasons the step was refused in the shared summary (which takes the focus and
    /// links each reason of a field to it), and the refusal's status code. <paramref name="rows"/> and
    /// <paramref name="column"/>: the failed rows shown, so that a refused cell's editor is among them.
    /// </summary>
    private async Task<IActionResult> RefuseAsync(ClientImport import, Problem problem, CancellationToken cancellationToken,
        ListPosition? rows = null, string? column = null, string delimiterField = nameof(ParseOptionsForm.Delimiter))
    {
        AddReasons(problem, delimiterField);
        return View(nameof(Details), await PageAsync(import, cancellationToken, rows: rows, column: column));
    }

    /// <summary>
    /// The problem's reasons in model state, each under the page's name for its field (decision 0050), and its status
    /// code, in place of what binding said about the posted form. The steps name their fields as the API does: a file
    /// setting (headerRow, sheet, encoding, delimiter), a correction's cell (cells[0].value) or replacement; a field the
    /// page does not show (a cell's row and column, the mapping's columns) leaves the reason in the summary alone.
    /// </summary>
    private void AddReasons(Problem problem, string delimiterField = nameof(ParseOptionsForm.Delimiter))
    {
        // Binding's complaints about the posted form are not the step's reasons (as the client page's links, decision 0050).
        ModelState.Clear();
        foreach (var reason in problem.Reasons)
        {
            ModelState.AddModelError(PageField(reason.Field, delimiterField), reason.Message);
        }

        Response.SetStatus(problem);
    }

    /// <summary>The page's form field for a step's field: "cells[0].value" is the cell editor's Value, "headerRow" HeaderRow.</summary>
    private static string PageField(string? field, string delimiterField)
    {
        if (string.IsNullOrEmpty(field))
        {
            return "";
        }

        // A member of one entry of a list (cells[0].value, replacements[0].from): the entry's form has it by that name.
        var end = field.LastIndexOf("].", StringComparison.Ordinal);
        var member = end >= 0 ? field[(end + 2)..] : field;
        return member switch
        {
            "" => "",
            "delimiter" => delimiterField,
            _ => char.ToUpperInvariant(member[0]) + member[1..],
        };
    }

    private async Task<NewImport> NewImportAsync(int? inventoryId, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventories = await db.Inventories.AsNoTracking()
            .Where(i => i.RolloutId == rollout.Id)
            .OrderBy(i => i.Name)
            .ToListAsync(cancellationToken);
        return new NewImport(rollout, inventories, inventoryId);
    }
}
