using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Errors;

/// <summary>Friendly error pages: no stack trace, a correlation id to find the request in the log.</summary>
[AllowAnonymous]
// Re-executed with the failed request's method: a refused POST's error page must not be refused again for its token.
[IgnoreAntiforgeryToken]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class ErrorsController : Controller
{
    [Route("error")]
    [Route("error/{status}")]
    public IActionResult Error()
    {
        // Read from the route, not bound: re-executed with a failed request's method and body (a multipart upload refused
        // for its token), binding would read that body as a form.
        var status = RouteData.Values["status"] as string;
        // The page sends the code it shows as its own status: only the codes of errors (400-599) make a valid status line,
        // anything else under /error/ is a page that does not exist.
        // Without a status, the exception handler's re-execution: the status it chose (507 for a full disk, 413 or 408 for
        // a form too large or too slow), else 500.
        var code = status is null
            ? Response.StatusCode is >= 400 and <= 599 ? Response.StatusCode : StatusCodes.Status500InternalServerError
            : int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 400 and <= 599
                ? parsed
                : StatusCodes.Status404NotFound;
        Response.StatusCode = code;
        if (code == StatusCodes.Status503ServiceUnavailable)
        {
            Response.Headers.RetryAfter = Infrastructure.Problems.DatabaseBusy.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        // An address a page's script fetches (the import's progress) answers its errors as its refusals: problem details.
        var failed = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.Endpoint
                     ?? HttpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        if (failed?.Metadata.GetMetadata<ScriptPolledAttribute>() is not null)
        {
            var details = new ProblemDetails { Status = code };
            if (code == StatusCodes.Status503ServiceUnavailable)
            {
                details.Detail = Infrastructure.Problems.DatabaseBusy.MessageFor(HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error);
            }

            ProblemMapping.Complete(details, code);
            return ScriptPolledAttribute.Problem(code, details.Detail ?? "");
        }

        // A form another site sent (or that reached the app through a proxy that changed its address): why, and what to do.
        if (code == StatusCodes.Status403Forbidden && HttpContext.Items.TryGetValue(OriginCheck.RefusedFromItem, out var from))
        {
            return View(new ErrorPage(code, HttpContext.TraceIdentifier) { CrossSite = true, From = from as string, Host = Request.Host.Value });
        }

        // A form past one of its limits (more values than the address takes): which limit, not "File too large".
        if (code == StatusCodes.Status413PayloadTooLarge
            && Infrastructure.Forms.FormLimit.Find(HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error) is { } limit)
        {
            return View(new ErrorPage(code, HttpContext.TraceIdentifier) { FormLimit = Infrastructure.Forms.FormLimit.Message(limit) });
        }

        // The request id, which Serilog attaches as RequestId to every log event of the request, the failure included.
        return View(new ErrorPage(code, HttpContext.TraceIdentifier,
            int.TryParse(Response.Headers.RetryAfter, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : null)
        {
            // A 503: the database busy, out of reach, too slow or read-only (decision 0115).
            Database = code == StatusCodes.Status503ServiceUnavailable
                ? Infrastructure.Problems.DatabaseBusy.Describe(HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error)
                : null,
        });
    }
}

public sealed record ErrorPage(int Status, string CorrelationId, int? RetryAfterSeconds = null)
{
    /// <summary>A form refused for coming from another site (<see cref="OriginCheck"/>), from <see cref="From"/> when the browser named it.</summary>
    public bool CrossSite { get; init; }

    public string? From { get; init; }

    /// <summary>Why a form past one of its limits was refused (<see cref="Infrastructure.Forms.FormLimit"/>); null for any other error.</summary>
    public string? FormLimit { get; init; }

    /// <summary>What kept the database from doing a request answered 503: the page's title and sentence.</summary>
    public (string Title, string Message)? Database { get; init; }

    /// <summary>The address the request reached the app at, which a proxy may have changed.</summary>
    public string? Host { get; init; }

    public string Title => CrossSite ? "Form refused: sent from another site" : FormLimit is not null ? "The form is too large" : Status switch
    {
        404 => "Page not found",
        403 => "Access denied",
        400 => "Bad request",
        405 => "This address takes a form",
        408 => "The form came too slowly",
        413 => "File too large",
        429 => "Too many sign-in attempts",
        507 => "No room on the server",
        503 => Database?.Title ?? "The database is busy",
        _ => "Something went wrong",
    };

    /// <summary>Why a form from another site was refused, and what to do when it was this app's own.</summary>
    private string CrossSiteMessage =>
        $"This form was sent from {From ?? "a page of another site"}, not from this app's own pages at {Host}, so it was " +
        "refused and nothing was changed. If you sent it from this app, open the app at its own address and send the form " +
        "again. If the app is reached through a proxy, ask your administrator to keep the Host header or to list that " +
        "address in Rollouter:AllowedOrigins (operations.md).";

    public string Message => CrossSite ? CrossSiteMessage : FormLimit ?? Status switch
    {
        404 => "This page does not exist, or you are not allowed to see it.",
        403 => "You are not allowed to do this.",
        400 => "The request could not be understood. Go back and try again.",
        // A post-only address opened in the address bar, reloaded after a redirect, or restored with the session.
        405 => "This address only accepts a form sent from its page, so it cannot be opened on its own (from the address " +
               "bar, a bookmark or a restored tab). Nothing was changed. Go back to the page the form was on and send it again.",
        408 => "What you sent came too slowly, so the server stopped waiting for it. Nothing was changed. Go back and send it again.",
        413 => "What you sent (a file or a form) is larger than this installation accepts. Nothing was changed.",
        429 => $"Too many sign-in attempts came from your address. Wait {RetryAfterSeconds ?? 60} seconds, then sign in again.",
        507 => Infrastructure.Problems.StorageFull.Message,
        503 => Database?.Message ?? Infrastructure.Problems.DatabaseBusy.Message,
        _ => "An unexpected error occurred. Nothing you did was lost; please try again. " +
             "If it keeps happening, give your administrator the correlation id below.",
    };
}
