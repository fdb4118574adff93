using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>An import's error report for scripts: Rollout Manager or higher, or a key account manager; member of the import's rollout.</summary>
[Route("api")]
public sealed class ReportsApiController(RolloutDbContext db, RolloutAccess access, ImportService imports)
    : ApiControllerBase(db, access)
{
    /// <summary>The failing rows as in the file plus an "Import errors" column (.xlsx); 409 when no row failed.</summary>
    [HttpGet("imports/{id:int}/error-report")]
    [ProducesResponseType<FileContentResult>(StatusCodes.Status200OK, Rollouter.Import.Exporting.XlsxStreamWriter.ContentType)]
    [ProducesResponseType<ApiError>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ApiError>(StatusCodes.Status409Conflict)]
    public async Task<IActionResult> ErrorReportFile(int id, CancellationToken ct)
    {
        var (import, refusal) = await ImportAsync(id, ct, read: true);
        if (refusal is not null)
        {
            return refusal;
        }

        var (report, problem) = await ImportReports.ErrorReportAsync(Db, imports, import!, ct);
        return report is null ? Error(problem!) : File(report.Content, Rollouter.Import.Exporting.XlsxStreamWriter.ContentType, report.FileName);
    }
}
