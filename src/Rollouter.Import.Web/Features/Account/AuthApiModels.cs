namespace Rollouter.Import.Web.Features.Account;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record LoginResponse(string AccessToken, DateTimeOffset ExpiresAt);

/// <summary>What <c>POST /api/auth/logout-everywhere</c> and <c>POST /api/users/{id}/sign-out</c> ended.</summary>
/// <param name="SessionsEnded">Browser sessions ended (only those still valid are counted).</param>
/// <param name="TokensEnded">API tokens ended (the calling token is not among them: it goes on).</param>
/// <param name="Message">The same in a sentence.</param>
public sealed record SignOutResponse(int SessionsEnded, int TokensEnded, string Message);
