using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Rollouter.Import.Data;

namespace Rollouter.Import.Bench.Load;

/// <summary>
/// The published web app as a user runs it: <c>dotnet Rollouter.Import.Web.dll</c> in Production on a free port of
/// 127.0.0.1, on the bench's database; its output goes to a log file in the work folder.
/// </summary>
public sealed class LoadApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private LoadApp(Process process, StreamWriter log, Uri baseAddress)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public static async Task<LoadApp> StartAsync(LoadOptions options, BenchDatabase database, string work)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var data = Directory.CreateDirectory(Path.Combine(work, "app-data")).FullName;
        var dll = Path.GetFullPath(options.App);
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", baseAddress.ToString()])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Rollouter__DemoData"] = "false";
        start.Environment["Rollouter__DataFolder"] = data;
        // Every virtual user signs in twice (a browser session and an API token) from the same loopback address: more than
        // the 30 attempts a minute the app allows one address by default.
        start.Environment["Rollouter__SignIn__AttemptsPerAddressPerMinute"] = "100000";
        if (Environment.GetEnvironmentVariable("BENCH_PERF_APP") is { Length: > 0 })
        {
            start.Environment["DOTNET_PerfMapEnabled"] = "1";
            start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            start.Environment["Rollouter__DatabaseProvider"] = "PostgreSql";
            start.Environment["ConnectionStrings__PostgreSql"] = database.ConnectionString;
        }
        else
        {
            start.Environment["Rollouter__DatabaseProvider"] = "Sqlite";
            start.Environment["ConnectionStrings__Sqlite"] = database.ConnectionString;
            SqliteConnection.ClearAllPools();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.AppLog))!);
        var log = new StreamWriter(options.AppLog) { AutoFlush = false };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var app = new LoadApp(process, log, baseAddress);

        using var health = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                var status = process.ExitCode;
                await app.DisposeAsync();
                throw new InvalidOperationException($"The app stopped with status {status}; see {options.AppLog}.");
            }

            try
            {
                if ((await health.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return app;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(3))
            {
                await app.DisposeAsync();
                throw new TimeoutException("The app did not answer /health within 3 minutes.");
            }

            await Task.Delay(250);
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>The app's peak resident memory (VmHWM), in MB.</summary>
    public long PeakMegabytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return -1;
    }

    /// <summary>The app's CPU time so far (user and system), in seconds.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
