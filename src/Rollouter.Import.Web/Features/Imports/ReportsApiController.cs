using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Data;
using Rollouter.Import.Importing;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// An import's downloads for scripts, its error report and its uploaded file: Rollout Manager or higher, or a key account
/// manager; member of the import's rollout (as the pages' downloads).
/// </summary>
[Route("api")]
public sealed class ReportsApiController(RolloutDbContext db, RolloutAccess access, ImportLifecycle imports, ReportFiles reports,
    ImportsPageBuilder pages)
    : ApiControllerBase(db, access)
{
    /// <summary>
    /// The file as it was uploaded, byte for byte (corrections are never in it), under its name with the import's number
    /// ("laptops-import-12.csv"); 410 when it is no longer on the server or cannot be read (decision 0067).
    /// </summary>
    [HttpGet("imports/{id:int}/file")]
    [ProducesResponseType<Stream>(StatusCodes.Status200OK, "text/csv", Rollouter.Import.Exporting.XlsxStreamWriter.ContentType, "application/octet-stream")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status410Gone, "application/problem+json")]
    public async Task<IActionResult> OriginalFile(int id, CancellationToken cancellationToken)
    {
        var import = await Access.ImportAsync(User, id, RolloutRequirement.ImportReader, cancellationToken);
        if (import.Failed)
        {
            return Refuse(import.Problem);
        }

        var file = await pages.OriginalFileAsync(import.Value, cancellationToken);
        return file.Succeeded ? file.Value.ToResult() : Refuse(file.Problem);
    }

    /// <summary>
    /// The failing rows as in the file plus an "Import errors" column (.xlsx); 409 when no row failed, 410 when the file
    /// is no longer on the server or cannot be read.
    /// </summary>
    [HttpGet("imports/{id:int}/error-report")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<Stream>(StatusCodes.Status200OK, Rollouter.Import.Exporting.XlsxStreamWriter.ContentType)]
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
