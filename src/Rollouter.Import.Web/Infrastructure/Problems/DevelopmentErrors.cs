using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Diagnostics;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// The pages' errors in the Development environment, which <c>dotnet run</c> (the demo) uses: the developer exception
/// page, with its stack trace, shows only what nobody expected (a 500). What the app answers on purpose — a request body
/// it refused (a form too large, too slow: 413, 408), a full disk (507), a busy or unreachable database (503) — gets the
/// error pages users see in every other environment, with the sentences the user guide quotes (decision 0120).
/// The exception handler sits between the two middlewares below: <see cref="SetAsideUnexpected"/>, inside it, keeps an
/// unexpected exception from it; <see cref="ThrowSetAside"/>, outside it, throws that exception again to the developer
/// exception page.
/// </summary>
public static class DevelopmentErrors
{
    private static readonly object SetAsideKey = new();

    /// <summary>Inside the exception handler: an unexpected exception is kept for <see cref="ThrowSetAside"/>.</summary>
    public static async Task SetAsideUnexpected(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception e) when (StorageFull.StatusCodeOf(e) == StatusCodes.Status500InternalServerError
                                  && !context.Response.HasStarted)
        {
            context.Items[SetAsideKey] = ExceptionDispatchInfo.Capture(e);
            // Nothing of the request's own answer is kept: no error page of its status on the way out.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }
        }
    }

    /// <summary>Outside the exception handler: the exception kept, thrown again with its own stack trace.</summary>
    public static async Task ThrowSetAside(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await next(context);
        if (context.Items.TryGetValue(SetAsideKey, out var kept) && kept is ExceptionDispatchInfo unexpected)
        {
            context.Items.Remove(SetAsideKey);
            unexpected.Throw();
        }
    }
}
