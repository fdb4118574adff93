using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Data;
using Rollouter.Import.Importing;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>An import's error report for scripts: Rollout Manager or higher, or a key account manager; member of the import's rollout.</summary>
[Route("api")]
public sealed class ReportsApiController(RolloutDbContext db, RolloutAccess access, ImportLifecycle imports, ReportFiles reports)
    : ApiControllerBase(db, access)
{
    /// <summary>
    /// The failing rows as in the file plus an "Import errors" column (.xlsx); 409 when no row failed, 410 when the file
    /// is no longer on the server or cannot be read.
    /// </summary>
    [HttpGet("imports/{id:int}/error-report")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<FileContentResult>(StatusCodes.Status200OK, Rollouter.Import.Exporting.XlsxStreamWriter.ContentType)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    public async Task<IActionResult> ErrorReportFile(int id, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.ImportReader, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var report = await ImportReports.ErrorReportAsync(Db, imports, reports, import.Value, cancellationToken);
        return report.Succeeded ? report.Value.ToResult() : Refuse(report.Problem);
    }
}
