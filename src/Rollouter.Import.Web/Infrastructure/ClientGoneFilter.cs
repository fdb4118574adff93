using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// An action stopped because its client went away (the request's <c>RequestAborted</c> cancelled the work: an upload
/// broken off, a page left while it loaded) answers 499, with no error page or problem details, instead of escaping as
/// an exception that the request log would record as an error of the server ("responded 500").
/// </summary>
public sealed class ClientGoneFilter : IExceptionFilter
{
    public void OnException(ExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        if (context.Exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            // Nobody reads the answer: no status code page (an error page, problem details) is written for it.
            if (http.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }

            context.Result = new StatusCodeResult(StatusCodes.Status499ClientClosedRequest);
            context.ExceptionHandled = true;
        }
    }
}
