using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rollouter.Import.BrowserTests.Infrastructure;

/// <summary>
/// The real app, published, as its own process on a free loopback port: `dotnet Rollouter.Import.Web.dll --urls …`
/// in the Production environment with demo data (or, given an <see cref="InitialAdministrator"/>, as a fresh
/// installation without demo data), on SQLite in a temporary data folder, or with the settings a test gives (a
/// PostgreSQL database several instances share). The browser tests start one per test collection; the recovery tests
/// start several and kill them as a crash would (<see cref="KillAsync"/>). <see cref="DisposeAsync"/> kills it and
/// deletes the folder.
/// </summary>
public sealed class AppServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private const int MaxOutputLines = 400;

    private readonly Process _process;
    private readonly string _dataFolder;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _allOutput = new();
    private readonly StreamWriter _log;

    private AppServer(Process process, string dataFolder, Uri baseAddress, StreamWriter log)
    {
        _process = process;
        _dataFolder = dataFolder;
        _log = log;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:&lt;port&gt;/</summary>
    public Uri BaseAddress { get; }

    /// <summary>The app's console output (the last lines), for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>Whether the app has written a line holding this text to its console.</summary>
    public bool HasWritten(string text) => _allOutput.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Where the app's whole console output goes: artifacts/browser-tests-app.log.</summary>
    public static string LogFile => LogFileOf("app");

    /// <summary>artifacts/browser-tests-&lt;name&gt;.log: each collection's app writes its own.</summary>
    public static string LogFileOf(string name) => Path.Combine(Paths.Artifacts, $"browser-tests-{name}.log");

    /// <param name="name">Names the log file (<see cref="LogFileOf"/>): "app" for the Browser collection's app.</param>
    /// <param name="administrator">
    /// Null: the demo data and its accounts. Otherwise a fresh installation: no demo data
    /// (Rollouter__DemoData=false) and only this first administrator (Rollouter__InitialAdministrator__…).
    /// </param>
    public static Task<AppServer> StartAsync(string name = "app", InitialAdministrator? administrator = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Rollouter__DemoData"] = administrator is null ? "true" : "false",
            ["Rollouter__DatabaseProvider"] = "Sqlite",
            ["ConnectionStrings__Sqlite"] = "Data Source=rollouter.db",
        };
        if (administrator is not null)
        {
            settings["Rollouter__InitialAdministrator__Email"] = administrator.Email;
            settings["Rollouter__InitialAdministrator__Password"] = administrator.Password;
        }

        return StartAsync(name, settings);
    }

    /// <param name="name">Names the log file (<see cref="LogFileOf"/>).</param>
    /// <param name="settings">
    /// Environment variables of the app (configuration keys with "__"), e.g. the database provider and connection
    /// string; each instance has a data folder of its own for its logs and file cache.
    /// </param>
    public static async Task<AppServer> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var dll = Path.Combine(Paths.WebApp, "Rollouter.Import.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"The published web app is missing ({dll}): build this test project, which publishes it there.");
        }

        Directory.CreateDirectory(Paths.Artifacts);
        var log = new StreamWriter(LogFileOf(name), append: false) { AutoFlush = true };
        try
        {
            // A free port can be taken between probing and binding; the app then exits at once and we try again.
            for (var attempt = 1; ; attempt++)
            {
                var server = Launch(dll, FreeLoopbackPort(), log, settings);
                try
                {
                    await server.WaitUntilHealthyAsync();
                    return server;
                }
                catch (AppExitedException) when (attempt < 3 && server.RecentOutput.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    await server.DisposeAsync(keepLog: true);
                }
                catch
                {
                    await server.DisposeAsync(keepLog: true);
                    throw;
                }
            }
        }
        catch
        {
            await log.DisposeAsync();
            throw;
        }
    }

    private static AppServer Launch(string dll, int port, StreamWriter log, IReadOnlyDictionary<string, string> settings)
    {
        var dataFolder = Directory.CreateTempSubdirectory("rollouter-browser-").FullName;
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(DotnetHost(), [dll, "--urls", baseAddress.GetLeftPart(UriPartial.Authority)])
        {
            // The content root is the working folder: the published app finds appsettings.json and wwwroot there.
            WorkingDirectory = Paths.WebApp,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["Rollouter__DataFolder"] = dataFolder;
        // Every test's browser signs in from 127.0.0.1.
        start.Environment["Rollouter__SignIn__AttemptsPerAddressPerMinute"] = "100000";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new AppServer(process, dataFolder, baseAddress, log);
        process.OutputDataReceived += (_, e) => server.Record(e.Data);
        process.ErrorDataReceived += (_, e) => server.Record(e.Data);
        server.Record($"--- {DateTimeOffset.Now:O} starting {dll} on {baseAddress} (data: {dataFolder})");
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {start.FileName} {dll}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Should the test host die without disposing the fixture, don't leave the app behind.
        AppDomain.CurrentDomain.ProcessExit += server.KillOnExit;
        return server;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        _allOutput.Enqueue(line);
        while (_output.Count > MaxOutputLines && _output.TryDequeue(out _))
        {
        }

        lock (_log)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        string? lastProblem = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new AppExitedException(
                    $"The web app exited with code {_process.ExitCode} before /health answered. Its output:{Environment.NewLine}{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync("health");
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK && body == "Healthy")
                {
                    return;
                }

                lastProblem = $"/health answered {(int)response.StatusCode} {body}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                lastProblem = e.Message;
            }

            // Polling interval while the app starts (migrations and demo seeding), not a wait for the app itself.
            await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(250));
        }

        throw new TimeoutException(
            $"The web app did not answer /health within {StartTimeout.TotalSeconds:0} s ({lastProblem}). Its output:{Environment.NewLine}{RecentOutput}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host that runs the tests (the SDK sets DOTNET_HOST_PATH for `dotnet test`).</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void KillOnExit(object? sender, EventArgs e) => Kill();

    /// <summary>Ends the app as a crash does (SIGKILL, as `kill -9`: no shutdown, nothing flushed) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Record($"--- {DateTimeOffset.Now:O} killed by the test");
        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
    }

    public ValueTask DisposeAsync() => DisposeAsync(keepLog: false);

    private async ValueTask DisposeAsync(bool keepLog)
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        Kill();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }

        _process.Dispose();
        if (!keepLog)
        {
            lock (_log)
            {
                _log.Dispose();
            }
        }

        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The first administrator of a fresh installation (Rollouter:InitialAdministrator).</summary>
    public sealed record InitialAdministrator(string Email, string Password);

    private sealed class AppExitedException(string message) : Exception(message);
}
