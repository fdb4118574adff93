namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// A second guard against cross-site form posts, behind the antiforgery token: a state-changing request (anything but
/// GET, HEAD, OPTIONS, TRACE) to the pages whose <c>Origin</c> names another site, or which a browser marks as
/// cross-site (<c>Sec-Fetch-Site</c>), is refused with 403 before it reaches a form. The API is exempt: it takes bearer
/// tokens, never the cookie. The origin is the request's own host (port included when the request names one, so that a
/// proxy that terminates TLS and keeps the Host header passes), or one listed in <c>Rollouter:AllowedOrigins</c>.
/// The refusal is the error page saying so (<see cref="RefusedFromItem"/>): the status code pages run it, and their
/// re-execution of the refused request is not checked again (it was answered 403 with an empty body before).
/// </summary>
public static class OriginCheck
{
    public const string AllowedOriginsKey = "Rollouter:AllowedOrigins";

    /// <summary>
    /// The request's item that says a form was refused here, holding where it came from (the <c>Origin</c>, or null
    /// when only <c>Sec-Fetch-Site</c> said another site), for the error page to name.
    /// </summary>
    public const string RefusedFromItem = "Rollouter.OriginRefused";

    /// <summary>The longest origin the error page repeats (a header may hold anything).</summary>
    private const int MaxOriginShown = 200;

    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var allowed = (configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? [])
            .Select(o => o.TrimEnd('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return app.Use(next => context =>
        {
            if (ChangesState(context.Request) && !context.Request.Path.StartsWithSegments("/api")
                && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is null
                && !IsSameSite(context.Request, allowed))
            {
                var origin = context.Request.Headers.Origin.ToString();
                // "null": a sandboxed page or a file, which names no site.
                context.Items[RefusedFromItem] = origin.Length == 0 || origin == "null" ? null
                    : origin.Length > MaxOriginShown ? origin[..MaxOriginShown] + "…" : origin;
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    private static bool ChangesState(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
          || HttpMethods.IsTrace(request.Method));

    public static bool IsSameSite(HttpRequest request, IReadOnlySet<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(allowed);
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            // Browsers that send no Origin on a form post still say where it came from in Sec-Fetch-Site.
            return !string.Equals(request.Headers["Sec-Fetch-Site"], "cross-site", StringComparison.OrdinalIgnoreCase);
        }

        if (allowed.Contains(origin.TrimEnd('/')))
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false; // "null" (a sandboxed or file: page) and anything unreadable
        }

        var host = request.Host;
        return string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase) && (host.Port is null || uri.Port == host.Port);
    }
}
