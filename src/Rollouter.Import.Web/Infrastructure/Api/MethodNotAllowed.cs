using System.Globalization;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// A method an address of the app (API or page) does not take answers 405, with <c>Allow</c> naming exactly the methods the address takes
/// (the body, problem details, comes from the status code pages). Routing alone got both wrong: the static assets'
/// fallback endpoint (<c>{**path:file}</c>, GET and HEAD) is a candidate for every path, so a GET or HEAD on a
/// POST-only address was a 404 ("There is nothing at this address"), and routing's own 405 for a PUT, DELETE or PATCH
/// listed the fallback's GET and HEAD in <c>Allow</c> beside the address's methods. Runs after routing, only when it
/// found no endpoint of the app's (none, or routing's 405 or 415 answer, which are not route endpoints).
/// A HEAD is answered as the GET of its address, without the body (RFC 9110, 9.3.2: a server that takes GET takes HEAD).
/// The pages' addresses likewise: a form's address opened in the address bar (a reload, a restored tab) answers 405 with
/// the error page that says the address takes a form, not "Page not found".
/// </summary>
public static class MethodNotAllowed
{
    /// <summary>
    /// Before routing: a HEAD is routed as a GET, on the API and the pages alike (a page's HEAD was a 404 while its
    /// 405 named HEAD in <c>Allow</c>). Only the method's text changes; Kestrel still knows the request is a HEAD and
    /// sends no body, whatever the action writes.
    /// </summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await next(context);
                return;
            }

            context.Request.Method = HttpMethods.Get;
            try
            {
                await next(context);
            }
            finally
            {
                // The request's log line says HEAD.
                context.Request.Method = HttpMethods.Head;
            }
        });
    }

    private sealed record Address(TemplateMatcher Matcher, IReadOnlyList<string> IntParameters, IReadOnlyList<string> Methods);

    public static IApplicationBuilder UseMethodNotAllowed(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        IReadOnlyList<Address>? addresses = null;
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (context.GetEndpoint() is not RouteEndpoint)
            {
                addresses ??= Addresses(context.RequestServices.GetRequiredService<EndpointDataSource>());
                var allowed = Allowed(addresses, request.Path);
                if (allowed.Count > 0 && !allowed.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
                {
                    // Answered here: routing's 405 endpoint, if it was chosen, never runs (its Allow names the fallback's).
                    context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                    context.Response.Headers.Allow = string.Join(", ", allowed);
                    return;
                }
            }

            await next(context);
        });
    }

    private static List<Address> Addresses(EndpointDataSource endpoints) =>
    [
        .. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>() is not null
                        && e.Metadata.GetMetadata<HttpMethodMetadata>() is { HttpMethods.Count: > 0 })
            .Select(e => new Address(
                new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText ?? ""), new RouteValueDictionary()),
                [.. e.RoutePattern.Parameters.Where(p => p.ParameterPolicies.Any(Int)).Select(p => p.Name)],
                [.. e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []])),
    ];

    private static bool Int(RoutePatternParameterPolicyReference policy) => policy.Content == "int";

    private static List<string> Allowed(IReadOnlyList<Address> addresses, PathString path)
    {
        var allowed = new List<string>();
        foreach (var address in addresses)
        {
            var values = new RouteValueDictionary();
            if (address.Matcher.TryMatch(path, values)
                && address.IntParameters.All(p => int.TryParse(Convert.ToString(values[p], CultureInfo.InvariantCulture),
                    NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
            {
                allowed.AddRange(address.Methods.Where(m => !allowed.Contains(m)));
            }
        }

        if (allowed.Contains(HttpMethods.Get) && !allowed.Contains(HttpMethods.Head))
        {
            allowed.Insert(allowed.IndexOf(HttpMethods.Get) + 1, HttpMethods.Head);
        }

        return allowed;
    }
}
