using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The JSON API: bearer tokens only (no cookies, hence no antiforgery), and the pages' rules: a rollout the caller is
/// not a member of does not exist (404), then a role below the minimum is refused (403). Errors are problem details
/// (<see cref="ProblemMapping"/>).
/// </summary>
[ApiController]
[Route("api")]
[Authorize(AuthenticationSchemes = ApiTokens.Scheme)]
[IgnoreAntiforgeryToken]
[Produces("application/json")]
public abstract class ApiControllerBase(RolloutDbContext db, RolloutAccess access) : ControllerBase
{
    protected RolloutDbContext Db => db;

    /// <summary>The answer to a refusal: problem details (<see cref="ProblemMapping.ToApiResult(Problem, (string, object?)[])"/>).</summary>
    protected static IActionResult Refuse(Problem problem, params (string Name, object? Value)[] extensions) =>
        problem.ToApiResult(extensions);

    protected static IActionResult Error(int statusCode, string message) =>
        ProblemMapping.ToApiResult(ProblemMapping.Details(statusCode, message));

    /// <summary>The rollout if visible to the caller and the caller's role is at least <paramref name="minimum"/>.</summary>
    protected async Task<Result<Rollout>> RolloutAsync(int rolloutId, Role minimum, CancellationToken ct)
    {
        var rollout = await access.Visible(User).AsNoTracking().FirstOrDefaultAsync(r => r.Id == rolloutId, ct);
        if (rollout is null)
        {
            return Import.Problem.NotFound($"Rollout {rolloutId} does not exist.");
        }

        return User.HasRoleAtLeast(minimum) ? rollout : Import.Problem.Forbidden("Your role does not allow this.");
    }

    /// <summary>
    /// The rollout of a thing (an inventory, a client) found by <paramref name="rolloutId"/>, if the caller may see it
    /// with at least <paramref name="minimum"/>; a thing of a foreign rollout does not exist (<paramref name="notFound"/>).
    /// </summary>
    protected async Task<Result<Rollout>> RolloutOfAsync(int? rolloutId, string notFound, Role minimum, CancellationToken ct)
    {
        if (rolloutId is null)
        {
            return Import.Problem.NotFound(notFound);
        }

        var rollout = await RolloutAsync(rolloutId.Value, minimum, ct);
        return rollout.Failed && rollout.Problem.Kind == ProblemKind.NotFound ? Import.Problem.NotFound(notFound) : rollout;
    }

    /// <summary>
    /// An import of a rollout the caller may manage imports of (Rollout Manager or higher, member); with
    /// <paramref name="read"/>, a key account manager who is a member may also read it (the review).
    /// </summary>
    protected async Task<Result<ClientImport>> ImportAsync(int importId, CancellationToken ct, bool read = false)
    {
        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, ct);
        if (import is null || !await access.Visible(User).AnyAsync(r => r.Id == import.RolloutId, ct))
        {
            return Import.Problem.NotFound($"Import {importId} does not exist.");
        }

        return User.HasRoleAtLeast(Role.RolloutManager) || (read && User.IsKeyAccountManager())
            ? import
            : Import.Problem.Forbidden("Only rollout managers and administrators manage imports.");
    }
}
