using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The JSON API: bearer tokens only (no cookies, hence no antiforgery), and the pages' rules: a rollout the caller is
/// not a member of does not exist (404), then a role below the minimum is refused (403). Errors are <c>{error}</c>.
/// </summary>
[ApiController]
[Route("api")]
[Authorize(AuthenticationSchemes = ApiTokens.Scheme)]
[IgnoreAntiforgeryToken]
[Produces("application/json")]
public abstract class ApiControllerBase(RolloutDbContext db, RolloutAccess access) : ControllerBase
{
    protected RolloutDbContext Db => db;

    protected ObjectResult Error(int statusCode, string message) => StatusCode(statusCode, new ApiError(message));

    protected ObjectResult Error(ImportProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Error(problem.StatusCode, problem.Message);
    }

    /// <summary>The rollout if visible to the caller and the caller's role is at least <paramref name="minimum"/>.</summary>
    protected async Task<(Rollout? Rollout, IActionResult? Refusal)> RolloutAsync(int rolloutId, Role minimum,
        CancellationToken ct)
    {
        var rollout = await access.Visible(User).AsNoTracking().FirstOrDefaultAsync(r => r.Id == rolloutId, ct);
        if (rollout is null)
        {
            return (null, Error(StatusCodes.Status404NotFound, $"Rollout {rolloutId} does not exist."));
        }

        return User.HasRoleAtLeast(minimum)
            ? (rollout, null)
            : (null, Error(StatusCodes.Status403Forbidden, "Your role does not allow this."));
    }

    /// <summary>
    /// An import of a rollout the caller may manage imports of (Rollout Manager or higher, member); with
    /// <paramref name="read"/>, a key account manager who is a member may also read it (the review).
    /// </summary>
    protected async Task<(ClientImport? Import, IActionResult? Refusal)> ImportAsync(int importId, CancellationToken ct,
        bool read = false)
    {
        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, ct);
        var visible = import is not null && await access.Visible(User).AnyAsync(r => r.Id == import.RolloutId, ct);
        if (!visible)
        {
            return (null, Error(StatusCodes.Status404NotFound, $"Import {importId} does not exist."));
        }

        return User.HasRoleAtLeast(Role.RolloutManager) || (read && User.IsKeyAccountManager())
            ? (import, null)
            : (null, Error(StatusCodes.Status403Forbidden, "Only rollout managers and administrators manage imports."));
    }
}
