using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Account;

/// <summary>
/// Signs a script in: email and password give a bearer token. No self-registration. Throttled as the sign-in page is:
/// per client address (429 before the body is read) and per email (429 after too many failures); every refusal is the
/// same 401. A token can be signed out on its own (<c>logout</c>), or with every other sign-in of its user
/// (<c>logout-everywhere</c>), decision 0180.
/// </summary>
[Route("api/auth")]
public sealed class AuthApiController(
    RolloutDbContext db, RolloutAccess access, PasswordSignIn passwords, ApiTokens tokens, TimeProvider clock, AuditLog audit)
    : ApiControllerBase(db, access)
{
    [AllowAnonymous]
    [HttpPost("login")]
    [EnableRateLimiting(SignInThrottle.AddressPolicy)]
    [ProducesResponseType<LoginResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> Login(LoginRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The page's words (PasswordSignIn.RefusedMessage): one answer, whichever way one signs in.
        var refused = Error(StatusCodes.Status401Unauthorized, PasswordSignIn.RefusedMessage);
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return refused;
        }

        var attempt = await passwords.CheckAsync(HttpContext, request.Email, request.Password, knownDevices: false);
        switch (attempt.Verdict)
        {
            case SignInVerdict.Succeeded when attempt.User is { } user:
            {
                // The token's record (its id only) is what logout deletes; it ends with the token.
                var now = clock.GetUtcNow();
                var tokenId = await UserSessions.StartTokenAsync(Db, user.Id, now, ApiTokens.Lifetime, HttpContext.RequestAborted);
                return Ok(new LoginResponse(tokens.Create(user, tokenId), now + ApiTokens.Lifetime));
            }
            case SignInVerdict.Throttled:
                Response.Headers.RetryAfter = SignInThrottle.RetryAfterSeconds(attempt.RetryAfter);
                return Error(StatusCodes.Status429TooManyRequests,
                    $"Too many failed sign-ins for this email address: try again in {SignInThrottle.Describe(attempt.RetryAfter)}.");
            default:
                return refused;
        }
    }

    /// <summary>
    /// Signs the calling token out: it is refused (401, "This token was signed out …") from the next request on, on every
    /// instance. The user's other tokens and browser sessions go on.
    /// </summary>
    [HttpPost("logout")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    public async Task<IActionResult> Logout()
    {
        await UserSessions.EndTokenAsync(Db, User.UserId(), User.FindFirstValue(ApiTokens.IdClaim) ?? "", HttpContext.RequestAborted);
        return NoContent();
    }

    /// <summary>
    /// Signs the caller out everywhere else: every browser session and every other API token of the user ends; the calling
    /// token goes on. Answers how many ended (those still valid).
    /// </summary>
    [HttpPost("logout-everywhere")]
    [ProducesResponseType<SignOutResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    public async Task<IActionResult> LogoutEverywhere()
    {
        var userId = User.UserId();
        var ended = await UserSessions.EndAllButAsync(Db, userId, User.FindFirstValue(ApiTokens.IdClaim), clock.GetUtcNow(),
            HttpContext.RequestAborted);
        audit.SignInsEnded(userId, userId, User.DisplayName(), ended.Sessions, ended.Tokens);
        return Ok(new SignOutResponse(ended.Sessions, ended.Tokens, SignInsEnded.OwnMessage(ended, fromBrowser: false)));
    }
}
