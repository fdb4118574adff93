using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// The app behind Kestrel, as it runs, so that a request body is limited as Kestrel limits it (30 MB where an address
/// does not lift it, and a minimum data rate; the grace period here is 2 s instead of 5 s), with its log events captured.
/// </summary>
public sealed class KestrelWebFactory : RolloutWebFactory
{
    public KestrelWebFactory() => UseKestrel(0);

    public CapturedLogEvents Logs { get; } = new();

    /// <summary>The server's address (the app started).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            return new Uri(Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILogEventSink>(Logs);
            services.Configure<KestrelServerOptions>(o =>
                o.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(2)));
        });
    }
}

/// <summary>
/// QA: a JSON body past the 30 MB limit, or one that stalled, was answered 500 "Something went wrong" and logged as an
/// error with a stack trace. It is the client's 413 or 408 now, as problem details that say so (the pages: the error
/// page with that status), logged in one line at Warning.
/// </summary>
public sealed class RequestBodyLimitTests(KestrelWebFactory factory) : IClassFixture<KestrelWebFactory>
{
    private async Task<string> TokenAsync()
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsync(new Uri(factory.Address, "/api/auth/login"), new StringContent(
            """{"email":"manager@demo.test","password":"Demo!2026"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["accessToken"]!.GetValue<string>();
    }

    /// <summary>
    /// Sends a request's head and the first bytes of its body over a socket of its own, then waits for the answer without
    /// sending more (what a client that stalls, or one that declared a body too large, does); the answer's status, its
    /// content type and its body.
    /// </summary>
    private async Task<(int Status, string? ContentType, string Body)> SendAsync(string method, string path, string contentType,
        long contentLength, string? token, string bodyStart)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(factory.Address.Host, factory.Address.Port);
        var stream = tcp.GetStream();
        var head = $"{method} {path} HTTP/1.1\r\nHost: {factory.Address.Authority}\r\nContent-Type: {contentType}\r\n" +
            $"Content-Length: {contentLength.ToString(CultureInfo.InvariantCulture)}\r\n" +
            (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + bodyStart));

        using var answer = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            answer.Write(buffer, 0, read);
        }

        var text = Encoding.UTF8.GetString(answer.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..end].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = text[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        return (int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture), headers.GetValueOrDefault("Content-Type"), body);
    }

    private static string Unchunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = int.Parse(chunked[at..lineEnd].Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return body.ToString();
            }

            // Sizes count bytes; the bodies here are ASCII or nearly so, and a cut character only garbles its own chunk.
            var bytes = Encoding.UTF8.GetBytes(chunked[(lineEnd + 2)..]);
            var chunk = Encoding.UTF8.GetString(bytes, 0, size);
            body.Append(chunk);
            at = lineEnd + 2 + chunk.Length + 2;
        }
    }

    private List<LogEvent> LogsOf(string path) =>
        [.. factory.Logs.Events.Where(e => e.RenderMessage(CultureInfo.InvariantCulture).Contains(path, StringComparison.Ordinal)
            || CapturedLogEvents.Value(e, "RequestPath") as string == path)];

    [Fact]
    public async Task AJsonBodyPastTheLimit_IsTooLarge_AsProblemDetailsSayingSo_LoggedWithoutAnError()
    {
        var token = await TokenAsync();
        var path = $"/api/imports/{int.MaxValue - 1}/mapping";

        var (status, contentType, body) = await SendAsync("PUT", path, "application/json", 31_000_000, token, """{"columns":[""");

        Assert.True(status == 413, $"{status} {body}");
        Assert.Equal("application/problem+json", contentType?.Split(';')[0]);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(413, problem["status"]!.GetValue<int>());
        Assert.Equal("The request body is larger than the 28.6 MB the server takes here, so it was not read and nothing was changed: " +
            "send less at once.", problem["detail"]!.GetValue<string>());
        Assert.Equal(problem["detail"]!.GetValue<string>(), problem["error"]!.GetValue<string>());
        Assert.DoesNotContain(LogsOf(path), e => e.Level >= LogEventLevel.Error || e.Exception is not null);
        Assert.Contains(LogsOf(path), e => e.Level == LogEventLevel.Warning && e.RenderMessage(CultureInfo.InvariantCulture).Contains("413", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJsonBodyThatStalls_IsARequestTimeout_AsProblemDetailsSayingSo_LoggedWithoutAnError()
    {
        var token = await TokenAsync();
        var path = $"/api/imports/{int.MaxValue - 2}/mapping";

        var (status, contentType, body) = await SendAsync("PUT", path, "application/json", 10_000, token, """{"columns":[""");

        Assert.True(status == 408, $"{status} {body}");
        Assert.Equal("application/problem+json", contentType?.Split(';')[0]);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal("The request body came too slowly, so the server stopped waiting for it and nothing was changed: send it again.",
            problem["detail"]!.GetValue<string>());
        Assert.DoesNotContain(LogsOf(path), e => e.Level >= LogEventLevel.Error || e.Exception is not null);
        Assert.Contains(LogsOf(path), e => e.Level == LogEventLevel.Warning && e.RenderMessage(CultureInfo.InvariantCulture).Contains("408", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFormPastTheLimit_ShowsTheErrorPageWithItsStatus_LoggedWithoutAnError()
    {
        const string path = "/account/login";

        var (status, contentType, body) = await SendAsync("POST", path, "application/x-www-form-urlencoded", 31_000_000, null, "Email=a");

        Assert.True(status == 413, $"{status} {body}");
        Assert.Equal("text/html", contentType?.Split(';')[0]);
        var page = HtmlPage.Parse(body);
        Assert.Equal("File too large", page.QuerySelector("h1")?.TextContent.Trim());
        Assert.Contains("larger than this installation accepts", page.Body!.NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain(LogsOf(path), e => e.Level >= LogEventLevel.Error || e.Exception is not null);
    }
}
