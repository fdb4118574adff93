using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// Where the sign-in leads back to after a form the ended session lost (decision 0074): the page that showed the form,
/// which the browser names in the post's <c>Referer</c> (the app sends <c>Referrer-Policy: same-origin</c>, so a
/// browser gives its own pages' whole address and nothing to another site). The posted address is often one that
/// takes only a form (a client's links, a failed row's correction): a GET of it is the "This address takes a form" page.
/// </summary>
public static class LostFormReturn
{
    /// <summary>
    /// The path and query of the page the form was on, when <paramref name="request"/>'s <c>Referer</c> is one of the
    /// app's own pages: on the request's host (and port, when the request names one) or on <c>Rollouter:PublicUrl</c>'s,
    /// a local path, not the sign-in pages nor the API. Null otherwise: the posted address stays the return address.
    /// </summary>
    public static string? PageOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var referer = request.Headers.Referer.ToString();
        if (referer.Length == 0 || !Uri.TryCreate(referer, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.UserInfo.Length > 0
            || !IsOwnHost(request, uri))
        {
            return null;
        }

        var path = uri.AbsolutePath;
        var pathBase = request.PathBase.Value ?? "";
        if (pathBase.Length > 0)
        {
            if (!path.StartsWith(pathBase + "/", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            path = path[pathBase.Length..];
        }

        if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal)
            || IsUnder(path, "/account") || IsUnder(path, "/api"))
        {
            return null;
        }

        return pathBase + path + uri.Query;
    }

    /// <summary><paramref name="redirectUri"/> (the sign-in page's address) with its return address set to <paramref name="returnUrl"/>.</summary>
    public static string WithReturnUrl(string redirectUri, string parameter, string returnUrl)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        var query = redirectUri.IndexOf('?', StringComparison.Ordinal);
        var address = query < 0 ? redirectUri : redirectUri[..query];
        var values = query < 0 ? [] : QueryHelpers.ParseQuery(redirectUri[query..]);
        var kept = values.Where(v => !string.Equals(v.Key, parameter, StringComparison.OrdinalIgnoreCase))
            .SelectMany(v => v.Value.Select(value => KeyValuePair.Create(v.Key, value)))
            .Append(KeyValuePair.Create(parameter, (string?)returnUrl));
        return QueryHelpers.AddQueryString(address, kept);
    }

    private static bool IsUnder(string path, string segment) =>
        path.Equals(segment, StringComparison.OrdinalIgnoreCase) || path.StartsWith(segment + "/", StringComparison.OrdinalIgnoreCase);

    private static bool IsOwnHost(HttpRequest request, Uri uri)
    {
        var host = request.Host;
        if (string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase) && (host.Port is null || uri.Port == host.Port))
        {
            return true;
        }

        var configured = request.HttpContext.RequestServices.GetService<IOptions<RolloutOptions>>()?.Value.PublicUrl;
        return !string.IsNullOrWhiteSpace(configured) && Uri.TryCreate(configured.Trim(), UriKind.Absolute, out var own)
               && string.Equals(own.Host, uri.Host, StringComparison.OrdinalIgnoreCase) && own.Port == uri.Port;
    }
}
