using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Web.Features.Imports.Reviews;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>The workbooks the pages link to: a failed import's error report and an inventory's import template.</summary>
[Route("rollouts/{rollout}")]
public sealed class ImportReportsController(RolloutDbContext db, ImportLifecycle imports, ReportFiles reports) : Controller
{
    /// <summary>
    /// The failing rows as in the file plus an "Import errors" column (rollout managers and higher). A link kept from
    /// before gets a page: an import without failed rows says so with a link back to it (409), an import deleted since
    /// "There is no import #N in …" (404).
    /// </summary>
    [HttpGet("imports/{id:int}/error-report")]
    [ReviewForKeyAccountManagers(Suffix = "/error-report")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> ErrorReport(int id, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var import = await db.Imports.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id && i.RolloutId == rollout.Id, cancellationToken);
        if (import is null)
        {
            return await this.GoneAsync(rollout, id, cancellationToken);
        }

        var report = await ImportReports.ErrorReportAsync(db, imports, reports, import, cancellationToken);
        return report.Succeeded ? report.Value.ToResult() : this.ErrorReportRefused(rollout, id, report.Problem);
    }

    /// <summary>The inventory's import template; any member of the rollout may download it.</summary>
    [HttpGet("inventories/{id:int}/template")]
    [RolloutScoped]
    public async Task<IActionResult> Template(int id, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        if (!await db.Inventories.AnyAsync(i => i.Id == id && i.RolloutId == rollout.Id, cancellationToken))
        {
            return NotFound();
        }

        return (await ImportReports.TemplateAsync(db, id, cancellationToken)).ToResult();
    }
}
