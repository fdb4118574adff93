using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace Rollouter.Import.Tests.Web;

/// <summary>An installation behind a reverse proxy at 10.0.0.1 (<c>Rollouter:TrustedProxies</c>), two sign-in attempts per address.</summary>
public class TrustedProxyFactory : RolloutWebFactory
{
    public const string Proxy = "10.0.0.1";

    public CapturedLogEvents Logs { get; } = new();

    protected virtual string? TrustedProxies => Proxy + ", 192.168.50.0/24";

    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Rollouter:SignIn:AttemptsPerAddressPerMinute"] = "2",
                ["Rollouter:SignIn:FailuresPerEmail"] = "1000",
                ["Rollouter:SignIn:LockoutFailures"] = "1000",
            };
            if (TrustedProxies is { } proxies)
            {
                settings["Rollouter:TrustedProxies"] = proxies;
            }

            return settings;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
    }

    /// <summary>A request as it reaches the app from <paramref name="from"/>, with the headers a proxy (or a client) sent.</summary>
    public Task<HttpContext> SendAsync(string from, string method, string path, Dictionary<string, string> headers, string? json = null) =>
        Server.SendAsync(context =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(from);
            context.Request.Method = method;
            context.Request.Scheme = "http";
            context.Request.Host = new HostString("rollouter.example.com");
            context.Request.Path = path;
            foreach (var (name, value) in headers)
            {
                context.Request.Headers[name] = value;
            }

            if (json is not null)
            {
                context.Request.ContentType = "application/json";
                context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
            }
        });

    /// <summary>A failed API sign-in of an email nobody has, from <paramref name="from"/>: its status (401, or 429 when throttled).</summary>
    public async Task<int> FailedSignInAsync(string from, string? forwardedFor, string email)
    {
        var headers = new Dictionary<string, string>();
        if (forwardedFor is not null)
        {
            headers["X-Forwarded-For"] = forwardedFor;
        }

        var context = await SendAsync(from, "POST", "/api/auth/login", headers,
            $$"""{"email": "{{email}}", "password": "not-the-password"}""");
        return context.Response.StatusCode;
    }

    public IReadOnlyList<string> Warnings(string containing) => Logs.Events
        .Where(e => e.Level == LogEventLevel.Warning)
        .Select(e => e.RenderMessage().Replace("\"", "", StringComparison.Ordinal))
        .Where(m => m.Contains(containing, StringComparison.Ordinal))
        .ToList();
}

/// <summary>The app not told of any proxy: forwarded headers are ignored, and said so once in the log.</summary>
public sealed class NoTrustedProxyFactory : TrustedProxyFactory
{
    protected override string? TrustedProxies => null;
}

/// <summary>
/// Behind a reverse proxy (decision 0155): the client's address and scheme are taken from the proxy's X-Forwarded-For
/// and X-Forwarded-Proto when it is one of <c>Rollouter:TrustedProxies</c>, and from nobody else, so a client that reaches
/// the app directly cannot pick the address the sign-in limit counts, nor claim HTTPS.
/// </summary>
public sealed class ReverseProxyTests(TrustedProxyFactory factory) : IClassFixture<TrustedProxyFactory>
{
    [Fact]
    public async Task BehindTheTrustedProxy_EachClientHasItsOwnSignInLimit()
    {
        Assert.Equal(401, await factory.FailedSignInAsync(TrustedProxyFactory.Proxy, "203.0.113.10", "a1@nowhere.test"));
        Assert.Equal(401, await factory.FailedSignInAsync(TrustedProxyFactory.Proxy, "203.0.113.10", "a2@nowhere.test"));
        Assert.Equal(429, await factory.FailedSignInAsync(TrustedProxyFactory.Proxy, "203.0.113.10", "a3@nowhere.test"));

        // Another user behind the same proxy is not refused for the first one's attempts; nor through a proxy of the listed network.
        Assert.Equal(401, await factory.FailedSignInAsync(TrustedProxyFactory.Proxy, "203.0.113.11", "b1@nowhere.test"));
        Assert.Equal(401, await factory.FailedSignInAsync("192.168.50.7", "203.0.113.12", "c1@nowhere.test"));
    }

    /// <summary>
    /// Decision 0167: an operator could not tell from the log who hammered the sign-in. The address limit's refusal is
    /// logged with the client's address as forwarded by the trusted proxy (never the proxy's), a line a minute per
    /// address, not a line per refused request.
    /// </summary>
    [Fact]
    public async Task ASignInFloodRefused_IsLoggedWithTheClientsAddress_NotALinePerRequest()
    {
        var statuses = new List<int>();
        for (var attempt = 0; attempt < 8; attempt++)
        {
            statuses.Add(await factory.FailedSignInAsync(TrustedProxyFactory.Proxy, "203.0.113.30", $"flood{attempt}@nowhere.test"));
        }

        Assert.Equal(6, statuses.Count(s => s == 429));
        var lines = factory.Logs.Events.Where(e => Equals(CapturedLogEvents.Value(e, "ClientAddress"), "203.0.113.30")).ToList();
        // One, or two when the attempts straddle a minute's turn.
        Assert.InRange(lines.Count, 1, 2);
        Assert.All(lines, e => Assert.Equal(LogEventLevel.Warning, e.Level));
        Assert.StartsWith("Sign-in attempts from 203.0.113.30 refused", lines[0].RenderMessage().Replace("\"", "", StringComparison.Ordinal),
            StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Logs.Events, e => Equals(CapturedLogEvents.Value(e, "ClientAddress"), TrustedProxyFactory.Proxy));
    }

    [Fact]
    public async Task AClientThatReachesTheAppDirectly_CannotChooseItsAddress()
    {
        // Not the proxy: each attempt claims another client address, and all count for the sender's own.
        Assert.Equal(401, await factory.FailedSignInAsync("198.51.100.20", "203.0.113.20", "d1@nowhere.test"));
        Assert.Equal(401, await factory.FailedSignInAsync("198.51.100.20", "203.0.113.21", "d2@nowhere.test"));
        Assert.Equal(429, await factory.FailedSignInAsync("198.51.100.20", "203.0.113.22", "d3@nowhere.test"));
        Assert.Contains(factory.Warnings("which the app ignored: that address is not in Rollouter:TrustedProxies"),
            m => m.StartsWith("A request from 198.51.100.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverHttpsAtTheProxy_CookiesAreSecure_AndHstsIsSent()
    {
        var context = await factory.SendAsync(TrustedProxyFactory.Proxy, "GET", "/account/login",
            new() { ["X-Forwarded-For"] = "203.0.113.30", ["X-Forwarded-Proto"] = "https" });

        Assert.Equal(200, context.Response.StatusCode);
        var cookie = Assert.Single(context.Response.Headers.SetCookie, c => c!.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("max-age=", context.Response.Headers.StrictTransportSecurity.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatReachesTheAppDirectly_CannotClaimHttps()
    {
        var context = await factory.SendAsync("198.51.100.31", "GET", "/account/login",
            new() { ["X-Forwarded-Proto"] = "https" });

        Assert.Equal(200, context.Response.StatusCode);
        var cookie = Assert.Single(context.Response.Headers.SetCookie, c => c!.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("", context.Response.Headers.StrictTransportSecurity.ToString());
    }
}

/// <summary>An operator who forgot to tell the app of its proxy is told so in the log, once.</summary>
public sealed class NoTrustedProxyTests(NoTrustedProxyFactory factory) : IClassFixture<NoTrustedProxyFactory>
{
    [Fact]
    public async Task ForwardedHeadersFromAnUntrustedProxy_AreIgnored_AndLoggedOnce()
    {
        await factory.SendAsync("10.0.0.1", "GET", "/account/login", new() { ["X-Forwarded-For"] = "203.0.113.40", ["X-Forwarded-Proto"] = "https" });
        await factory.SendAsync("10.0.0.1", "GET", "/account/login", new() { ["X-Forwarded-For"] = "203.0.113.41", ["X-Forwarded-Proto"] = "https" });

        var warning = Assert.Single(factory.Warnings("which the app ignores: it is not told to trust a proxy"));
        Assert.Contains("10.0.0.1", warning, StringComparison.Ordinal);
        Assert.Contains("Rollouter:TrustedProxies", warning, StringComparison.Ordinal);
    }
}
