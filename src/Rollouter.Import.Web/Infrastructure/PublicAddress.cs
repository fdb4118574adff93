using Microsoft.Extensions.Options;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// The absolute links the app makes (an invitation link, the sign-in redirect): on <c>Rollouter:PublicUrl</c> when it is
/// set, so that a forged Host header cannot put another address into them; else on the request's scheme, Host and
/// path base, as before.
/// </summary>
public static class PublicAddress
{
    public const string Setting = "Rollouter:PublicUrl";

    /// <summary>Why <paramref name="publicUrl"/> cannot be the app's address, in a sentence naming the setting; null when it can (or is not set).</summary>
    public static string? Problem(string? publicUrl)
    {
        if (string.IsNullOrWhiteSpace(publicUrl))
        {
            return null;
        }

        return Uri.TryCreate(publicUrl.Trim(), UriKind.Absolute, out var uri)
               && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
               && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
               // The app's pages link to its root (/rollouts, /account/login): it cannot be served under a path.
               && uri.AbsolutePath == "/"
            ? null
            : $"{Setting} must be the app's address as its users reach it, with http:// or https://, without a path " +
              $"or a query (e.g. https://rollouter.example.com/): the app is served at the root of its address; \"{publicUrl}\" is not.";
    }

    /// <summary>
    /// The absolute address of <paramref name="path"/> (the app's own path, starting with <c>/</c>, with its query):
    /// <c>Rollouter:PublicUrl</c> followed by the path when the setting is made, else the request's scheme, Host and
    /// path base followed by it.
    /// </summary>
    public static string Absolute(HttpRequest request, string path)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(path);
        var configured = request.HttpContext.RequestServices.GetService<IOptions<RolloutOptions>>()?.Value.PublicUrl;
        return string.IsNullOrWhiteSpace(configured)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}{path}"
            : configured.Trim().TrimEnd('/') + path;
    }

    /// <summary>
    /// <paramref name="redirectUri"/>, an absolute address the cookie authentication made of the request's Host
    /// (<c>http://host/account/login?ReturnUrl=…</c>), on <c>Rollouter:PublicUrl</c> when it is set.
    /// </summary>
    public static string Rebase(HttpRequest request, string redirectUri)
    {
        ArgumentNullException.ThrowIfNull(request);
        var own = $"{request.Scheme}://{request.Host}{request.PathBase}";
        return redirectUri.StartsWith(own, StringComparison.OrdinalIgnoreCase)
            ? Absolute(request, redirectUri[own.Length..])
            : redirectUri;
    }
}
