using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// What the import's addresses answer, wizard and review alike, when what a link asks for is not there (any more): a
/// page in the app's layout saying so, with its status code and the way back, never a bare status or a line of text.
/// </summary>
public static class ImportPageAnswers
{
    /// <summary>An import the rollout does not hold (any more): 404, "Import #N no longer exists" (<c>Gone.cshtml</c>).</summary>
    public static ViewResult Gone(this Controller controller, Rollout rollout, int id, bool review = false)
    {
        ArgumentNullException.ThrowIfNull(controller);
        controller.Response.StatusCode = StatusCodes.Status404NotFound;
        return controller.View("~/Features/Imports/Gone.cshtml", new ImportGone(rollout, id, review));
    }

    /// <summary>
    /// The error report refused (no failed rows, the file no longer readable): the reason with its status code (409 for
    /// no failed rows) and a link back to the import (<c>DownloadRefused.cshtml</c>).
    /// </summary>
    public static ViewResult ErrorReportRefused(this Controller controller, Rollout rollout, int id, Problem problem, bool review = false)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(problem);
        controller.Response.StatusCode = problem.StatusCode();
        return controller.View("~/Features/Imports/DownloadRefused.cshtml",
            new ImportDownloadRefused(rollout, id, $"No error report for import #{id}", problem.Message, review));
    }

    /// <summary>
    /// The uploaded file refused (no longer on the server or unreadable: 410; a full disk: 507): the reason, which says
    /// what is still there and what to do, with its status code and a link back to the import (<c>DownloadRefused.cshtml</c>).
    /// </summary>
    public static ViewResult OriginalFileRefused(this Controller controller, Rollout rollout, int id, Problem problem, bool review = false)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(problem);
        controller.Response.StatusCode = problem.StatusCode();
        return controller.View("~/Features/Imports/DownloadRefused.cshtml",
            new ImportDownloadRefused(rollout, id, $"The file of import #{id} cannot be downloaded", problem.Message, review));
    }
}
