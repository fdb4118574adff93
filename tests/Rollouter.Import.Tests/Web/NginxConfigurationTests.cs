using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rollouter.Import.Tests.Api;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// nginx running the server block docs/operations.md gives ("Behind a reverse proxy"), as written there but for what a
/// test cannot have: it listens on free ports of 127.0.0.1 without TLS (no certificate), passes to the test's upstream
/// instead of 127.0.0.1:8080, and serves the static error page from its own folder. Started as a process of its own
/// (<c>daemon off</c>), stopped when disposed. test.sh installs nginx (Debian's package).
/// </summary>
internal sealed partial class Nginx : IDisposable
{
    public const string UnavailablePageText = "Rollouter is being restarted, try again in a minute";

    private readonly Process _process;
    private readonly string _folder;

    private Nginx(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public Uri Address { get; }

    /// <summary>The server block of docs/operations.md, before it is changed for the test.</summary>
    public static string DocumentedServerBlock()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rollouter.Import.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var operations = File.ReadAllText(Path.Combine(dir.FullName, "docs", "operations.md"));
        var block = NginxBlock().Match(operations);
        Assert.True(block.Success, "docs/operations.md has no ```nginx block");
        return block.Groups[1].Value;
    }

    /// <summary>Starts nginx with the documented configuration in front of 127.0.0.1:<paramref name="upstreamPort"/>.</summary>
    /// <param name="change">What else the test changes (a shorter timeout), on the block as written.</param>
    public static Nginx Start(int upstreamPort, Func<string, string>? change = null)
    {
        var binary = new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" }.FirstOrDefault(File.Exists);
        Assert.True(binary is not null, "nginx is not installed: test.sh installs it (Debian: apt-get install -y nginx)");

        var folder = Directory.CreateTempSubdirectory("nginx-").FullName;
        // nginx started by root runs its worker as nobody, who must read the error page and write the temporary folders.
        var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var errors = Directory.CreateDirectory(Path.Combine(folder, "errors")).FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, readable);
            File.SetUnixFileMode(errors, readable);
        }

        File.WriteAllText(Path.Combine(errors, "rollouter-unavailable.html"),
            $"<!doctype html><html lang=\"en\"><title>Rollouter</title><p>{UnavailablePageText}</p></html>");

        var port = FreePort();
        var server = Replace(DocumentedServerBlock(), "server 127.0.0.1:8080;",
            $"server 127.0.0.1:{upstreamPort.ToString(CultureInfo.InvariantCulture)};");
        server = Replace(server, "listen 80;", $"listen 127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)};");
        server = ListenHttps().Replace(server, $"listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)};");
        server = Certificates().Replace(server, "");
        server = Replace(server, "root /var/www/rollouter-errors;", $"root {errors};");
        server = change?.Invoke(server) ?? server;
        File.WriteAllText(Path.Combine(folder, "rollouter.conf"), server);

        var temporary = string.Concat(new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }
            .Select(t => $"    {t}_temp_path {folder}/{t}_temp;\n"));
        var mimeTypes = File.Exists("/etc/nginx/mime.types") ? "    include /etc/nginx/mime.types;\n" : "";
        File.WriteAllText(Path.Combine(folder, "nginx.conf"),
            $"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n" +
            "events { worker_connections 64; }\n" +
            $"http {{\n    access_log off;\n{mimeTypes}{temporary}    include {folder}/rollouter.conf;\n}}\n");

        var process = Process.Start(new ProcessStartInfo(binary, ["-p", folder + "/", "-c", Path.Combine(folder, "nginx.conf"),
            "-g", "daemon off;"]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("nginx did not start");
        var nginx = new Nginx(process, folder, port);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                tcp.Connect(IPAddress.Loopback, port);
                return nginx;
            }
            catch (SocketException) when (!process.HasExited && DateTime.UtcNow < until)
            {
                Thread.Sleep(100);
            }
            catch (SocketException)
            {
                var log = nginx.ErrorLog();
                nginx.Dispose();
                throw new InvalidOperationException($"nginx did not listen on {port.ToString(CultureInfo.InvariantCulture)}: {log}");
            }
        }
    }

    public string ErrorLog()
    {
        var path = Path.Combine(_folder, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no error.log)";
    }

    /// <summary>A port nobody listens on (the app stopped).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A worker's temporary file still open: the system's cleaning of its temporary folder takes it.
        }
        catch (UnauthorizedAccessException)
        {
            // Folders the worker (nobody) made.
        }
    }

    private static string Replace(string text, string what, string with)
    {
        Assert.True(text.Contains(what, StringComparison.Ordinal),
            $"docs/operations.md's nginx block no longer has \"{what}\": change the test with it");
        return text.Replace(what, with, StringComparison.Ordinal);
    }

    [GeneratedRegex("```nginx\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex NginxBlock();

    [GeneratedRegex("listen 443 ssl[^\n]*")]
    private static partial Regex ListenHttps();

    [GeneratedRegex("^[ \t]*ssl_certificate(_key)?[ \t][^\n]*\n", RegexOptions.Multiline)]
    private static partial Regex Certificates();
}

/// <summary>
/// Reverse proxy, second round: the nginx configuration of docs/operations.md run for real. With the app stopped,
/// nginx's static page went to API clients too, who expect problem details (docs/api.md); a file over 201 MB was
/// refused by nginx's own "413 Request Entity Too Large" page, never reaching the app and its sentence.
/// </summary>
public sealed class NginxConfigurationTests(KestrelWebFactory factory) : IClassFixture<KestrelWebFactory>
{
    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(Nginx nginx, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var response = await client.GetAsync(new Uri(nginx.Address, path));
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithTheAppStopped_AnApiCallGetsProblemDetails_AndAPageTheStaticPage_BothWithRetryAfter()
    {
        using var nginx = Nginx.Start(Nginx.FreePort());

        var (api, apiBody) = await GetAsync(nginx, "/api/rollouts");
        Assert.True(api.StatusCode == HttpStatusCode.BadGateway, $"{api.StatusCode} {apiBody}");
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(apiBody) ?? throw new InvalidOperationException(apiBody);
        Assert.Equal(502, problem["status"]?.GetValue<int>());
        Assert.Equal("Bad Gateway", problem["title"]?.GetValue<string>());
        Assert.StartsWith("https://tools.ietf.org/html/rfc9110#section-15.6.3", problem["type"]?.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("Rollouter is unavailable", problem["detail"]?.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(problem["detail"]?.GetValue<string>(), problem["error"]?.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(30), api.Headers.RetryAfter?.Delta);

        var (page, pageBody) = await GetAsync(nginx, "/rollouts");
        Assert.Equal(HttpStatusCode.BadGateway, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains(Nginx.UnavailablePageText, pageBody, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), page.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task WhenTheAppDoesNotAnswerInTime_AnApiCallGetsAGatewayTimeoutAsProblemDetails()
    {
        // Connections are accepted (by the system, into the backlog) and never answered; the test waits 1 s, not 300.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            using var nginx = Nginx.Start(((IPEndPoint)silent.LocalEndpoint).Port,
                block => block.Replace("proxy_read_timeout 300s;", "proxy_read_timeout 1s;", StringComparison.Ordinal));

            var (api, apiBody) = await GetAsync(nginx, "/api/rollouts");
            Assert.True(api.StatusCode == HttpStatusCode.GatewayTimeout, $"{api.StatusCode} {apiBody}");
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(apiBody) ?? throw new InvalidOperationException(apiBody);
            Assert.Equal(504, problem["status"]?.GetValue<int>());
            Assert.StartsWith("Rollouter is unavailable: it did not answer in time", problem["detail"]?.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(30), api.Headers.RetryAfter?.Delta);

            var (page, pageBody) = await GetAsync(nginx, "/rollouts");
            Assert.Equal(HttpStatusCode.GatewayTimeout, page.StatusCode);
            Assert.Contains(Nginx.UnavailablePageText, pageBody, StringComparison.Ordinal);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task AnErrorOfTheAppItself_PassesThroughUnchanged()
    {
        using var nginx = Nginx.Start(factory.Address.Port);

        var (response, body) = await GetAsync(nginx, "/api/rollouts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("Rollouter is unavailable", body, StringComparison.Ordinal);
    }

    /// <summary>
    /// An upload of 250 MB, of which only the head and the first kilobyte are sent: the app's own 413 comes back through
    /// nginx at once. With nginx's limit (201 MB, as documented before) it was nginx's page; with nginx buffering the
    /// request it would wait for the rest of the body, which never comes.
    /// </summary>
    [Fact]
    public async Task AFileOverTheAppsLimit_IsRefusedByTheAppWithItsSentence_AsSoonAsItsSizeIsKnown()
    {
        using var nginx = Nginx.Start(factory.Address.Port);
        using var client = new HttpClient();
        var login = await client.PostAsync(new Uri(nginx.Address, "/api/auth/login"), new StringContent(
            """{"email":"manager@demo.test","password":"Demo!2026"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = JsonNode.Parse(await login.Content.ReadAsStringAsync())?["accessToken"]?.GetValue<string>();

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, nginx.Address.Port);
        var stream = tcp.GetStream();
        const string Boundary = "rollouter-test";
        var bodyStart = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n1\r\n--{Boundary}\r\n" +
            "Content-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\nName,Status\r\n" +
            new string('x', 1024);
        var head = $"POST /api/rollouts/1/imports HTTP/1.1\r\nHost: {nginx.Address.Authority}\r\n" +
            $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: 262144000\r\n" +
            $"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + bodyStart));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
            // Nothing (more) came in 30 s: what came is asserted below.
        }
        catch (IOException)
        {
            // nginx closed the connection on the body not sent: what came is asserted below.
        }

        var text = answer.ToString();
        Assert.True(text.StartsWith("HTTP/1.1 413", StringComparison.Ordinal), $"answer: {text}\n{nginx.ErrorLog()}");
        Assert.Contains("Content-Type: application/problem+json", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("The file is larger than 200.0 MB, the largest file this installation accepts.", text, StringComparison.Ordinal);
    }
}
