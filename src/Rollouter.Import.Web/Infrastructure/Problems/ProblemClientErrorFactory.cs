using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// The API controllers' answers that MVC makes itself (a 415 for a body of another type, saying what the call takes; a
/// bare 404 or 409 result):
/// problem details as <c>application/problem+json</c> with a detail in words, like every other refusal. MVC's own
/// factory wrote them as <c>application/json</c> with the status's name as the detail ("Unsupported Media Type").
/// </summary>
public sealed class ProblemClientErrorFactory : IClientErrorFactory
{
    public IActionResult GetClientError(ActionContext actionContext, IClientErrorActionResult clientError)
    {
        ArgumentNullException.ThrowIfNull(actionContext);
        ArgumentNullException.ThrowIfNull(clientError);
        var status = clientError.StatusCode ?? StatusCodes.Status500InternalServerError;
        var details = new ProblemDetails { Status = status, Title = ReasonPhrases.GetReasonPhrase(status) };
        if (status == StatusCodes.Status415UnsupportedMediaType)
        {
            // What this call takes: MVC answers 415 for a body its input formatters do not read, i.e. not JSON, unless
            // the action says it takes multipart (the upload reads its body itself).
            var multipart = actionContext.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>()
                .SelectMany(m => m.ContentTypes)
                .Any(t => t.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase));
            details.Detail = multipart ? ProblemMapping.MultipartBodyOnly : ProblemMapping.JsonBodyOnly;
        }

        ProblemMapping.Complete(details, status);
        return ProblemMapping.ToApiResult(details);
    }
}
