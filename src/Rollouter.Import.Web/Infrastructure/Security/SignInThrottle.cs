using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>The "Rollouter:SignIn" configuration section: how hard guessing passwords is made (docs/decisions/0019).</summary>
public sealed class SignInOptions
{
    public const string Section = "Rollouter:SignIn";

    /// <summary>Sign-in attempts (page and API) one client address may make in a burst; one more every 60 s / this.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Rollouter:SignIn:AttemptsPerAddressPerMinute must be 1 or more.")]
    public int AttemptsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Failed sign-ins one email address (or one known browser) may have in a burst.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Rollouter:SignIn:FailuresPerEmail must be 1 or more.")]
    public int FailuresPerEmail { get; set; } = 5;

    /// <summary>After the burst, one more failed sign-in per email address is allowed every this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Rollouter:SignIn:FailureRefill must be between 1 second and 1 day.")]
    public TimeSpan FailureRefill { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Identity's lockout: this many failures in a row lock the account for <see cref="LockoutWindow"/>.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Rollouter:SignIn:LockoutFailures must be 1 or more.")]
    public int LockoutFailures { get; set; } = 10;

    /// <summary>Short, and never for a browser the user signed in with before (<see cref="KnownDevices"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Rollouter:SignIn:LockoutWindow must be between 1 second and 1 day.")]
    public TimeSpan LockoutWindow { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Throttles sign-in with ASP.NET Core's rate limiters: per client address, in the rate limiting middleware before
/// anything is read or hashed; per email address, failures only, in <see cref="Features.Account.PasswordSignIn"/>
/// on the email the action bound (the middleware runs before model binding, and an email read there could differ from
/// the one the action uses: a <c>form.Email</c> field, a repeated JSON property). Both answer 429 with Retry-After.
/// Limits are per instance; Identity's lockout, kept in the database, is the limit shared by all instances.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const string AddressPolicy = "sign-in-address";

    private readonly PartitionedRateLimiter<string> _failures;
    private readonly TimeSpan _refill;

    /// <summary>The minute each address's refusal was last logged in, forgotten all at once past 10,000 addresses.</summary>
    private readonly ConcurrentDictionary<string, long> _refusalsLogged = new(StringComparer.Ordinal);

    public SignInThrottle(IOptions<SignInOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _refill = o.FailureRefill;
        _failures = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, o.FailuresPerEmail),
                TokensPerPeriod = 1,
                ReplenishmentPeriod = o.FailureRefill,
                QueueLimit = 0,
            }));
    }

    /// <summary>
    /// How long until <paramref name="key"/> (an email or a known browser) may fail again, at most; null when it may now.
    /// A partitioned token bucket refills continuously, so a check for "any permit" would pass on a fraction of a token:
    /// the statistics round down to whole ones.
    /// </summary>
    public TimeSpan? Blocked(string key) =>
        _failures.GetStatistics(key) is { CurrentAvailablePermits: < 1 } ? _refill : null;

    public void Failed(string key) => _failures.AttemptAcquire(key, 1).Dispose();

    /// <summary>
    /// Whether a refusal of <paramref name="address"/>'s sign-in attempts by the address limit is to be logged: the first
    /// of each minute only, so that a flood from one address is a line a minute, not a line a request (decision 0167).
    /// </summary>
    public bool FirstRefusalThisMinute(string address)
    {
        var minute = Environment.TickCount64 / 60_000;
        if (_refusalsLogged.Count >= 10_000)
        {
            _refusalsLogged.Clear();
        }

        if (_refusalsLogged.TryGetValue(address, out var logged) && logged == minute)
        {
            return false;
        }

        _refusalsLogged[address] = minute;
        return true;
    }

    public void Dispose() => _failures.Dispose();

    /// <summary>Whole seconds, at least one, as the Retry-After header wants them.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>"2 minutes", "40 seconds": for the message next to the Retry-After header.</summary>
    public static string Describe(TimeSpan wait) => wait.TotalSeconds > 90
        ? $"{Math.Ceiling(wait.TotalMinutes):0} minutes"
        : $"{Math.Max(1, Math.Ceiling(wait.TotalSeconds)):0} seconds";

    /// <summary>
    /// The client address a limit is kept for. An IPv6 client usually holds a whole /64, so that is one address here.
    /// Behind a reverse proxy this is the proxy unless forwarded headers are enabled (docs/operations.md).
    /// </summary>
    public static string AddressOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

}

public static class SignInThrottleSetup
{
    /// <summary>Both limits, Identity's lockout from <see cref="SignInOptions"/>, and the 429 answer of the address limit.</summary>
    public static IServiceCollection AddSignInThrottle(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(SignInOptions.Section).Get<SignInOptions>() ?? new SignInOptions();
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.Section).ValidateSettings();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<KnownDevices>();
        services.Configure<IdentityOptions>(o =>
        {
            o.Lockout.MaxFailedAccessAttempts = options.LockoutFailures;
            o.Lockout.DefaultLockoutTimeSpan = options.LockoutWindow;
        });
        var perMinute = Math.Max(1, options.AttemptsPerAddressPerMinute);
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(SignInThrottle.AddressPolicy, context => RateLimitPartition.GetTokenBucketLimiter(SignInThrottle.AddressOf(context),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perMinute,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
                    QueueLimit = 0,
                }));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (rejected, _) =>
            {
                var wait = RetryAfterOf(rejected.Lease) ?? TimeSpan.FromMinutes(1);
                // Who hammers the sign-in, as the app sees the address (after the trusted proxy's X-Forwarded-For): a
                // line a minute per address at most (decision 0167).
                var services = rejected.HttpContext.RequestServices;
                var address = SignInThrottle.AddressOf(rejected.HttpContext);
                if (services.GetRequiredService<SignInThrottle>().FirstRefusalThisMinute(address))
                {
                    services.GetRequiredService<ILogger<SignInThrottle>>().LogWarning(
                        "Sign-in attempts from {ClientAddress} refused: more than {AttemptsPerMinute} a minute from one " +
                        "address; further refusals of it are not logged until the next minute", address, perMinute);
                }

                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = SignInThrottle.RetryAfterSeconds(wait);
                if (ApiProblems.IsApi(rejected.HttpContext.Request))
                {
                    await TypedResults.Problem(ProblemMapping.Details(StatusCodes.Status429TooManyRequests,
                            $"Too many sign-in attempts from your address: try again in {SignInThrottle.Describe(wait)}."))
                        .ExecuteAsync(rejected.HttpContext);
                }

                // A page gets the friendly error page for 429 (status code pages), which reads Retry-After.
            };
        });
        return services;
    }

    private static TimeSpan? RetryAfterOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null;
}
