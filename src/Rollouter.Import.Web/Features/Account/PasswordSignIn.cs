using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Account;

public enum SignInVerdict
{
    Succeeded,

    /// <summary>Unknown email, wrong password, deactivated or locked out: one answer for all, so none of them is told apart.</summary>
    Refused,

    /// <summary>Too many failed sign-ins for the email (or this browser): 429, try again after <see cref="SignInAttempt.RetryAfter"/>.</summary>
    Throttled,
}

public sealed record SignInAttempt(SignInVerdict Verdict, User? User = null, TimeSpan RetryAfter = default);

/// <summary>
/// Checks an email and password for the sign-in page and the API. Every refusal costs one password hash, whatever its
/// reason (a dummy hash for an unknown email, a deactivated or a locked-out user), and answers alike. Failures are
/// throttled per email, or per known browser when this browser signed in as the user before (it then also ignores the
/// lockout: others' guesses cannot keep the user out of it).
/// </summary>
public sealed class PasswordSignIn(
    UserManager<User> users, SignInManager<User> signIn, SignInThrottle throttle, KnownDevices devices,
    TypedTextHash typedTextHash, ILogger<PasswordSignIn> logger)
{
    /// <summary>
    /// The one answer to an unknown email, a wrong password, a deactivated or a locked-out account, on the sign-in page
    /// and in the API alike (its 401).
    /// </summary>
    public const string RefusedMessage =
        "The email or password is not correct, or the account is deactivated or locked for a few minutes after failed sign-ins.";

    private static readonly User Nobody = new() { DisplayName = "", UserCode = "" };

    /// <summary>A hash of a random password, made once with the installation's hasher, for refusals that have no user's hash.</summary>
    private static string? _dummyHash;

    /// <param name="knownDevices">Whether a browser's known-device cookie counts (the page); the API has none.</param>
    public async Task<SignInAttempt> CheckAsync(HttpContext context, string email, string password, bool knownDevices)
    {
        ArgumentNullException.ThrowIfNull(context);
        // As the email was stored (SettingsNames.Clean): Identity's normaliser throws on U+FFFE or half a surrogate pair.
        var normalized = users.NormalizeEmail(PlainText.AsSeen(email).Trim());
        var user = await users.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, context.RequestAborted);
        var device = user is not null && knownDevices ? devices.DeviceOf(context, user.Id) : null;
        var key = user is not null && device is not null ? $"device:{user.Id}:{device}" : "email:" + normalized;
        if (throttle.Blocked(key) is { } wait)
        {
            // At most the address limit's rate per client, so an attack cannot flood the log. Never the text typed: a
            // password typed into the email field would land in the log. A user's id, or a short hash of the text, which
            // tells repeated attempts at one unknown email apart from others (decision 0139), keyed by the installation's
            // secret so that a guessed address cannot be tested against the log (decision 0150). The client's address tells
            // an operator where the attempts come from (decision 0167).
            if (user is not null)
            {
                logger.LogWarning("Sign-in throttled after too many failures for user {UserId} (known browser: {KnownBrowser}), " +
                    "this one from {ClientAddress}", user.Id, device is not null, SignInThrottle.AddressOf(context));
            }
            else
            {
                logger.LogWarning("Sign-in throttled after too many failures for an unknown email, hashed {EmailHash}, this one " +
                    "from {ClientAddress}", typedTextHash.Of(normalized), SignInThrottle.AddressOf(context));
            }

            return new SignInAttempt(SignInVerdict.Throttled, RetryAfter: wait);
        }

        var succeeded = false;
        if (user is not { IsActive: true })
        {
            HashDummy(password);
        }
        else if (device is not null)
        {
            succeeded = await users.CheckPasswordAsync(user, password);
            if (!succeeded)
            {
                // Still one failure towards the lockout, which binds other browsers and the API only.
                await users.AccessFailedAsync(user);
            }
            else if (await users.GetAccessFailedCountAsync(user) > 0)
            {
                await users.ResetAccessFailedCountAsync(user);
            }
        }
        else
        {
            var lockedBefore = await users.IsLockedOutAsync(user);
            var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
            succeeded = result.Succeeded;
            if (lockedBefore || result.IsNotAllowed)
            {
                // Identity refuses these before it hashes: hash anyway, so the time does not tell.
                HashDummy(password);
            }
        }

        if (succeeded)
        {
            return new SignInAttempt(SignInVerdict.Succeeded, user);
        }

        throttle.Failed(key);
        return new SignInAttempt(SignInVerdict.Refused);
    }

    private void HashDummy(string password)
    {
        _dummyHash ??= users.PasswordHasher.HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        users.PasswordHasher.VerifyHashedPassword(Nobody, _dummyHash, password);
    }
}
