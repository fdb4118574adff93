using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// A refusal that reaches its page through a redirect (post, redirect, get): the reasons in model state, each with its
/// field, and the address the refused form posted to, kept in TempData for the next request. The page's GET puts them
/// back into its model state (<see cref="Restore"/>), so the shared summary (<see cref="ErrorSummaryTagHelper"/>) and
/// the fields (<see cref="InvalidFieldTagHelper"/>, only those of the form posted to that address) show them as after
/// any refused form. TempData is read once: reloading the page does not show them again.
/// </summary>
public static class CarriedRefusal
{
    private const string TempDataKey = "Refusal";
    private static readonly object PostedPathKey = new();
    private static readonly object QueryPostedKey = new();

    private const string SessionEndedKey = "SessionEnded";

    /// <summary>What the first page after signing in again says when the sign-in followed a form the ended session lost.</summary>
    public const string SessionEndedMessage =
        "Your session had ended when you sent your last change, so it was not saved: make it again.";

    /// <summary>
    /// A sign-in that followed a form posted after the session ended (the sign-in page's "Unsaved"): the page it leads to
    /// says so once (<see cref="TakeSessionEnded"/>, the layout), as a redirect carries a refusal.
    /// </summary>
    public static void KeepSessionEnded(ITempDataDictionary tempData)
    {
        ArgumentNullException.ThrowIfNull(tempData);
        tempData[SessionEndedKey] = true;
    }

    /// <summary>Whether this page is the first after such a sign-in (<see cref="KeepSessionEnded"/>); read once.</summary>
    public static bool TakeSessionEnded(ITempDataDictionary tempData)
    {
        ArgumentNullException.ThrowIfNull(tempData);
        return tempData[SessionEndedKey] is true;
    }

    /// <summary>Keeps <paramref name="modelState"/>'s reasons, and the address <paramref name="request"/> posted to, for the redirect's page.</summary>
    public static void Keep(ITempDataDictionary tempData, ModelStateDictionary modelState, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(tempData);
        ArgumentNullException.ThrowIfNull(modelState);
        ArgumentNullException.ThrowIfNull(request);
        var reasons = new List<Reason>();
        foreach (var (key, entry) in modelState)
        {
            if (entry is not null)
            {
                reasons.AddRange(entry.Errors.Select(e => new Reason(key, e.ErrorMessage)));
            }
        }

        if (reasons.Count > 0)
        {
            tempData[TempDataKey] = JsonSerializer.Serialize(new Carried((request.PathBase + request.Path).Value ?? "", reasons));
        }
    }

    /// <summary>Puts the reasons a redirect carried (<see cref="Keep"/>) into <paramref name="modelState"/>; whether there were any.</summary>
    public static bool Restore(ITempDataDictionary tempData, ModelStateDictionary modelState, HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(tempData);
        ArgumentNullException.ThrowIfNull(modelState);
        ArgumentNullException.ThrowIfNull(httpContext);
        if (tempData[TempDataKey] is not string json)
        {
            return false;
        }

        Carried? carried;
        try
        {
            carried = JsonSerializer.Deserialize<Carried>(json);
        }
        catch (JsonException)
        {
            return false;
        }

        if (carried?.Reasons is not { Count: > 0 } reasons)
        {
            return false;
        }

        foreach (var reason in reasons)
        {
            modelState.AddModelError(reason.Field ?? "", reason.Message ?? "");
        }

        httpContext.Items[PostedPathKey] = carried.Path;
        return true;
    }

    /// <summary>
    /// For a page a form's post was sent on to with its fields in the address (the replacement's preview, whose GET
    /// can be reloaded): the form posted to this request's own path, and its fields are the query's
    /// (<see cref="FormScope.HoldsWhatWasPosted"/>), so a refusal marks that form's fields as after a post.
    /// </summary>
    public static void PostedHere(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Items[PostedPathKey] = (httpContext.Request.PathBase + httpContext.Request.Path).Value ?? "";
        httpContext.Items[QueryPostedKey] = true;
    }

    /// <summary>Whether the request's query holds what the refused form posted (<see cref="PostedHere"/>).</summary>
    internal static bool QueryWasPosted(HttpContext? httpContext) => httpContext?.Items[QueryPostedKey] is true;

    /// <summary>The address the refused form posted to: the request's own for a post, the carried one after a redirect.</summary>
    internal static string? PostedPath(HttpContext? httpContext)
    {
        if (httpContext is null)
        {
            return null;
        }

        if (httpContext.Items[PostedPathKey] is string carried)
        {
            return carried;
        }

        var request = httpContext.Request;
        return HttpMethods.IsPost(request.Method) ? (request.PathBase + request.Path).Value : null;
    }

    private sealed record Carried(string? Path, List<Reason>? Reasons);

    private sealed record Reason(string? Field, string? Message);
}
