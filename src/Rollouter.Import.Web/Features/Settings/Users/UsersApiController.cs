using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Users;

/// <summary>Users (Rollout Manager or higher; the pages' rules: only administrators create administrators).</summary>
[SettingsConflictFilter]
[Route("api/users")]
public sealed class UsersApiController(RolloutDbContext db, RolloutAccess access, UserSettings settings)
    : ApiControllerBase(db, access)
{
    private readonly RolloutAccess _access = access;

    [HttpGet("")]
    [ProducesResponseType<IReadOnlyList<UserDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public async Task<IActionResult> List(CancellationToken ct)
    {
        if (!User.HasRoleAtLeast(Role.RolloutManager))
        {
            return Error(StatusCodes.Status403Forbidden, "Only rollout managers and administrators manage users.");
        }

        // Only rollouts the caller sees are named.
        var visible = await _access.Visible(User).Select(r => r.Id).ToListAsync(ct);
        return Ok(await Db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ThenBy(u => u.Id)
            .Select(UserDto.Projection(visible)).ToListAsync(ct));
    }

    [HttpPost("")]
    [ProducesResponseType<UserDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Create(CreateUserRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!User.HasRoleAtLeast(Role.RolloutManager))
        {
            return Error(StatusCodes.Status403Forbidden, "Only rollout managers and administrators manage users.");
        }

        var form = new UserForm
        {
            DisplayName = request.DisplayName ?? "",
            Email = request.Email ?? "",
            UserCode = request.UserCode ?? "",
            Role = request.Role ?? Role.Technician,
            IsKeyAccountManager = request.IsKeyAccountManager,
            Invite = string.IsNullOrEmpty(request.Password),
            Password = request.Password,
            RolloutIds = [.. request.RolloutIds ?? []],
        };
        var (user, token, errors) = await settings.CreateAsync(User, form, ct);
        if (errors.Failed)
        {
            return Error(errors.StatusCode, errors.Message);
        }

        var visible = await _access.Visible(User).Select(r => r.Id).ToListAsync(ct);
        var rollouts = await Db.RolloutMembers.Where(m => m.UserId == user!.Id && visible.Contains(m.RolloutId))
            .Select(m => m.Rollout.Identifier)
            .OrderBy(i => i).ToListAsync(ct);
        var invitation = token is null
            ? null
            : $"{Request.Scheme}://{Request.Host}{Request.PathBase}{UserSettings.InvitationPath(user!.Id, token)}";
        return Created($"/api/users/{user!.Id}", new UserDto(user.Id, user.DisplayName, user.Email, user.UserCode, user.Role,
            user.IsKeyAccountManager, user.IsActive, rollouts, invitation));
    }
}
