using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// The API controllers' answers that MVC makes itself (a 415 for a body of another type, a bare 404 or 409 result):
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
        ProblemMapping.Complete(details, status);
        return ProblemMapping.ToApiResult(details);
    }
}
