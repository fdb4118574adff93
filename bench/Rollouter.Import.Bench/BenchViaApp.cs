using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Bench;

/// <summary>
/// The whole path a user waits for: the web app runs as a process of its own on a loopback port (PostgreSQL, a fresh
/// database seeded as for the bench's own import), and this client signs in, uploads the file through the API, keeps
/// the suggested mapping, approves, and polls the import until it is Completed. Prints the upload's time, the time
/// from approval to Completed and the app's peak resident memory (its whole life: start, upload, mapping, run).
/// </summary>
public static class BenchViaApp
{
    private const string Password = "Bench!2026-via-app";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <param name="app">The web app's built assembly (Rollouter.Import.Web.dll).</param>
    /// <param name="importSeconds">The bench's own import time of the same file in this run, for the ratio; 0 for none.</param>
    public static async Task<int> RunAsync(string file, string connection, string app, int expectedRows, double importSeconds)
    {
        await using var database = await BenchDatabase.CreateAsync(DatabaseProvider.PostgreSql, connection);
        var email = await PrepareManagerAsync(database);
        var data = Directory.CreateTempSubdirectory("rollouter-via-app-").FullName;
        var port = FreePort();
        using var process = StartApp(app, database.ConnectionString, data, port);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(30) };
            await WaitUntilUpAsync(http, process);
            var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
            login.EnsureSuccessStatusCode();
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var watch = Stopwatch.StartNew();
            JsonElement import;
            await using (var content = File.OpenRead(file))
            {
                using var form = new MultipartFormDataContent
                {
                    { new StringContent(database.InventoryId.ToString(CultureInfo.InvariantCulture)), "inventoryId" },
                    { new StreamContent(content, 1 << 16), "file", Path.GetFileName(file) },
                };
                var uploaded = await http.PostAsync($"/api/rollouts/{database.RolloutId}/imports", form);
                import = await ReadAsync(uploaded, HttpStatusCode.Created);
            }

            var uploadSeconds = watch.Elapsed.TotalSeconds;
            var id = import.GetProperty("id").GetInt32();
            if (import.GetProperty("status").GetString() != "WaitingForApproval")
            {
                Console.Error.WriteLine($"via app: the upload is {import.GetProperty("status")}, not waiting for approval: {import}");
                return 1;
            }

            watch.Restart();
            await ReadAsync(await http.PostAsync($"/api/imports/{id}/approve", null), HttpStatusCode.Accepted);
            string? status;
            while (true)
            {
                import = await ReadAsync(await http.GetAsync($"/api/imports/{id}"), HttpStatusCode.OK);
                status = import.GetProperty("status").GetString();
                if (status is not "InProgress")
                {
                    break;
                }

                await Task.Delay(PollInterval);
            }

            var runSeconds = watch.Elapsed.TotalSeconds;
            var peakMb = PeakResidentMegabytes(process.Id);
            var created = import.GetProperty("counts").GetProperty("created").GetInt32();
            if (status != "Completed" || created != expectedRows)
            {
                Console.Error.WriteLine($"via app: import {id} is {status} with {created} of {expectedRows} clients: {import.GetProperty("failureMessage")}");
                return 1;
            }

            var ratio = importSeconds > 0
                ? string.Create(CultureInfo.InvariantCulture, $" ratio={runSeconds / importSeconds:0.00}")
                : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"via_app rows={created} upload_seconds={uploadSeconds:0.00} approve_to_completed_seconds={runSeconds:0.00} app_peak_mb={peakMb}{ratio}"));
            return 0;
        }
        finally
        {
            await StopAsync(process);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The bench's manager signs in with a password and is a member of the bench's rollout.</summary>
    private static async Task<string> PrepareManagerAsync(BenchDatabase database)
    {
        await using var db = database.CreateContext();
        var manager = await db.Users.SingleAsync(u => u.Id == database.UserId);
        manager.PasswordHash = new PasswordHasher<User>().HashPassword(manager, Password);
        db.Set<RolloutMember>().Add(new RolloutMember { RolloutId = database.RolloutId, UserId = manager.Id });
        await db.SaveChangesAsync();
        return manager.Email!;
    }

    private static Process StartApp(string app, string connection, string data, int port)
    {
        var start = new ProcessStartInfo("dotnet", [Path.GetFullPath(app), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(app))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Rollouter__DatabaseProvider"] = "PostgreSql",
                ["ConnectionStrings__PostgreSql"] = connection,
                ["Rollouter__DemoData"] = "false",
                ["Rollouter__DataFolder"] = data,
                // The app's log to its console, not the bench's output; warnings and worse only.
                ["Serilog__MinimumLevel__Default"] = "Warning",
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
        process.OutputDataReceived += (_, e) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("  app: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilUpAsync(HttpClient http, Process process)
    {
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {process.ExitCode} before it answered.");
            }

            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The app did not answer /health within 3 minutes.");
    }

    /// <summary>Asks the app to stop as a service manager would (SIGTERM), and kills it if it does not within 30 s.</summary>
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The process's peak resident set (VmHWM in /proc), in MB.</summary>
    private static long PeakResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return -1;
    }
}
