using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports.Reviews;

/// <summary>
/// The key account managers' review: the imports of every rollout they are a member of (failed ones first), each
/// opening the import's page read-only, with the uploaded file and the error report to download. Key account managers
/// and administrators only (403 for everyone else); a rollout the user is not a member of does not exist (404), as
/// everywhere. Nothing here changes an import: the wizard's forms post to /rollouts/…/imports, which need Rollout
/// Manager or higher.
/// </summary>
[Route("reviews")]
public sealed class ReviewsController(RolloutDbContext db, RolloutAccess access, ImportLifecycle imports, ImportsPageBuilder pages)
    : Controller
{
    [HttpGet("")]
    [Authorize(Policy = Policies.Reviewer)]
    public async Task<IActionResult> Index(int page = 1, CancellationToken cancellationToken = default)
    {
        var visible = access.Visible(User).Select(r => r.Id);
        var query = db.Imports.AsNoTracking().Where(i => visible.Contains(i.RolloutId));
        var total = await query.CountAsync(cancellationToken);
        var paging = Paging.Of(page, ReviewList.PageSize).Within(total);
        var items = await query
            .OrderBy(i => i.Status == ImportStatus.Failed ? 0 : 1)
            .ThenByDescending(i => i.Id)
            .Skip(paging.Skip).Take(ReviewList.PageSize)
            .Select(i => new ReviewListItem(i.Id, i.Status, i.Rollout.Identifier, i.Rollout.Name, i.Inventory.Name, i.FileName,
                i.CreatedBy.DisplayName, i.CreatedAt, i.CreatedCount, i.UpdatedCount, i.FailedRowCount))
            .ToListAsync(cancellationToken);
        return View(new ReviewList(items, total, paging.Page, paging.PageCount(total)));
    }

    /// <summary>The import's page, read-only: file, settings, mapping, counts, failed rows (filterable by column).</summary>
    [HttpGet("{rollout}/imports/{id:int}")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> Details(int id, int page = 1, string? column = null, CancellationToken cancellationToken = default)
    {
        var import = await FindAsync(id, cancellationToken);
        return import is null ? NotFound() : View("~/Features/Imports/Details.cshtml", await pages.PageAsync(
            RolloutScopedAttribute.Current(HttpContext), import, cancellationToken, review: true, page: page, column: column));
    }

    /// <summary>What the page's progress bar polls while the import runs.</summary>
    [HttpGet("{rollout}/imports/{id:int}/progress")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> Progress(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        return import is null ? NotFound() : Json(pages.Progress(import));
    }

    /// <summary>The file as it was uploaded.</summary>
    [HttpGet("{rollout}/imports/{id:int}/file")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> OriginalFile(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return NotFound();
        }

        var file = await pages.OriginalFileAsync(import, cancellationToken);
        return file.Succeeded ? file.Value.ToResult() : NotFound();
    }

    /// <summary>The failed rows as in the file plus an "Import errors" column; 409 when no row failed.</summary>
    [HttpGet("{rollout}/imports/{id:int}/error-report")]
    [RolloutScoped(MinimumRole = Role.Administrator, KeyAccountManagers = true)]
    public async Task<IActionResult> ErrorReport(int id, CancellationToken cancellationToken)
    {
        var import = await FindAsync(id, cancellationToken);
        if (import is null)
        {
            return NotFound();
        }

        var report = await ImportReports.ErrorReportAsync(db, imports, import, cancellationToken);
        return report.Succeeded ? report.Value.ToResult() : StatusCode(report.Problem.StatusCode(), report.Problem.Message);
    }

    /// <summary>The import of the rollout <see cref="RolloutScopedAttribute"/> let the reviewer into, or null.</summary>
    private Task<ClientImport?> FindAsync(int id, CancellationToken cancellationToken) =>
        pages.FindAsync(RolloutScopedAttribute.Current(HttpContext), id, cancellationToken);
}
