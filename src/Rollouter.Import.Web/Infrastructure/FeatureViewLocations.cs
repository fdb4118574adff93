using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Razor;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// Views live beside their controller: a controller in namespace <c>Rollouter.Import.Web.Features.Settings.Users</c>
/// finds its views in <c>/Features/Settings/Users/</c>, then in each folder above it up to <c>/Features/</c> (partials
/// a feature shares, such as the settings tabs), then in <c>/Features/Shared/</c> (the layout).
/// </summary>
public sealed class FeatureViewLocations : IViewLocationExpander
{
    private const string Key = "feature-folder";
    private const string RootNamespace = "Rollouter.Import.Web.";

    public void PopulateValues(ViewLocationExpanderContext context)
    {
        if (context.ActionContext.ActionDescriptor is ControllerActionDescriptor action
            && action.ControllerTypeInfo.Namespace is { } ns && ns.StartsWith(RootNamespace, StringComparison.Ordinal))
        {
            context.Values[Key] = ns[RootNamespace.Length..].Replace('.', '/');
        }
    }

    public IEnumerable<string> ExpandViewLocations(ViewLocationExpanderContext context, IEnumerable<string> viewLocations)
    {
        if (context.Values.TryGetValue(Key, out var folder) && folder is not null)
        {
            for (var path = folder; path.Length > 0; path = path.LastIndexOf('/') is var i and > 0 ? path[..i] : "")
            {
                yield return $"/{path}/{{0}}.cshtml";
            }
        }

        yield return "/Features/Shared/{0}.cshtml";
    }
}
