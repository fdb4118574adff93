namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// The headers every response carries, pages, files, errors and API alike: a Content-Security-Policy that lets scripts,
/// styles and everything else come from the app only (no inline script, style or handler anywhere: they live in
/// wwwroot/js and wwwroot/css), no framing by any site, no content sniffing, and no full address sent to other sites.
/// Set when the response starts, so that the error pages written after an exception carry them too.
/// A response that says nothing of caching itself is <c>Cache-Control: no-store</c> (<see cref="NoStore"/>): pages,
/// API answers and downloads name people (client users, assignees, users' emails) and hold an inventory's data, which
/// neither a shared proxy nor the browser's disk may keep after the session (decision 0135). The stylesheets and
/// scripts keep the caching their static-asset endpoint gives them.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// Hangfire's dashboard (administrators only) writes inline scripts and styles of its own; it keeps the other rules.
    /// </summary>
    public const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    /// <summary>The caching of every response that does not set its own: none, by anyone.</summary>
    public const string NoStore = "no-store";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(next => context =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/hangfire")
                ? DashboardContentSecurityPolicy
                : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (string.IsNullOrEmpty(headers.CacheControl))
            {
                headers.CacheControl = NoStore;
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
