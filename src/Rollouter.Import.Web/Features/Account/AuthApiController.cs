using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Account;

/// <summary>Signs a script in: email and password give a bearer token. No self-registration.</summary>
[Route("api/auth")]
public sealed class AuthApiController(
    RolloutDbContext db, RolloutAccess access, UserManager<User> users, SignInManager<User> signIn, ApiTokens tokens)
    : ApiControllerBase(db, access)
{
    [AllowAnonymous]
    [HttpPost("login")]
    [ProducesResponseType<LoginResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    public async Task<IActionResult> Login(LoginRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refused = Error(StatusCodes.Status401Unauthorized, "Wrong email or password, or the account is deactivated.");
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return refused;
        }

        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null || !user.IsActive)
        {
            return refused;
        }

        var result = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            return Error(StatusCodes.Status401Unauthorized, "The account is locked after too many failed sign-ins; try again later.");
        }

        return result.Succeeded
            ? Ok(new LoginResponse(tokens.Create(user), DateTimeOffset.UtcNow + ApiTokens.Lifetime))
            : refused;
    }
}
