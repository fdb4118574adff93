using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Rollouter.Import.Bench;

/// <summary>
/// The app's routes as <c>EveryRouteAccessTests</c> reads them: every controller endpoint of the web app's assembly
/// (attribute routes, <c>MapControllers</c>), one line "METHOD template" each, so that <c>bench/pages-at-scale</c>
/// names a route it does not time.
/// </summary>
internal static class BenchRoutes
{
    public static int Run(string appDll)
    {
        var assembly = Assembly.LoadFrom(Path.GetFullPath(appDll));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddControllersWithViews().AddApplicationPart(assembly);
        using var app = builder.Build();
        app.MapControllers();
        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"])
                .Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            Console.WriteLine(route);
        }

        return 0;
    }
}
