using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.WebUtilities;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// The one place that turns a service's <see cref="Problem"/> into HTTP: a status code per kind, RFC 9457 problem
/// details for the API (<c>application/problem+json</c>, the message in <c>detail</c> and, for scripts written before,
/// also in <c>error</c>), and model-state errors for the pages.
/// </summary>
public static class ProblemMapping
{
    /// <summary>The member that repeats <c>detail</c>, kept for scripts that read <c>{error}</c>.</summary>
    public const string ErrorMember = "error";

    /// <summary>The 415 of a call that takes a JSON body, sent a body of another type.</summary>
    public const string JsonBodyOnly =
        "This call takes a JSON body (Content-Type: application/json).";

    /// <summary>The 415 of the upload (<c>POST /api/rollouts/{id}/imports</c>), sent a body that is not multipart.</summary>
    public const string MultipartBodyOnly =
        "This call takes multipart/form-data, with the file in the field `file` and the inventory's id in the field " +
        "`inventoryId`.";

    public static int StatusCode(ProblemKind kind) => kind switch
    {
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.UnsupportedType => StatusCodes.Status415UnsupportedMediaType,
        ProblemKind.InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        ProblemKind.Gone => StatusCodes.Status410Gone,
        ProblemKind.Busy => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    public static int StatusCode(this Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return StatusCode(problem.Kind);
    }

    /// <summary>When to try again after a <see cref="ProblemKind.Busy"/> refusal (a dry run running already), in seconds.</summary>
    public const int BusyRetryAfterSeconds = 5;

    /// <summary>Sets the response's status code for <paramref name="problem"/>, and Retry-After when it says to try again later.</summary>
    public static void SetStatus(this HttpResponse response, Problem problem)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(problem);
        response.StatusCode = problem.StatusCode();
        if (problem.Kind == ProblemKind.Busy)
        {
            response.Headers.RetryAfter = BusyRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The API's answer to <paramref name="problem"/>; <paramref name="extensions"/> adds members a script needs to
    /// act on it (e.g. <c>conflicts</c>).
    /// </summary>
    public static IActionResult ToApiResult(this Problem problem, params (string Name, object? Value)[] extensions)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var details = Details(problem.StatusCode(), problem.Message);
        if (problem.Field is not null)
        {
            details.Extensions["field"] = problem.Field;
        }

        foreach (var (name, value) in problem.Extensions)
        {
            details.Extensions[name] = value;
        }

        foreach (var (name, value) in extensions)
        {
            details.Extensions[name] = value;
        }

        return problem.Kind == ProblemKind.Busy ? new ProblemDetailsResult(details, BusyRetryAfterSeconds) : ToApiResult(details);
    }

    /// <summary>Writes <paramref name="details"/> as <c>application/problem+json</c>, past content negotiation and [Produces].</summary>
    public static IActionResult ToApiResult(ProblemDetails details) => new ProblemDetailsResult(details);

    /// <summary>
    /// The <c>type</c> of the statuses the API answers that ASP.NET Core leaves without one (its defaults cover those of
    /// RFC 9110, not 429 of RFC 6585 nor 507 of RFC 4918), so that every problem carries a type, the sign-in throttle's
    /// too; null for the others, which ASP.NET Core fills in.
    /// </summary>
    public static string? TypeOf(int status) => status switch
    {
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        StatusCodes.Status507InsufficientStorage => "https://tools.ietf.org/html/rfc4918#section-11.5",
        _ => null,
    };

    /// <summary>Problem details for <paramref name="status"/> with <paramref name="message"/> in detail and error.</summary>
    public static ProblemDetails Details(int status, string message)
    {
        var details = new ProblemDetails
        {
            Type = TypeOf(status),
            Status = status,
            Title = ReasonPhrases.GetReasonPhrase(status),
            Detail = message,
        };
        details.Extensions[ErrorMember] = message;
        return details;
    }

    /// <summary>
    /// Completes problem details made by ASP.NET Core itself (an unknown API path, a method not allowed, an unhandled
    /// exception, a refused token): a detail in words, repeated in <c>error</c>.
    /// </summary>
    public static void Complete(ProblemDetails details, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = response.StatusCode;
        if (status == StatusCodes.Status503ServiceUnavailable && !response.HasStarted)
        {
            // A database that kept the request waiting (DatabaseBusy): when to try again.
            response.Headers.RetryAfter = DatabaseBusy.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var error = response.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        if (status == StatusCodes.Status503ServiceUnavailable && error is not null)
        {
            // Busy, out of reach, too slow or read-only: which (decision 0115).
            details.Detail ??= DatabaseBusy.MessageFor(error);
        }

        if (RequestBodyRefusal.Find(error) is { } refused)
        {
            // A body too large, too slow or unreadable: what happened to it, and what to do.
            details.Detail ??= RequestBodyRefusal.Message(refused, response.HttpContext);
        }

        if (status == StatusCodes.Status401Unauthorized
            && response.HttpContext.Items[Security.ApiTokenRefusal.ReasonItem] is string refusal)
        {
            // A token sent and refused: why (expired, its user changed, malformed), as WWW-Authenticate says it.
            details.Detail ??= refusal;
        }

        Complete(details, status);
    }

    /// <inheritdoc cref="Complete(ProblemDetails, HttpResponse)"/>
    public static void Complete(ProblemDetails details, int status)
    {
        ArgumentNullException.ThrowIfNull(details);
        details.Detail ??= status switch
        {
            // Routing's answer to an action's [Consumes], which names no action: the upload's, the one call with one
            // (a test checks). A call that takes JSON answers from its action (ProblemClientErrorFactory).
            StatusCodes.Status415UnsupportedMediaType => MultipartBodyOnly,
            StatusCodes.Status401Unauthorized => Security.ApiTokenRefusal.NoToken,
            StatusCodes.Status403Forbidden => "Your role does not allow this.",
            StatusCodes.Status404NotFound => "There is nothing at this address.",
            StatusCodes.Status405MethodNotAllowed => "This address does not take this method.",
            StatusCodes.Status507InsufficientStorage => StorageFull.Message,
            StatusCodes.Status503ServiceUnavailable => DatabaseBusy.Message,
            >= 500 => "Something went wrong on the server; the error was logged.",
            _ => details.Title ?? ReasonPhrases.GetReasonPhrase(status),
        };
        details.Type ??= TypeOf(status);
        details.Extensions[ErrorMember] = details.Detail;
    }

    /// <summary>
    /// Puts the problem's reasons into a page's model state, each under its field (prefixed, e.g. "Form.") or the
    /// whole form's key, and sets the page's status code.
    /// </summary>
    public static void AddTo(this Problem problem, ModelStateDictionary modelState, HttpResponse response, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(response);
        problem.AddTo(modelState, prefix);
        response.SetStatus(problem);
    }

    /// <summary>
    /// Puts the problem's reasons into a page's model state, each under its field (prefixed) or the whole form's key,
    /// for a page that shows the form again as it was (its status code unchanged).
    /// </summary>
    public static void AddTo(this Problem problem, ModelStateDictionary modelState, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(modelState);
        foreach (var reason in problem.Reasons)
        {
            modelState.AddModelError(string.IsNullOrEmpty(reason.Field) ? "" : prefix + reason.Field, reason.Message);
        }
    }

    /// <summary>Writes problem details whatever the request accepts, past MVC's content negotiation and [Produces].</summary>
    private sealed class ProblemDetailsResult(ProblemDetails details, int? retryAfterSeconds = null) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (retryAfterSeconds is { } seconds)
            {
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return TypedResults.Problem(details).ExecuteAsync(context.HttpContext);
        }
    }
}
