using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Bench.Load;

/// <summary>
/// The load benchmark: N clients seeded through the importer, the app started as a separate process on 127.0.0.1,
/// U virtual users browsing it for S seconds with a fixed mix, one import of 100,000 rows through the app's API while
/// they do (and the same import on the idle app first, for comparison). Prints per request kind the count, p50, p95,
/// p99 and errors, then the throughput, the app's peak memory and the concurrent import's time.
/// </summary>
public static class LoadBenchmark
{
    public const string Password = "Load-bench!2026";
    private const string Rollout = "BENCH";

    public static async Task<int> RunAsync(LoadOptions options)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load clients={options.Clients} users={options.Users} seconds={options.Seconds} db={options.Provider} import_rows={options.ImportRows}"));
        await using var database = await BenchDatabase.CreateAsync(options.Provider, options.Connection);
        var work = Directory.CreateTempSubdirectory("rollouter-load-").FullName;
        try
        {
            var setup = await SeedAsync(database, options, work);
            var idleFile = Path.Combine(work, "idle.csv");
            var loadFile = Path.Combine(work, "load.csv");
            BenchData.WriteCsv(idleFile, options.ImportRows, first: options.Clients + 1);
            BenchData.WriteCsv(loadFile, options.ImportRows, first: options.Clients + options.ImportRows + 1);

            await using var app = await LoadApp.StartAsync(options, database, work);
            Console.WriteLine($"app pid={app.ProcessId} {app.BaseAddress}");
            var manager = await LoadSession.SignInAsync(app.BaseAddress, "load-manager@bench.test", Password);
            var sessions = new List<LoadSession>();
            for (var i = 0; i < options.Users; i++)
            {
                sessions.Add(await LoadSession.SignInAsync(app.BaseAddress, $"load{i}@bench.test", Password));
            }

            var site = await LoadSite.DiscoverAsync(sessions[0], setup);
            Console.WriteLine($"paging={(site.Keyset ? "keyset" : "offset")} sorts={string.Join(",", site.Sorts)}");

            // The idle import: the reference for the import that runs under load.
            var idle = await LoadImport.RunAsync(manager, setup.RolloutId, setup.IdleInventoryId, idleFile, TimeSpan.FromMinutes(10));
            Console.WriteLine("import idle " + idle);
            site.PolledImportId = idle.ImportId;

            // Warm-up, not measured: every request kind a few times, then every user for half the run (at most 30 s), so
            // that the run meets the app as it runs for hours: its code compiled by the JIT's second tier (in a profile of
            // a 30 s run after 5 s of warm-up, the tiered compilation thread still took a fifth of the app's CPU), its
            // caches and connection pools filled.
            var warmUp = new VirtualUser(sessions[0], site, new Random(1));
            foreach (var kind in Enum.GetValues<RequestKind>())
            {
                for (var i = 0; i < 3; i++)
                {
                    try
                    {
                        await warmUp.SendAsync(kind, CancellationToken.None);
                    }
                    catch (Exception warmUpError) when (warmUpError is TaskCanceledException or HttpRequestException)
                    {
                        // An app that takes over 30 s for a deep page (the code before keyset lists did) is warm enough:
                        // the measured part counts these as errors.
                    }
                }
            }

            using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(30, options.Seconds / 2.0))))
            {
                await Task.WhenAll(sessions.Select((session, i) =>
                    new VirtualUser(session, site, new Random(500 + i)).RunAsync(new LoadFigures(), warm.Token)));
            }

            var figures = new LoadFigures();
            // BENCH_PERF_APP=file records a CPU profile of the app during the run (JIT'd frames named through perf maps).
            using var profile = Environment.GetEnvironmentVariable("BENCH_PERF_APP") is { Length: > 0 } perfFile
                ? new BackendProfile(Process.Start(new ProcessStartInfo("perf",
                    ["record", "-F", "499", "-g", "-p", app.ProcessId.ToString(CultureInfo.InvariantCulture), "-o", perfFile])
                    { RedirectStandardError = true })!)
                : null;
            var databaseCpu = new DatabaseCpu(database);
            await databaseCpu.StartAsync();
            var loadBefore = DatabaseCpu.LoadAverage();
            var toolBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var cpuBefore = app.CpuSeconds();
            var watch = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
            var concurrent = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(2, options.Seconds / 10.0)));
                return await LoadImport.RunAsync(manager, setup.RolloutId, setup.LoadInventoryId, loadFile,
                    TimeSpan.FromSeconds(options.Seconds) + TimeSpan.FromMinutes(10), id => site.PolledImportId = id);
            });
            var users = sessions.Select((session, i) =>
                new VirtualUser(session, site, new Random(1000 + i)).RunAsync(figures, stop.Token)).ToList();
            await Task.WhenAll(users);
            var elapsed = watch.Elapsed.TotalSeconds;
            var cpu = app.CpuSeconds() - cpuBefore;
            var toolCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - toolBefore;
            var dbCpu = await databaseCpu.SecondsAsync();
            var loadAfter = DatabaseCpu.LoadAverage();
            profile?.Stop();
            var loaded = await concurrent;

            figures.Print(Console.Out);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"requests={figures.Total} seconds={elapsed:0.0} throughput={figures.Total / elapsed:0.0}/s errors={figures.Errors} app_cpu_s={cpu:0.0} app_peak_mb={app.PeakMegabytes()}"));
            // CPU per request: what a request cost the app (and PostgreSQL's backends), whatever the machine's load; the
            // measured part includes the concurrent import's share.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cpu app_ms_per_request={cpu * 1000 / Math.Max(1, figures.Total):0.0} db_cpu_s={(dbCpu is { } d ? d.ToString("0.0", CultureInfo.InvariantCulture) : "n/a")} db_ms_per_request={(dbCpu is { } e ? (e * 1000 / Math.Max(1, figures.Total)).ToString("0.0", CultureInfo.InvariantCulture) : "n/a")} load_tool_cpu_s={toolCpu:0.0} loadavg_start={loadBefore} loadavg_end={loadAfter}"));
            Console.WriteLine("import under load " + loaded + string.Create(CultureInfo.InvariantCulture,
                $" ratio={loaded.Seconds / idle.Seconds:0.00}"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The clients through the importer (the bench's file and import), then the users who browse (rollout managers and
    /// members, one password) and two empty inventories for the imports of the run.
    /// </summary>
    private static async Task<LoadSetup> SeedAsync(BenchDatabase database, LoadOptions options, string work)
    {
        var file = Path.Combine(work, "seed.csv");
        BenchData.WriteCsv(file, options.Clients);
        var cache = Directory.CreateTempSubdirectory("rollouter-load-files-").FullName;
        try
        {
            var importId = await BenchImport.PrepareAsync(database, file, cache);
            using var child = Process.Start(new ProcessStartInfo("dotnet",
                [typeof(LoadBenchmark).Assembly.Location, "process", "--db", database.Provider.ToString(),
                 "--connection", database.ConnectionString, "--import", importId.ToString(CultureInfo.InvariantCulture),
                 "--cache", cache])
            {
                RedirectStandardOutput = true,
            })!;
            var figures = (await child.StandardOutput.ReadToEndAsync()).Trim();
            await child.WaitForExitAsync();
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException("The seeding import failed: " + figures);
            }

            Console.WriteLine("seed " + figures);
        }
        finally
        {
            File.Delete(file);
            Directory.Delete(cache, recursive: true);
        }

        await using var db = database.CreateContext();
        var inventory = await db.Inventories.Include(i => i.CustomFields).SingleAsync(i => i.Id == database.InventoryId);
        Inventory Empty(string name) => new()
        {
            RolloutId = inventory.RolloutId,
            Name = name,
            WorkflowId = inventory.WorkflowId,
            CreatedAt = TimeProvider.System.GetUtcNow(),
            CustomFields = [.. inventory.CustomFields.Select(f => new InventoryCustomField { CustomFieldId = f.CustomFieldId, Position = f.Position })],
        };
        var idle = Empty("Incoming (idle)");
        var loaded = Empty("Incoming (under load)");
        db.Inventories.AddRange(idle, loaded);

        var hasher = new PasswordHasher<User>();
        var users = Enumerable.Range(0, options.Users).Select(i => $"load{i}@bench.test").Prepend("load-manager@bench.test")
            .Select((email, i) => TestSettings.User(email, $"Load user {i}", $"L-{i}", Role.RolloutManager)).ToList();
        // One hash for every user (the hash carries its salt and no user): hashing costs 0.1 s each.
        var hash = hasher.HashPassword(users[0], Password);
        foreach (var user in users)
        {
            user.PasswordHash = hash;
            user.Rollouts.Add(new RolloutMember { RolloutId = inventory.RolloutId });
        }

        db.Users.AddRange(users);
        await db.SaveChangesAsync();

        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            // What autovacuum does shortly after a large import: statistics and the visibility map. Done here so that
            // the run does not depend on when autovacuum wakes up.
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE");
        }

        // Clients the detail page opens: every 97th of the inventory (about 10,000 of a million).
        var ids = await db.Clients.Where(c => c.InventoryId == inventory.Id && c.Id % 97 == 0).Select(c => c.Id).ToListAsync();
        return new LoadSetup(inventory.RolloutId, Rollout, inventory.Id, idle.Id, loaded.Id, options.Clients, ids);
    }
}

/// <param name="AppLog">Where the app's console output goes.</param>
public sealed record LoadOptions(int Clients, int Users, int Seconds, DatabaseProvider Provider, string? Connection, string App,
    int ImportRows, string AppLog);

/// <summary>What the seeding left: the rollout, the browsed inventory, the imports' inventories, some client ids.</summary>
public sealed record LoadSetup(int RolloutId, string RolloutIdentifier, int InventoryId, int IdleInventoryId, int LoadInventoryId,
    int Clients, IReadOnlyList<int> ClientIds);

/// <summary>A signed-in user: a browser (cookies) and a script (bearer token), each with its own connection.</summary>
public sealed class LoadSession : IDisposable
{
    private LoadSession(HttpClient browser, HttpClient api)
    {
        Browser = browser;
        Api = api;
    }

    public HttpClient Browser { get; }

    public HttpClient Api { get; }

    public static async Task<LoadSession> SignInAsync(Uri baseAddress, string email, string password)
    {
        var browser = new HttpClient(new SocketsHttpHandler { UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var form = await browser.GetStringAsync("/account/login");
        var token = System.Text.RegularExpressions.Regex.Match(form,
            "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var login = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
        if (login.StatusCode != System.Net.HttpStatusCode.Redirect || login.Headers.Location?.ToString().Contains("login", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)login.StatusCode}");
        }

        var api = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await api.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        return new LoadSession(browser, api);
    }

    public void Dispose()
    {
        Browser.Dispose();
        Api.Dispose();
    }
}
