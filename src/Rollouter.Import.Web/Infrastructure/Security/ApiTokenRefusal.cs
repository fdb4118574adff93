using System.Globalization;
using Microsoft.IdentityModel.Tokens;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Why a bearer token that was sent is refused, in words a script's author can act on: expired (when), ended by a
/// change of its user (deactivated, another role, the key account manager flag, a new password), not a token at all, or
/// signed with another key. The 401's problem details carry it as their <c>detail</c>, and <c>WWW-Authenticate</c> as
/// its <c>error_description</c> (RFC 6750, 3.1), instead of one "Sign in first" for every 401.
/// </summary>
public static class ApiTokenRefusal
{
    /// <summary>The request item that holds the reason for <see cref="Problems.ProblemMapping"/>.</summary>
    public static readonly object ReasonItem = new();

    /// <summary>The 401 of a request without a token.</summary>
    public const string NoToken = "Sign in first: send a bearer token from POST /api/auth/login.";

    /// <summary>A token refused because its user changed since it was issued; the message says what changed.</summary>
    public sealed class RefusedException(string message) : Exception(message);

    /// <summary>The reason for the failure JwtBearer gives (one of the token handler's exceptions, or the user check's).</summary>
    public static string Reason(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var first = failure is AggregateException { InnerExceptions: [var inner, ..] } ? inner : failure;
        return first switch
        {
            RefusedException refused => refused.Message,
            SecurityTokenExpiredException expired => string.Create(CultureInfo.InvariantCulture,
                $"The token expired at {expired.Expires:yyyy-MM-dd HH:mm:ss} UTC (a token lasts {ApiTokens.Lifetime.TotalHours:0} hours): ") +
                "sign in again (POST /api/auth/login) for a new one.",
            SecurityTokenNotYetValidException notYet => string.Create(CultureInfo.InvariantCulture,
                $"The token is not valid before {notYet.NotBefore:yyyy-MM-dd HH:mm:ss} UTC: check the clocks of the servers, or sign in again (POST /api/auth/login)."),
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException =>
                "The token's signature is not valid: it was altered, or it was signed with another key than this server's " +
                "(another installation, or a signing key changed since). Sign in again (POST /api/auth/login).",
            SecurityTokenInvalidIssuerException or SecurityTokenInvalidAudienceException =>
                "The token was not issued by this server for its API: sign in again (POST /api/auth/login) for one that is.",
            SecurityTokenMalformedException or ArgumentException =>
                "The bearer token is malformed: send the accessToken of POST /api/auth/login as it came, after \"Bearer \".",
            _ => "The bearer token was refused: sign in again (POST /api/auth/login) for a new one.",
        };
    }

    /// <summary>
    /// <paramref name="reason"/> as an <c>error_description</c> may carry it: printable ASCII without <c>"</c> and
    /// <c>\</c> (RFC 6750, 3), each other character as <c>'</c> or left out.
    /// </summary>
    public static string HeaderText(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new string([.. reason.Select(c => c == '"' ? '\'' : c).Where(c => c is >= ' ' and <= '~' and not '\\')]);
    }
}
