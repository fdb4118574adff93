using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Users;

/// <summary>
/// Users (Rollout Manager or higher), with the pages' rules: a rollout manager sees and manages only the users of their
/// rollouts, never an administrator (any other user: 404); only administrators create administrators.
/// </summary>
[SettingsConflictFilter]
[Route("api/users")]
public sealed class UsersApiController(RolloutDbContext db, RolloutAccess access, UserSettings settings, UserErasure erasure)
    : ApiControllerBase(db, access)
{
    private readonly RolloutAccess _access = access;

    /// <summary>
    /// The users the caller manages, by name, then id: the same array as ever, at most <paramref name="pageSize"/> (1–1,000;
    /// 1,000 unless given) an answer, as <c>GET /api/rollouts</c> pages (decisions 0133 and 0159). When more follow, the
    /// answer's <c>Link</c> header names the next page (<c>rel="next"</c>): the same call with <c>after</c>, the id of this
    /// page's last user. <paramref name="q"/> keeps the users whose name, email or user ID contains it, ignoring case. An
    /// <paramref name="after"/> that is not one of the caller's users is 400.
    /// </summary>
    [HttpGet("")]
    [NextPageLink]
    [ProducesResponseType<IReadOnlyList<UserDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public async Task<IActionResult> List(string? q = null, string? after = null, int pageSize = PageDto.MaxPageSize,
        CancellationToken cancellationToken = default)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        // Only rollouts the caller sees are named.
        var visible = await _access.Visible(User).Select(r => r.Id).ToListAsync(cancellationToken);
        var theirs = (await Db.ManageableListAsync(User, cancellationToken)).AsNoTracking();
        // By keyset on (name, id), the order of the list: a user created meanwhile moves no page.
        var users = await theirs.Matching(q).AfterOrBeforeAsync(new KeysetRead(true, string.IsNullOrEmpty(after) ? null : after),
            cancellationToken);
        if (users is null)
        {
            return Refuse(Import.Problem.Invalid(
                "after is not a position in this list: take the next page's address from the Link header of an answer.", "after"));
        }

        var size = Paging.Of(1, pageSize, PageDto.MaxPageSize).PageSize;
        var page = await users.Take(size + 1).Select(UserDto.Projection(visible)).ToListAsync(cancellationToken);
        if (page.Count > size)
        {
            page.RemoveAt(size);
            NextPageLinkAttribute.SetNext(Response, "/api/users", UserSearch.Clean(q), pageSize, size, page[^1].Id);
        }

        return Ok(page);
    }

    [HttpGet("{id:int}")]
    [ProducesResponseType<UserDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Get(int id, CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        return await DescribeAsync(id, null, cancellationToken) is { } user ? Ok(user) : UserNotFound(id);
    }

    [HttpPost("")]
    [ProducesResponseType<UserDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Create(CreateUserRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        if (TooManyRollouts(request.RolloutIds) is { } tooMany)
        {
            return tooMany;
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
        var created = await settings.CreateAsync(User, form, cancellationToken);
        if (created.Failed)
        {
            return Refuse(InRequestTerms(created.Problem));
        }

        var (user, token) = created.Value;
        return Created($"/api/users/{user.Id}", await DescribeAsync(user.Id, token, cancellationToken));
    }

    /// <summary>Changes a user; the role and the rollouts follow the pages' rules.</summary>
    [HttpPut("{id:int}")]
    [ProducesResponseType<UserDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Update(int id, UpdateUserRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        if (TooManyRollouts(request.RolloutIds) is { } tooMany)
        {
            return tooMany;
        }

        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }

        var form = new UserForm
        {
            DisplayName = request.DisplayName ?? user.DisplayName,
            Email = request.Email ?? user.Email ?? "",
            UserCode = request.UserCode ?? user.UserCode,
            Role = request.Role ?? user.Role,
            IsKeyAccountManager = request.IsKeyAccountManager ?? user.IsKeyAccountManager,
            RolloutIds = request.RolloutIds is { } rollouts
                ? [.. rollouts]
                : await Db.RolloutMembers.Where(m => m.UserId == id).Select(m => m.RolloutId).ToListAsync(cancellationToken),
        };
        var previousEmail = user.Email;
        var updated = await settings.UpdateAsync(User, user, form, cancellationToken);
        if (updated.Failed)
        {
            return Refuse(InRequestTerms(updated.Problem));
        }

        // A user taken out of all the caller's rollouts is no longer theirs to see (404 from now on): no rollout is named.
        var described = await DescribeAsync(id, null, cancellationToken) ?? new UserDto(user.Id, user.DisplayName, user.Email,
            user.UserCode, user.Role, user.IsKeyAccountManager, user.IsActive, []);
        var notices = new[] { updated.Value.LinksNotice(user.DisplayName, previousEmail, user.Email), updated.Value.ClientsKept }
            .OfType<string>().ToList();
        return Ok(described with { Notice = notices.Count == 0 ? null : string.Join(" ", notices) });
    }

    [HttpPost("{id:int}/deactivate")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<UserDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public Task<IActionResult> Deactivate(int id, CancellationToken cancellationToken) => SetActiveAsync(id, false, cancellationToken);

    [HttpPost("{id:int}/reactivate")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<UserDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public Task<IActionResult> Reactivate(int id, CancellationToken cancellationToken) => SetActiveAsync(id, true, cancellationToken);

    /// <summary>
    /// Erases the user (administrators only, decision 0144): renamed to "Erased user N", deactivated, out of every rollout,
    /// their email rewritten in the client history and their values cleared from failed rows and corrections. The body
    /// repeats their email (<c>confirmEmail</c>). An erased user erased again: 200, nothing changed, the notice says so.
    /// </summary>
    [HttpPost("{id:int}/erase")]
    [ProducesResponseType<UserDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Erase(int id, EraseUserRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }

        var erased = await erasure.EraseAsync(User, user, request.ConfirmEmail, cancellationToken);
        if (erased.Failed)
        {
            return Refuse(InRequestTerms(erased.Problem));
        }

        var described = await DescribeAsync(id, null, cancellationToken) ?? new UserDto(user.Id, user.DisplayName, user.Email,
            user.UserCode, user.Role, user.IsKeyAccountManager, user.IsActive, []);
        return Ok(described with { Notice = erased.Value.Notice(id) });
    }

    /// <summary>
    /// Ends every sign-in of the user (decision 0182): all their browser sessions and API tokens, from their next request
    /// on. Answers how many ended. 403 for a user also in rollouts the caller does not manage; 400 for oneself (use
    /// <c>POST /api/auth/logout-everywhere</c>).
    /// </summary>
    [HttpPost("{id:int}/sign-out")]
    [ProducesResponseType<Account.SignOutResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> EndSignIns(int id, CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }

        var ended = await settings.EndSignInsAsync(User, user, cancellationToken);
        return ended.Failed
            ? Refuse(ended.Problem)
            : Ok(new Account.SignOutResponse(ended.Value.Sessions, ended.Value.Tokens,
                SignInsEnded.UserMessage(user.DisplayName, ended.Value)));
    }

    /// <summary>A new invitation or password reset link (earlier ones stop working, and so do the user's sessions and tokens).</summary>
    [HttpPost("{id:int}/invitation")]
    [ProducesResponseType<UserDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Invite(int id, CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }

        var token = await settings.InvitationAsync(User, user, cancellationToken);
        return token.Failed ? Refuse(token.Problem) : Ok(await DescribeAsync(id, token.Value, cancellationToken));
    }

    private async Task<IActionResult> SetActiveAsync(int id, bool active, CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }

        var changed = await settings.SetActiveAsync(User, user, active, cancellationToken);
        return changed.Failed ? Refuse(changed.Problem) : Ok(await DescribeAsync(id, null, cancellationToken));
    }

    /// <summary>The user as the caller sees them (only their rollouts named), with the link when one was just made.</summary>
    private async Task<UserDto?> DescribeAsync(int id, string? invitationToken, CancellationToken cancellationToken)
    {
        var visible = await _access.Visible(User).Select(r => r.Id).ToListAsync(cancellationToken);
        var user = await Db.Manageable(User).AsNoTracking().Where(u => u.Id == id).Select(UserDto.Projection(visible))
            .SingleOrDefaultAsync(cancellationToken);
        return user is null || invitationToken is null
            ? user
            : user with
            {
                InvitationUrl = PublicAddress.Absolute(Request, UserSettings.InvitationPath(id, invitationToken)),
            };
    }

    /// <summary>The most rollouts one request names, counted as sent; far more than anyone is a member of.</summary>
    public const int MaxRolloutIds = 1_000;

    /// <summary>
    /// 400 for a <c>rolloutIds</c> of more than <see cref="MaxRolloutIds"/> ids as sent, a repeated id counted each time
    /// (the OpenAPI document's <c>maxItems</c>; a repeated id is otherwise ignored, decision 0160); else null.
    /// </summary>
    private static IActionResult? TooManyRollouts(IReadOnlyList<int>? rolloutIds) =>
        rolloutIds is not null && rolloutIds.Count > MaxRolloutIds
            ? Refuse(Import.Problem.Invalid(
                $"A request can name at most {ImportNumbers.N(MaxRolloutIds)} rollouts in rolloutIds, and it named " +
                $"{ImportNumbers.N(rolloutIds.Count)}; nothing was changed.",
                "rolloutIds"))
            : null;

    private static IActionResult UserNotFound(int id) => Error(StatusCodes.Status404NotFound, $"User {id} does not exist.");

    private IActionResult? RequireManager() => User.HasRoleAtLeast(Role.RolloutManager)
        ? null
        : Error(StatusCodes.Status403Forbidden, "Only rollout managers and administrators manage users.");
}
