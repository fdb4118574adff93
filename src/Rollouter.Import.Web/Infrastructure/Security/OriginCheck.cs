namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// A second guard against cross-site form posts, behind the antiforgery token: a state-changing request (anything but
/// GET, HEAD, OPTIONS, TRACE) to the pages whose <c>Origin</c> names another site, or which a browser marks as
/// cross-site (<c>Sec-Fetch-Site</c>), is refused with 403 before it reaches a form. The API is exempt: it takes bearer
/// tokens, never the cookie. The origin is the request's own host (port included when the request names one, so that a
/// proxy that terminates TLS and keeps the Host header passes), or one listed in <c>Rollouter:AllowedOrigins</c>.
/// </summary>
public static class OriginCheck
{
    public const string AllowedOriginsKey = "Rollouter:AllowedOrigins";

    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var allowed = (configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? [])
            .Select(o => o.TrimEnd('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return app.Use(next => context =>
        {
            if (ChangesState(context.Request) && !context.Request.Path.StartsWithSegments("/api")
                && !IsSameSite(context.Request, allowed))
            {
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
