using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>
/// The settings check names before saving, but two people saving the same name at the same moment both pass the check;
/// the database's unique index then refuses the second. That refusal becomes a 409 with a clear message (a page, or
/// problem details for the API) instead of an error page.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SettingsConflictFilterAttribute : Attribute, IExceptionFilter
{
    public const string Message =
        "Someone else changed the same settings at the same moment, so this change was not saved. Reload the page and try again.";

    public void OnException(ExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A database that kept the save waiting past its timeout is no conflict: the 503 "try again" (DatabaseBusy).
        if (context.Exception is not DbUpdateException || BusyDatabase.Is(context.Exception))
        {
            return;
        }

        context.ExceptionHandled = true;
        if (context.HttpContext.Request.Path.StartsWithSegments("/api"))
        {
            context.Result = ProblemMapping.ToApiResult(ProblemMapping.Details(StatusCodes.Status409Conflict, Message));
            return;
        }

        var viewData = new ViewDataDictionary(new Microsoft.AspNetCore.Mvc.ModelBinding.EmptyModelMetadataProvider(), context.ModelState)
        {
            ["Title"] = "Not saved",
        };
        context.Result = new ViewResult
        {
            ViewName = "~/Features/Settings/Conflict.cshtml",
            ViewData = viewData,
            StatusCode = StatusCodes.Status409Conflict,
        };
    }
}
