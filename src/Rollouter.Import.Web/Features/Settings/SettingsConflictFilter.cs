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

    public const string TooLongMessage =
        "A value is longer than the database keeps, so this change was not saved. Shorten the longest value and try again.";

    public void OnException(ExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A database that kept the save waiting past its timeout, or out of reach or read-only, is no conflict: the 503
        // "try again" (DatabaseBusy).
        if (context.Exception is not DbUpdateException || BusyDatabase.IsBusyOrUnavailable(context.Exception))
        {
            return;
        }

        context.ExceptionHandled = true;
        // A value longer than its column is no conflict: it is refused as the input it is (400), never as someone
        // else's change, which reloading would not cure.
        var tooLong = ValueTooLong.Is(context.Exception);
        var status = tooLong ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
        var message = tooLong ? TooLongMessage : Message;
        if (context.HttpContext.Request.Path.StartsWithSegments("/api"))
        {
            context.Result = ProblemMapping.ToApiResult(ProblemMapping.Details(status, message));
            return;
        }

        var viewData = new ViewDataDictionary(new Microsoft.AspNetCore.Mvc.ModelBinding.EmptyModelMetadataProvider(), context.ModelState)
        {
            ["Title"] = "Not saved",
            ["Message"] = message,
        };
        context.Result = new ViewResult
        {
            ViewName = "~/Features/Settings/Conflict.cshtml",
            ViewData = viewData,
            StatusCode = status,
        };
    }
}
