using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Behind a reverse proxy the client's address and scheme are in the proxy's <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> (decision 0155). <c>Rollouter:TrustedProxies</c> names the proxies (addresses or networks,
/// <c>127.0.0.1</c>, <c>10.0.0.0/8</c>, <c>::1</c>) whose headers the app takes: from any other address they are ignored,
/// so a client that reaches the app directly cannot choose the address the sign-in limit counts, nor say it came over
/// HTTPS. ASP.NET Core's own <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> still works, and takes the headers from any
/// address unless this setting is made too; the start-up says so at Warning. A request that carries forwarded headers
/// which the app did not take (none trusted, or sent from an address not listed) is logged once per process at Warning,
/// naming its address and what to set: the sign that the proxy is not configured as it should be.
/// </summary>
public static class TrustedProxies
{
    public const string Setting = "Rollouter:TrustedProxies";

    /// <summary>ASP.NET Core's own switch (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> in the environment).</summary>
    public const string FrameworkSetting = "FORWARDEDHEADERS_ENABLED";

    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string OriginalFor = "X-Original-For";
    private const string OriginalProto = "X-Original-Proto";

    /// <summary>The entries of the setting: an array (<c>Rollouter:TrustedProxies:0</c>) or one value separated by commas.</summary>
    private static List<string> Entries(IConfiguration configuration)
    {
        var section = configuration.GetSection(Setting);
        var values = section.GetChildren().Select(c => c.Value ?? "").ToList();
        if (section.Value is { } single)
        {
            values.Add(single);
        }

        return values.SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
    }

    /// <summary>Why the setting cannot be read, in a sentence naming it and the entry at fault; null when it can (or is not set).</summary>
    public static string? Problem(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var bad = Entries(configuration).Where(e => Parse(e) is null).ToList();
        return bad.Count == 0
            ? null
            : $"{Setting} lists the addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto the app " +
              $"takes, each an IP address (127.0.0.1, ::1) or a network (10.0.0.0/8), separated by commas; " +
              $"{string.Join(", ", bad.Select(b => $"\"{b}\""))} {(bad.Count == 1 ? "is" : "are")} not.";
    }

    /// <summary>The trusted networks (a single address as a network of one); empty when the setting is not made.</summary>
    public static IReadOnlyList<System.Net.IPNetwork> Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Entries(configuration).Select(Parse).OfType<System.Net.IPNetwork>().ToList();
    }

    private static System.Net.IPNetwork? Parse(string entry)
    {
        if (entry.Contains('/', StringComparison.Ordinal))
        {
            return System.Net.IPNetwork.TryParse(entry, out var network) ? network : null;
        }

        if (!IPAddress.TryParse(entry, out var address))
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
    }

    /// <summary>With the setting made: X-Forwarded-For and X-Forwarded-Proto, from the listed proxies only.</summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var networks = Read(configuration);
        if (networks.Count > 0)
        {
            // After ASP.NET Core's own set-up, which clears the known proxies when its switch is on.
            services.PostConfigure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                foreach (var network in networks)
                {
                    o.KnownIPNetworks.Add(network);
                }
            });
        }

        return services;
    }

    /// <summary>
    /// First in the pipeline: the forwarded headers taken (unless ASP.NET Core's switch already takes them, before the
    /// pipeline), and the warnings when they are not.
    /// </summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app, IConfiguration configuration, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var frameworkOn = configuration.GetValue<bool>(FrameworkSetting);
        var networks = Read(configuration);
        if (networks.Count > 0 && !frameworkOn)
        {
            app.UseForwardedHeaders();
        }

        if (frameworkOn && networks.Count == 0)
        {
            logger.LogWarning(
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED is on and {Setting} is not set: X-Forwarded-For and X-Forwarded-Proto " +
                "are taken from any address, so a client that reaches the app other than through the proxy chooses the " +
                "address the sign-in limit counts. Set {Setting} to the proxy's address (e.g. 127.0.0.1), or make sure " +
                "only the proxy can reach the app", Setting, Setting);
        }

        var warned = 0;
        return app.Use(next => context =>
        {
            if (Volatile.Read(ref warned) == 0 && Ignored(context.Request) is { } header
                && Interlocked.Exchange(ref warned, 1) == 0)
            {
                var address = context.Connection.RemoteIpAddress;
                var from = address is null ? "an unknown address"
                    : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
                if (networks.Count == 0 && !frameworkOn)
                {
                    logger.LogWarning(
                        "A request from {ProxyAddress} carried {Header}, which the app ignores: it is not told to trust a " +
                        "proxy, so behind one it sees every user at the proxy's address (one sign-in limit for all) and over " +
                        "plain http (no Secure cookies, no HSTS). Set {Setting} to the proxy's address (see operations.md, " +
                        "Behind a reverse proxy). Said once until the app restarts", from, header, Setting);
                }
                else
                {
                    logger.LogWarning(
                        "A request from {ProxyAddress} carried {Header}, which the app ignored: that address is not in " +
                        "{Setting}. If it is your reverse proxy, add it; otherwise a client sent the header itself. Said once " +
                        "until the app restarts", from, header, Setting);
                }
            }

            return next(context);
        });
    }

    /// <summary>The forwarded header the request carries that was not taken (none taken leaves no X-Original-…), or null.</summary>
    private static string? Ignored(HttpRequest request)
    {
        if (request.Headers.ContainsKey(OriginalFor) || request.Headers.ContainsKey(OriginalProto))
        {
            return null;
        }

        return request.Headers.ContainsKey(ForwardedFor) ? ForwardedFor
            : request.Headers.ContainsKey(ForwardedProto) ? ForwardedProto
            : null;
    }
}
