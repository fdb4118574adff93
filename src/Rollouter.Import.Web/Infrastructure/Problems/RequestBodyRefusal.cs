using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// A request whose body the server stopped reading (<see cref="BadHttpRequestException"/>, thrown by Kestrel while a body
/// is read): larger than the server takes (413, Kestrel's <c>MaxRequestBodySize</c>, 30 MB where an address does not
/// lift it), arriving too slowly (408, <c>MinRequestBodyDataRate</c>), or not readable (400, a chunked body that breaks
/// off). That is the client's doing, not an error of the server: it is answered with the exception's own status and a
/// sentence that says what to do, on the pages and in the API, and logged in one line at Warning without a stack
/// trace, instead of a 500 "something went wrong" logged as an error with its trace.
/// </summary>
public static class RequestBodyRefusal
{
    /// <summary>The log category of the line that says a body was refused.</summary>
    public const string LogCategory = "Rollouter.Import.Web.RequestBody";

    /// <summary>The refusal in <paramref name="exception"/> or an exception it wraps, or null when there is none.</summary>
    public static BadHttpRequestException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>What the user or script is told: what happened to the body and what to do.</summary>
    public static string Message(BadHttpRequestException refused, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(refused);
        ArgumentNullException.ThrowIfNull(context);
        if (Forms.FormLimit.Find(refused) is { } limit)
        {
            return Forms.FormLimit.Message(limit);
        }

        return refused.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge =>
                $"The request body is larger than the {Size(context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)} " +
                "the server takes here, so it was not read and nothing was changed: send less at once.",
            StatusCodes.Status408RequestTimeout =>
                "The request body came too slowly, so the server stopped waiting for it and nothing was changed: send it again.",
            _ => $"The request body could not be read ({refused.Message.TrimEnd('.')}), so nothing was changed: send it again.",
        };
    }

    /// <summary>
    /// The exception handlers' diagnostics (<see cref="ExceptionHandlerOptions.SuppressDiagnosticsCallback"/>): a refused
    /// body is logged here, at Warning and without its stack trace, and the handler's own error line is left out; any
    /// other exception is logged by the handler as before.
    /// </summary>
    public static bool SuppressDiagnostics(ExceptionHandlerSuppressDiagnosticsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Find(context.Exception) is not { } refused)
        {
            return false;
        }

        var request = context.HttpContext.Request;
        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory).LogWarning(
            "Request body of {Method} {Path} refused with {StatusCode}: {Reason}",
            request.Method, request.Path.Value, refused.StatusCode, refused.Message);
        return true;
    }

    // As every page and message writes a size (decision 0058): Kestrel's 30,000,000 bytes are "28.6 MB".
    private static string Size(long? bytes) => bytes is { } known ? ByteSizes.Format(known) : "size";
}
