using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.RateLimiting;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The answers every API action gives for the same reasons, declared once for the OpenAPI document (which lists an
/// action's <see cref="ProducesResponseTypeAttribute"/>s only): 401 without a token (every action but the sign-in),
/// 404 for an id that does not exist or is another rollout's (an address with a parameter), 400 for a body or a query
/// parameter that is not valid, 415 for a body of another type, 429 where the sign-in throttle applies, 503 for a
/// database busy or unavailable (every action), 507 for a full disk (an action that writes). What depends on the action
/// itself (its 403, 409, 413) stays on the action.
/// </summary>
public sealed class ApiResponsesConvention : IActionModelConvention
{
    public void Apply(ActionModel action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!typeof(ApiControllerBase).IsAssignableFrom(action.Controller.ControllerType))
        {
            return;
        }

        var attributes = action.Attributes.Concat(action.Controller.Attributes).ToList();
        var body = attributes.OfType<ConsumesAttribute>().Any()
                   || action.Parameters.Any(p => p.BindingInfo?.BindingSource == BindingSource.Body);
        // A text is read as it comes; a number, a date or an enum that does not parse is a 400.
        var query = action.Parameters.Any(p => p.BindingInfo?.BindingSource == BindingSource.Query && p.ParameterType != typeof(string));
        var template = action.Selectors.Select(s => s.AttributeRouteModel?.Template ?? "")
            .Concat(action.Controller.Selectors.Select(s => s.AttributeRouteModel?.Template ?? ""));

        Add(action, StatusCodes.Status401Unauthorized, !attributes.OfType<IAllowAnonymous>().Any());
        Add(action, StatusCodes.Status400BadRequest, body || query);
        Add(action, StatusCodes.Status404NotFound, template.Any(t => t.Contains('{', StringComparison.Ordinal)));
        Add(action, StatusCodes.Status415UnsupportedMediaType, body);
        Add(action, StatusCodes.Status429TooManyRequests, attributes.OfType<EnableRateLimitingAttribute>().Any());
        // Every call reads the database (the caller's token names a user it checks, the sign-in its password): busy,
        // out of reach, too slow or read-only is a 503 (decision 0115). A call that writes (to the database, or the
        // import's file copied to the data folder by a call that reads it: those that answer 410 when it is gone) may
        // find the disk full: 507 (decision 0127).
        Add(action, StatusCodes.Status503ServiceUnavailable, true);
        Add(action, StatusCodes.Status507InsufficientStorage, Writes(action));
    }

    /// <summary>Whether <paramref name="action"/> writes: a method other than GET, or a call that reads the import's kept file (it may copy it to disk).</summary>
    private static bool Writes(ActionModel action)
    {
        var methods = action.Attributes.OfType<IActionHttpMethodProvider>().SelectMany(a => a.HttpMethods).ToList();
        return methods.Any(m => m is not ("GET" or "HEAD"))
               || action.Attributes.OfType<IApiResponseMetadataProvider>().Any(p => p.StatusCode == StatusCodes.Status410Gone);
    }

    private static void Add(ActionModel action, int status, bool applies)
    {
        if (applies && !action.Filters.OfType<IApiResponseMetadataProvider>().Any(p => p.StatusCode == status)
                    && !action.Attributes.OfType<IApiResponseMetadataProvider>().Any(p => p.StatusCode == status))
        {
            action.Filters.Add(new ProducesResponseTypeAttribute<ProblemDetails>(status, "application/problem+json"));
        }
    }
}
