using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// What the import's addresses answer, wizard and review alike, when what a link asks for is not there (any more): a
/// page in the app's layout saying so, with its status code and the way back, never a bare status or a line of text.
/// </summary>
public static class ImportPageAnswers
{
    /// <summary>
    /// An import the rollout does not hold: 404, "There is no import #N in Windows 11 Refresh" (<c>Gone.cshtml</c>), with
    /// a link to it in the rollout that holds it when the user may open it there (the review's page for a reviewer's
    /// address or a user who may only review it, else the wizard's). The app keeps nothing of a discarded import, so the
    /// page does not guess why there is none (decision 0077).
    /// </summary>
    public static async Task<ViewResult> GoneAsync(this Controller controller, Rollout rollout, int id, CancellationToken cancellationToken,
        bool review = false)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(rollout);
        var services = controller.HttpContext.RequestServices;
        var db = services.GetRequiredService<RolloutDbContext>();
        var access = services.GetRequiredService<RolloutAccess>();
        ImportElsewhere? elsewhere = null;
        if (await db.Imports.AsNoTracking().Where(i => i.Id == id && i.RolloutId != rollout.Id).Select(i => i.Rollout)
                .FirstOrDefaultAsync(cancellationToken) is { } other)
        {
            var wizard = await access.AllowsAsync(controller.User, other, RolloutRequirement.Manager);
            var reviewer = await access.AllowsAsync(controller.User, other, RolloutRequirement.Reviewer);
            var path = reviewer && (review || !wizard) ? $"/reviews/{other.Identifier}/imports/{id}"
                : wizard ? $"/rollouts/{other.Identifier}/imports/{id}"
                : null;
            if (path is not null)
            {
                elsewhere = new ImportElsewhere(other.Name, path);
            }
        }

        controller.Response.StatusCode = StatusCodes.Status404NotFound;
        return controller.View("~/Features/Imports/Gone.cshtml", new ImportGone(rollout, id, review, elsewhere));
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
