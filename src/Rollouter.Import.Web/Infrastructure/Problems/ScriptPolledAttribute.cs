using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// An address outside /api that a page's script polls with fetch (the import's progress): it answers in JSON, so its
/// refusals are problem details as the API's are, which the script can tell apart, instead of what a page gets: a
/// redirect to the sign-in page (signed out: 401 here), to "Access denied" (a role too low: 403), or the HTML "Page not
/// found" (not a member, the import gone: 404). The pages' own addresses keep their redirects and error pages. The 401
/// is written from the cookie's sign-in redirect (<see cref="TryRefuseAsync"/>, Program.cs), which comes before MVC;
/// the 403 and 404 here, from the results the rollout's check or the action gave; an error of the server on it (500,
/// 503, 507) from the error page (<see cref="Problem"/>), which the exception handler runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScriptPolledAttribute : Attribute, IAlwaysRunResultFilter
{
    public const string SignedOutMessage = "You were signed out: sign in again, then reload the page.";

    public const string ForbiddenMessage = "You no longer have access to this: your role does not allow it.";

    public const string NotFoundMessage = "This no longer exists, or you are no longer a member of its rollout.";

    public void OnResultExecuting(ResultExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Result = context.Result switch
        {
            ForbidResult => new Refusal(StatusCodes.Status403Forbidden, ForbiddenMessage),
            ChallengeResult => new Refusal(StatusCodes.Status401Unauthorized, SignedOutMessage),
            StatusCodeResult { StatusCode: StatusCodes.Status404NotFound } => new Refusal(StatusCodes.Status404NotFound, NotFoundMessage),
            _ => context.Result,
        };
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }

    /// <summary>
    /// The cookie's redirect to the sign-in page (or to "Access denied") of a request to such an address: problem details
    /// with 401 (403) instead, written here; false for every other address, which is redirected as before.
    /// </summary>
    public static async Task<bool> TryRefuseAsync(HttpContext http, int status)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.GetEndpoint()?.Metadata.GetMetadata<ScriptPolledAttribute>() is null)
        {
            return false;
        }

        await WriteAsync(http, status, status == StatusCodes.Status401Unauthorized ? SignedOutMessage : ForbiddenMessage);
        return true;
    }

    /// <summary>
    /// The answer of such an address to an error of the server (an exception: 500, a busy database: 503, a full disk:
    /// 507), which the error page (<c>ErrorsController</c>) gives instead of its HTML: problem details with
    /// <paramref name="message"/>.
    /// </summary>
    public static IActionResult Problem(int status, string message) => new Refusal(status, message);

    /// <summary>
    /// Writes the problem details itself, whatever the request accepts, as the API's are shaped (type, title, status,
    /// detail and error); no error page is written over them.
    /// </summary>
    private static async Task WriteAsync(HttpContext http, int status, string message)
    {
        if (http.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        var details = ProblemMapping.Details(status, message);
        details.Type ??= status switch
        {
            StatusCodes.Status401Unauthorized => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            StatusCodes.Status403Forbidden => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
            StatusCodes.Status404NotFound => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            StatusCodes.Status500InternalServerError => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
            StatusCodes.Status503ServiceUnavailable => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            _ => null,
        };
        http.Response.StatusCode = status;
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsJsonAsync(details, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json",
            http.RequestAborted);
    }

    private sealed class Refusal(int status, string message) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return WriteAsync(context.HttpContext, status, message);
        }
    }
}
