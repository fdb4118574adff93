using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Browsers a user signed in with before, remembered by a protected cookie that names the user and a random device
/// id. Failed sign-ins from someone else, for the same email, neither throttle nor lock out such a browser: its
/// failures are counted for the device alone. So guessing at a user's email from elsewhere cannot keep the user out of
/// the browser they use (docs/decisions/0019).
/// </summary>
public sealed class KnownDevices(IDataProtectionProvider protection)
{
    public const string CookieName = "Rollouter.Device";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(180);

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Rollouter.KnownDevice.v1").ToTimeLimitedDataProtector();

    /// <summary>The device id of this browser when it is known for <paramref name="userId"/>; null otherwise.</summary>
    public string? DeviceOf(HttpContext context, int userId)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Cookies.TryGetValue(CookieName, out var cookie) || string.IsNullOrEmpty(cookie))
        {
            return null;
        }

        try
        {
            var parts = _protector.Unprotect(cookie).Split(':');
            return parts.Length == 2 && parts[0] == userId.ToString(CultureInfo.InvariantCulture) ? parts[1] : null;
        }
        catch (CryptographicException)
        {
            return null; // forged, expired, or protected with a key this installation no longer has
        }
    }

    /// <summary>Remembers this browser for <paramref name="userId"/> (keeping its device id when it had one for them).</summary>
    public void Remember(HttpContext context, int userId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var device = DeviceOf(context, userId) ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var value = _protector.Protect($"{userId.ToString(CultureInfo.InvariantCulture)}:{device}", Lifetime);
        context.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/account",
            MaxAge = Lifetime,
            IsEssential = true,
        });
    }
}
