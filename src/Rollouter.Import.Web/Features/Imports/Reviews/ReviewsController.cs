using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports.Reviews;

/// <summary>
/// The key account managers' review: the imports of every rollout they are a member of (failed ones first), each
/// opening the import's page read-only, with the uploaded file and the error report to download. Key account managers
/// and administrators only (403 for everyone else); a rollout the user is not a member of does not exist (404), as
/// everywhere. Nothing here changes an import: the wizard's forms post to /rollouts/…/imports, which need Rollout
/// Manager or higher; the review's Check reads the file and writes nothing.
/// </summary>
[Route("reviews")]
public sealed class ReviewsController(RolloutDbContext db, RolloutAccess access, ImportLifecycle imports, ImportsPageBuilder pages,
    ReportFiles reports)
    : Controller
{
    /// <summary>
    /// The imports to review, 50 a page by keyset: failed ones first, then the others, each group by latest activity
    /// (<see cref="ClientImport.LastActivityAt"/>: the last run's finish, or the creation), newest first. Filtered by
    /// <paramref name="rollout"/> (an identifier; one the user may not see is 404) and <paramref name="status"/> when
    /// given. The cursor is the group (0 failed, 1 other), the activity's UTC ticks and the id: "0.638…123.45". A rollout
    /// manager who may not review, sent the reviews of a rollout they manage (<c>?rollout=RB</c>), is sent to its imports.
    /// </summary>
    /// <remarks><paramref name="q"/>, the filter's search box (decision 0132): the rollout whose identifier it is (ignoring
    /// case), else every rollout of the user whose name or identifier contains it; the box replaced a list of every
    /// rollout (2,000 options for an administrator).</remarks>
    [HttpGet("")]
    public async Task<IActionResult> Index(string? rollout = null, string? status = null, int? inventory = null, string? after = null,
        string? before = null, bool last = false, string? q = null, CancellationToken cancellationToken = default)
    {
        if (!await access.AllowsAsync(User, RolloutRequirement.Reviewer))
        {
            if (!string.IsNullOrEmpty(rollout)
                && (await access.RolloutAsync(User, rollout, RolloutRequirement.Manager, cancellationToken)) is { Succeeded: true } managed)
            {
                return Redirect($"/rollouts/{Uri.EscapeDataString(managed.Value.Identifier)}/imports");
            }

            return Forbid();
        }

        var visibleRollouts = access.Visible(User);
        var query = string.IsNullOrEmpty(rollout) ? UserSearch.Clean(q) : null;
        if (query is not null && await visibleRollouts.Where(IgnoringCase.Equal<Rollout>(r => r.Identifier, query))
                .Select(r => r.Identifier).FirstOrDefaultAsync(cancellationToken) is { } identifier)
        {
            // The box holds a rollout's identifier (as the filter shows one): that rollout alone, as ?rollout= does.
            rollout = identifier;
            query = null;
        }

        int? rolloutId = null;
        if (!string.IsNullOrEmpty(rollout))
        {
            var chosen = await access.RolloutAsync(User, rollout, RolloutRequirement.Reviewer, cancellationToken);
            if (chosen.Failed)
            {
                return chosen.Problem.Kind == ProblemKind.NotFound ? NotFound() : Forbid();
            }

            rolloutId = chosen.Value.Id;
            rollout = chosen.Value.Identifier;
        }
        else
        {
            rollout = null;
        }

        ImportStatus? only = null;
        string? error = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<ImportStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                && !int.TryParse(status, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                only = parsed;
            }
            else
            {
                error = $"'{status}' is not an import status: choose one of the list (Incomplete, Waiting for Approval, In Progress, Failed, Completed, Reverted).";
                Response.StatusCode = StatusCodes.Status400BadRequest;
            }
        }

        var visible = visibleRollouts.Matching(query).Select(r => r.Id);
        // One inventory's imports (a failed import's review links them when it has more later imports than it lists): of a
        // rollout the user may see, else 404, as a rollout.
        ImportListInventory? onlyInventory = null;
        if (inventory is { } inventoryId)
        {
            onlyInventory = await db.Inventories.AsNoTracking().Where(i => i.Id == inventoryId && visible.Contains(i.RolloutId))
                .Select(i => new ImportListInventory(i.Id, i.Name)).SingleOrDefaultAsync(cancellationToken);
            if (onlyInventory is null)
            {
                return NotFound();
            }
        }

        var page = await KeysetPage<ReviewListItem>.ReadAsync(new ListPosition(after, before, last), ReviewList.PageSize,
            i => string.Create(CultureInfo.InvariantCulture,
                $"{(i.Status == ImportStatus.Failed ? "0" : "1")}.{(i.LastActivityAt ?? i.CreatedAt).UtcTicks}.{i.Id}"), async (read, count) =>
            {
                var failedFirst = true;
                var id = 0;
                var at = DateTimeOffset.MinValue;
                if (read.Cursor is not null)
                {
                    if (read.Cursor.Split('.') is not [var group and ("0" or "1"), var ticksText, var number]
                        || !long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                        || ticks > DateTimeOffset.MaxValue.UtcTicks
                        || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out id))
                    {
                        return null;
                    }

                    failedFirst = group == "0";
                    at = new DateTimeOffset(ticks, TimeSpan.Zero);
                }

                // Each group is read on its own, newest activity first, through the (Status, LastActivityAt, Id) or the
                // (LastActivityAt, Id) index: ordering by "failed or not" in one statement would sort every visible
                // import for each page.
                var items = new List<ReviewListItem>();
                bool[] groups = read.Forward ? [true, false] : [false, true];
                var started = read.Cursor is null;
                foreach (var failed in groups)
                {
                    var fromCursor = !started && failed == failedFirst;
                    if (!started && !fromCursor)
                    {
                        continue;
                    }

                    started = true;
                    if (only is { } kept && (kept == ImportStatus.Failed) != failed)
                    {
                        continue;
                    }

                    var imports = db.Imports.AsNoTracking().Where(i => visible.Contains(i.RolloutId));
                    if (rolloutId is { } onlyRollout)
                    {
                        imports = imports.Where(i => i.RolloutId == onlyRollout);
                    }

                    if (onlyInventory is not null)
                    {
                        imports = imports.Where(i => i.InventoryId == onlyInventory.Id);
                    }

                    imports = only is { } one ? imports.Where(i => i.Status == one)
                        : failed ? imports.Where(i => i.Status == ImportStatus.Failed) : imports.Where(i => i.Status != ImportStatus.Failed);
                    if (fromCursor)
                    {
                        imports = read.Forward
                            ? imports.Where(i => i.LastActivityAt < at || (i.LastActivityAt == at && i.Id < id))
                            : imports.Where(i => i.LastActivityAt > at || (i.LastActivityAt == at && i.Id > id));
                    }

                    var ordered = read.Forward
                        ? imports.OrderByDescending(i => i.LastActivityAt).ThenByDescending(i => i.Id)
                        : imports.OrderBy(i => i.LastActivityAt).ThenBy(i => i.Id);
                    items.AddRange(await ordered.Take(count - items.Count)
                        .Select(i => new ReviewListItem(i.Id, i.Status, i.Rollout.Identifier, i.Rollout.Name, i.Inventory.Name, i.FileName,
                            i.CreatedBy.DisplayName, i.CreatedAt, i.CreatedCount, i.UpdatedCount, i.FailedRowCount,
                            i.ApprovedBy == null ? null : i.ApprovedBy.DisplayName, i.ApprovedAt, i.LastActivityAt))
                        .ToListAsync(cancellationToken));
                    if (items.Count >= count)
                    {
                        break;
                    }
                }

                return items;
            });
        return View(new ReviewList(page, rollout, only, error, onlyInventory, query));
    }

    /// <summary>The import's page, read-only: file, settings, mapping, counts, failed rows (filterable by column).</summary>
    [HttpGet("{rollout}/imports/{id:int}")]
    [WizardForManagers]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> Details(int id, string? column = null, string? after = null, string? before = null,
        bool last = false, [FromQuery(Name = "corrections-after")] string? correctionsAfter = null,
        CancellationToken cancellationToken = default)
    {
        var import = await FindAsync(id, cancellationToken);
        return import is null ? await GoneAsync(id, cancellationToken) : View("~/Features/Imports/Details.cshtml", await pages.PageAsync(
            RolloutScopedAttribute.Current(HttpContext), import, cancellationToken, review: true, rows: new ListPosition(after, before, last),
            column: column, correctionsAfter: correctionsAfter));
    }

    /// <summary>
    /// The dry run, read-only (decision 0080): every row of the import (Waiting for Approval or Failed) checked against
    /// its saved column-field assignment and the inventory's settings as they are now, the corrections applied, and the
    /// review's page with the result the manager's Check shows. A GET, as the manager's result page is: it reads, stores
    /// nothing on the import and changes nothing, so it needs no form. A status that allows no check, or a file no longer
    /// on the server, is said on the page with its status code (409, 410).
    /// </summary>
    [HttpGet("{rollout}/imports/{id:int}/check")]
    [WizardForManagers(Suffix = "/check")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> Check(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var result = await imports.CheckAsync(id, cancellationToken);
        if (result.Failed)
        {
            result.Problem.AddTo(ModelState, Response);
        }

        return View("~/Features/Imports/Details.cshtml", await pages.PageAsync(RolloutScopedAttribute.Current(HttpContext), import,
            cancellationToken, review: true, check: result.Succeeded ? result.Value : null));
    }

    /// <summary>What the page's progress bar polls while the import runs; refusals as problem details (<see cref="ScriptPolledAttribute"/>).</summary>
    [HttpGet("{rollout}/imports/{id:int}/progress")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    [ScriptPolled]
    public async Task<IActionResult> Progress(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        return import is null ? NotFound() : Json(pages.Progress(import));
    }

    /// <summary>The file as it was uploaded.</summary>
    [HttpGet("{rollout}/imports/{id:int}/file")]
    [WizardForManagers(Suffix = "/file")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> OriginalFile(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var file = await pages.OriginalFileAsync(import, cancellationToken);
        return file.Succeeded ? file.Value.ToResult()
            : this.OriginalFileRefused(RolloutScopedAttribute.Current(HttpContext), id, file.Problem, review: true);
    }

    /// <summary>The failed rows as in the file plus an "Import errors" column; when no row failed, a page saying so (409).</summary>
    [HttpGet("{rollout}/imports/{id:int}/error-report")]
    [WizardForManagers(Suffix = "/error-report")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> ErrorReport(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return await GoneAsync(id, cancellationToken);
        }

        var report = await ImportReports.ErrorReportAsync(db, imports, reports, import, cancellationToken);
        return report.Succeeded ? report.Value.ToResult()
            : this.ErrorReportRefused(RolloutScopedAttribute.Current(HttpContext), id, report.Problem, review: true);
    }

    /// <summary>
    /// An import the rollout does not hold (discarded, deleted with its inventory, another rollout's, never made), for a
    /// reviewer who may see the rollout: "There is no import #N in …", as the wizard's page says it, with the way back to
    /// the reviews and, where the reviewer may see it in another rollout, a link there (404).
    /// </summary>
    private Task<ViewResult> GoneAsync(int id, CancellationToken cancellationToken) =>
        this.GoneAsync(RolloutScopedAttribute.Current(HttpContext), id, cancellationToken, review: true);

    /// <summary>The import of the rollout <see cref="RolloutScopedAttribute"/> let the reviewer into, or null.</summary>
    private Task<ClientImport?> FindAsync(int id, CancellationToken cancellationToken) =>
        pages.FindAsync(RolloutScopedAttribute.Current(HttpContext), id, cancellationToken);
}
