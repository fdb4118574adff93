using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// Reads a posted form just before the antiforgery check (which runs at order 1000) would, so that a form the server
/// stopped reading (larger than it takes, or arriving too slowly: <see cref="RequestBodyRefusal"/>) reaches the
/// exception handler, and the error page, with its own status (413, 408). The antiforgery check took any failure to read
/// the form for a bad token: "Bad request" (400) for a form too large; a form past one of its limits (more values than
/// the address takes: <see cref="FormLimit"/>) is a 413 too. Any other failure to read a form is left to that
/// check, as before; forms that skip it (the streamed uploads, which read their own bodies) are not read here.
/// </summary>
public sealed class FormReadFirst : IAsyncAuthorizationFilter, IOrderedFilter
{
    public int Order => 999;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.HttpContext.Request;
        if (!request.HasFormContentType || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || context.Filters.OfType<IAntiforgeryPolicy>().LastOrDefault() is null or IgnoreAntiforgeryTokenAttribute)
        {
            return;
        }

        try
        {
            await request.ReadFormAsync(context.HttpContext.RequestAborted);
        }
        catch (InvalidDataException e) when (FormLimit.Is(e))
        {
            // Past one of the form's limits (more values than the address takes, a key or value too long): the client's
            // 413 and an error page that says which limit, not the antiforgery check's "Bad request".
            throw new BadHttpRequestException(e.Message, StatusCodes.Status413PayloadTooLarge, e);
        }
        catch (Exception e) when (RequestBodyRefusal.Find(e) is null && e is InvalidDataException or IOException)
        {
            // Not a body the server refused (a malformed form): the antiforgery check refuses it as before.
        }
    }
}
