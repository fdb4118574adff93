using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Data;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The JSON API: bearer tokens only (no cookies, hence no antiforgery), and the pages' rules through
/// <see cref="Access"/>: a rollout the caller is not a member of does not exist (404), then a role below the minimum
/// is refused (403). Errors are problem details (<see cref="ProblemMapping"/>).
/// </summary>
[ApiController]
[Route("api")]
[Authorize(AuthenticationSchemes = ApiTokens.Scheme)]
[IgnoreAntiforgeryToken]
[Produces("application/json")]
public abstract class ApiControllerBase(RolloutDbContext db, RolloutAccess access) : ControllerBase
{
    protected RolloutDbContext Db => db;

    /// <summary>What the request is about, if the caller may do it (<see cref="RolloutRequirement"/>); else 404 or 403.</summary>
    protected RolloutAccess Access => access;

    /// <summary>The answer to a refusal: problem details (<see cref="ProblemMapping.ToApiResult(Problem, (string, object?)[])"/>).</summary>
    protected static IActionResult Refuse(Problem problem, params (string Name, object? Value)[] extensions) =>
        problem.ToApiResult(extensions);

    /// <summary>
    /// The problem with its <c>field</c> named as the request body names it (<c>displayName</c>, <c>customFieldIds</c>), not
    /// as the page's form does (<c>DisplayName</c>, <c>CustomFieldIds</c>): the services behind both name the form's
    /// property. <paramref name="formProperty"/>, if given, is named <paramref name="bodyMember"/> instead of its camel-case name.
    /// </summary>
    protected static Problem InRequestTerms(Problem problem, string? formProperty = null, string? bodyMember = null) =>
        problem.Field is { } field
            ? problem with
            {
                Field = field == formProperty && bodyMember is not null ? bodyMember : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(field),
            }
            : problem;

    protected static IActionResult Error(int statusCode, string message) =>
        ProblemMapping.ToApiResult(ProblemMapping.Details(statusCode, message));
}
