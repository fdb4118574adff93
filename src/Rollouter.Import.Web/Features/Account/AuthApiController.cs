using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Account;

/// <summary>
/// Signs a script in: email and password give a bearer token. No self-registration. Throttled as the sign-in page is:
/// per client address (429 before the body is read) and per email (429 after too many failures); every refusal is the
/// same 401.
/// </summary>
[Route("api/auth")]
public sealed class AuthApiController(
    RolloutDbContext db, RolloutAccess access, PasswordSignIn passwords, ApiTokens tokens, TimeProvider clock)
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
                return Ok(new LoginResponse(tokens.Create(user), clock.GetUtcNow() + ApiTokens.Lifetime));
            case SignInVerdict.Throttled:
                Response.Headers.RetryAfter = SignInThrottle.RetryAfterSeconds(attempt.RetryAfter);
                return Error(StatusCodes.Status429TooManyRequests,
                    $"Too many failed sign-ins for this email address: try again in {SignInThrottle.Describe(attempt.RetryAfter)}.");
            default:
                return refused;
        }
    }
}
