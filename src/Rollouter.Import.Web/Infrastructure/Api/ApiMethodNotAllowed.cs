using System.Globalization;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// A GET or HEAD on an API address that takes only other methods answers 405 with <c>Allow</c>, as a PUT or DELETE
/// there already does. Routing alone answered 404 ("There is nothing at this address"): the static assets' fallback
/// endpoint (<c>{**path:file}</c>, GET and HEAD) is a candidate for every GET, so routing's 405 never applies to those
/// two methods, and the fallback's file constraint then refuses an API address. Runs after routing, only when it found
/// no endpoint.
/// </summary>
public static class ApiMethodNotAllowed
{
    private sealed record Address(TemplateMatcher Matcher, IReadOnlyList<string> IntParameters, IReadOnlyList<string> Methods);

    public static IApplicationBuilder UseApiMethodNotAllowed(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        IReadOnlyList<Address>? addresses = null;
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (context.GetEndpoint() is null && ApiProblems.IsApi(request)
                && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
            {
                addresses ??= Addresses(context.RequestServices.GetRequiredService<EndpointDataSource>());
                var allowed = Allowed(addresses, request.Path);
                if (allowed.Count > 0)
                {
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
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true
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

        return allowed;
    }
}
