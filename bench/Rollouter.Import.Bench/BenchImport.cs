using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Bench;

/// <summary>
/// Imports the bench file into a fresh database through the import's life cycle, as the wizard and the job do: upload
/// (kept in the database), automatic mapping, approval, then <see cref="ImportLifecycle.RunAsync"/> — the timed part,
/// check and write.
/// </summary>
public static class BenchImport
{
    /// <summary>
    /// Sets up a fresh database and the approved import, then runs the import in a child process (so that its peak
    /// memory is the import's alone), verifies the clients and prints the child's figures as the last line.
    /// </summary>
    public static async Task<int> RunAsync(string file, DatabaseProvider provider, string? connection, int? expectedRows)
    {
        await using var database = await BenchDatabase.CreateAsync(provider, connection);
        var cache = Directory.CreateTempSubdirectory("rollouter-bench-files-").FullName;
        try
        {
            var importId = await PrepareAsync(database, file, cache);
            if (Environment.GetEnvironmentVariable("BENCH_DROP_INDEX") is { Length: > 0 } dropped)
            {
                // "Before" an index was added: the same code with that index dropped from the bench's fresh database.
                if (!System.Text.RegularExpressions.Regex.IsMatch(dropped, "^[A-Za-z_][A-Za-z0-9_]*$"))
                {
                    Console.Error.WriteLine($"BENCH_DROP_INDEX: {dropped} is no index name");
                    return 2;
                }

                await using var drop = database.CreateContext();
                await drop.Database.ExecuteSqlRawAsync(string.Concat("DROP INDEX \"", dropped, "\""));
                Console.WriteLine("dropped index " + dropped);
            }

            if (Environment.GetEnvironmentVariable("BENCH_COLD_CACHE") == "1")
            {
                foreach (var cachedFile in Directory.EnumerateFiles(cache))
                {
                    File.Delete(cachedFile);
                }
            }

            if (Environment.GetEnvironmentVariable("BENCH_CHECK") is { Length: > 0 })
            {
                // The dry run (Check) of the same import, in a process of its own: reading and checking alone.
                Console.WriteLine("check " + await RunChildAsync(importId, "check"));
            }

            var figures = await RunChildAsync(importId);

            await using var verify = database.CreateContext();
            var import = await verify.Imports.SingleAsync(i => i.Id == importId);
            var clients = await verify.Clients.CountAsync(c => c.InventoryId == database.InventoryId);
            var rows = expectedRows ?? import.RowCount;
            if (figures is null || import.Status != ImportStatus.Completed || clients != rows)
            {
                var errors = await verify.ImportRowErrors.Where(e => e.ImportId == importId).OrderBy(e => e.Row)
                    .Take(5).Select(e => $"row {e.Row} {e.Column}: {e.Message}").ToListAsync();
                Console.Error.WriteLine($"import {import.Status}: {import.FailureMessage} clients={clients} of {rows} " +
                    string.Join("; ", errors));
                return 1;
            }

            if (Environment.GetEnvironmentVariable("BENCH_EXPORT") is { Length: > 0 })
            {
                // The export of what was imported, in a child process of its own (its peak memory alone).
                using var export = Process.Start(new ProcessStartInfo("dotnet",
                    [typeof(BenchImport).Assembly.Location, "export", "--db", provider.ToString(),
                     "--connection", database.ConnectionString, "--inventory", database.InventoryId.ToString(CultureInfo.InvariantCulture)])
                {
                    RedirectStandardOutput = true,
                })!;
                Console.WriteLine((await export.StandardOutput.ReadToEndAsync()).Trim());
                await export.WaitForExitAsync();
            }

            if (Environment.GetEnvironmentVariable("BENCH_ROUNDTRIP") is { Length: > 0 } && expectedRows is { } tripped)
            {
                // A manager's export imported back with "Update existing clients" and 10 rows edited (the next status
                // and another room): the dry run of it, timed in a process of its own. Printed before the import's figures.
                var edited = Math.Max(1, tripped / 10);
                var roundTrip = Path.Combine(cache, "round-trip.csv");
                new ClientFile(BenchData.Headers).Rows(tripped, i => BenchData.Row(i, moved: i % edited == 0))
                    .WriteCsv(roundTrip, lineEnd: "\r\n");
                var roundTripId = await PrepareAsync(database, roundTrip, cache, updateExisting: true);
                Console.WriteLine("roundtrip check " + await RunChildAsync(roundTripId, "check"));
            }

            if (Environment.GetEnvironmentVariable("BENCH_UPDATE") is { Length: > 0 } && expectedRows is { } count)
            {
                // The same clients a week later, imported with "Update existing clients": every row changes its
                // status and location (one history entry each). Printed before the import's own figures.
                var moved = Path.Combine(cache, "moved.csv");
                BenchData.WriteCsv(moved, count, moved: true);
                var updateId = await PrepareAsync(database, moved, cache, updateExisting: true);
                var updateFigures = await RunChildAsync(updateId);
                await using var check = database.CreateContext();
                var update = await check.Imports.SingleAsync(i => i.Id == updateId);
                if (updateFigures is null || update.Status != ImportStatus.Completed || update.UpdatedCount != count ||
                    await check.Clients.CountAsync(c => c.InventoryId == database.InventoryId) != count)
                {
                    Console.Error.WriteLine($"update {update.Status}: {update.FailureMessage} updated={update.UpdatedCount} of {count}");
                    return 1;
                }

                Console.WriteLine("update " + updateFigures);
            }

            if (Environment.GetEnvironmentVariable("BENCH_FAIL") is { Length: > 0 } failMode)
            {
                // The same file once more, without "Update existing clients": every row fails (its name exists), and
                // the import records every failed row. Target: at most twice the time of the successful import.
                // BENCH_FAIL=wide: the same names with a wrong Status, Model, Serial and Department too, five errors a
                // row, so that every error of up to 100,000 failed rows is recorded (at most 1,000,000).
                var wide = failMode == "wide";
                var failingFile = file;
                if (wide)
                {
                    failingFile = Path.Combine(cache, "failing-wide.csv");
                    new ClientFile(BenchData.Headers).Rows(import.RowCount ?? 0, i => FailingEverywhere(BenchData.Row(i)))
                        .WriteCsv(failingFile, lineEnd: "\r\n");
                }

                var failingId = await PrepareAsync(database, failingFile, cache);
                var failing = await RunChildAsync(failingId, "fail");
                await using var check = database.CreateContext();
                var failed = await check.Imports.SingleAsync(i => i.Id == failingId);
                var recorded = await check.ImportRowErrors.CountAsync(e => e.ImportId == failingId);
                var errorsPerRow = wide ? 5 : 1;
                var listedRows = Math.Min(import.RowCount ?? 0, Importing.Rules.ImportChecker.MaxListedRows);
                if (failing is null || failed.Status != ImportStatus.Failed || failed.FailedRowCount != import.RowCount ||
                    recorded != Math.Min(listedRows * errorsPerRow, Importing.Rules.ImportChecker.MaxListedErrors))
                {
                    Console.Error.WriteLine($"failing import {failed.Status}: failed={failed.FailedRowCount} recorded={recorded} of {import.RowCount}");
                    return 1;
                }

                Console.WriteLine("failing " + failing + string.Create(CultureInfo.InvariantCulture,
                    $" recorded={recorded} ratio={Seconds(failing) / Seconds(figures):0.00}"));
            }

            if (Environment.GetEnvironmentVariable("BENCH_REVERT") == "1")
            {
                // The import taken back: asked for as the page does (conflicts checked), then the job's revert in a
                // child process of its own, timed. Printed before the import's own figures.
                await using (var ask = database.CreateContext())
                {
                    var asked = await Lifecycle(ask, cache).RequestRevertAsync(importId, database.UserId, default);
                    if (asked.Failed)
                    {
                        Console.Error.WriteLine("revert refused: " + asked.Problem.Message);
                        return 1;
                    }
                }

                using var revert = Process.Start(new ProcessStartInfo("dotnet",
                    [typeof(BenchImport).Assembly.Location, "revert", "--db", provider.ToString(),
                     "--connection", database.ConnectionString, "--import", importId.ToString(CultureInfo.InvariantCulture),
                     "--cache", cache])
                {
                    RedirectStandardOutput = true,
                })!;
                var revertFigures = (await revert.StandardOutput.ReadToEndAsync()).Trim();
                await revert.WaitForExitAsync();
                await using var reverted = database.CreateContext();
                var status = await reverted.Imports.Where(i => i.Id == importId).Select(i => i.Status).SingleAsync();
                var left = await reverted.Clients.CountAsync(c => c.InventoryId == database.InventoryId);
                if (revert.ExitCode != 0 || status != ImportStatus.Reverted || left != 0)
                {
                    Console.Error.WriteLine($"revert {status}: clients left={left}");
                    return 1;
                }

                Console.WriteLine("revert " + revertFigures);
            }

            Console.WriteLine(figures);
            return 0;

            // A bench row that fails in five cells: its name (it exists), Status, Model, Serial and Department.
            static string[] FailingEverywhere(string[] row)
            {
                row[1] = "Lost";
                row[7] = "Model X";
                row[9] = "bad";
                row[10] = "Nowhere";
                return row;
            }

            static double Seconds(string figures) => double.Parse(
                figures.Split(' ').Single(f => f.StartsWith("seconds=", StringComparison.Ordinal))["seconds=".Length..],
                CultureInfo.InvariantCulture);

            // The timed import in a child process of its own; its last line, or null when it failed.
            async Task<string?> RunChildAsync(int id, string mode = "import")
            {
                // BENCH_PERF_RECORD=file records a CPU profile of the import with Linux perf (symbols via perf maps);
                // BENCH_PERF_STAT=1 counts the child's instructions and cycles instead (perf stat, to stderr), a
                // figure that other work on the machine disturbs far less than CPU seconds.
                var profile = Environment.GetEnvironmentVariable("BENCH_PERF_RECORD");
                string[] wrapper = profile is not null ? ["perf", "record", "-F", "499", "-g", "-o", profile]
                    : Environment.GetEnvironmentVariable("BENCH_PERF_STAT") is { Length: > 0 }
                        ? ["perf", "stat", "-e", "instructions:u,cycles:u,task-clock"]
                        : [];
                var child = new ProcessStartInfo(wrapper.Length == 0 ? "dotnet" : wrapper[0],
                    [.. wrapper.Skip(1), .. wrapper.Length == 0 ? Array.Empty<string>() : ["dotnet"],
                     typeof(BenchImport).Assembly.Location, "process", "--db", provider.ToString(),
                     "--connection", database.ConnectionString, "--import", id.ToString(CultureInfo.InvariantCulture),
                     "--cache", cache, "--mode", mode])
                {
                    RedirectStandardOutput = true,
                    Environment = { ["DOTNET_PerfMapEnabled"] = profile is null ? "0" : "1", ["DOTNET_EnableWriteXorExecute"] = profile is null ? "1" : "0" },
                };
                using var process = Process.Start(child)!;
                var output = (await process.StandardOutput.ReadToEndAsync()).Trim();
                await process.WaitForExitAsync();
                return process.ExitCode == 0 ? output : null;
            }
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    /// <summary>The timed part, in its own process: the processor's check and write of an approved import.</summary>
    /// <param name="mode">"import" (must complete), "fail" (must fail: the failing path) or "check" (the dry run).</param>
    public static async Task<int> ProcessAsync(DatabaseProvider provider, string connection, int importId, string cache,
        string mode = "import")
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(provider, connection);
        await using var db = new RolloutDbContext(options.Options);
        var imports = Lifecycle(db, cache);

        // Building EF Core's model and opening the first connection happen once per process, not per import.
        await db.Imports.AnyAsync(i => i.Id == importId);
        var jitMethodsBefore = JitInfo.GetCompiledMethodCount();
        var jitBefore = JitInfo.GetCompilationTime();
        var backend = await ServerBackend.FindAsync(db);
        var backendBefore = backend.CpuSeconds();
        using var backendProfile = backend.StartProfile(Environment.GetEnvironmentVariable("BENCH_PERF_BACKEND"));

        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        if (mode == "check")
        {
            // The processor's dry run itself: the import is approved already, which the wizard's Check refuses.
            var dryRun = await new ImportProcessor(db, new ImportFileStore(db, cache), ReaderLimits.Default,
                TimeProvider.System, new StderrLogger<ImportProcessor>()).CheckAsync(importId, null, CancellationToken.None);
            var checkSeconds = watch.Elapsed.TotalSeconds;
            process.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rows={dryRun.Value?.RowCount} failed={dryRun.Value?.FailedRowCount} to_update={dryRun.Value?.ToUpdate} seconds={checkSeconds:0.00} cpu_s={(process.TotalProcessorTime - cpuBefore).TotalSeconds:0.00} peak_mb={process.PeakWorkingSet64 / 1024 / 1024}"));
            return dryRun.Value is { Succeeded: true } ? 0 : 1;
        }

        var import = await imports.RunAsync(importId, null, CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;
        var backendCpu = backend.CpuSeconds() - backendBefore;
        backendProfile?.Stop();
        process.Refresh();

        var rows = mode == "fail" ? import.FailedRowCount : import.CreatedCount + import.UpdatedCount;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  the importing process used {process.TotalProcessorTime.TotalSeconds:0.0} s of CPU in all; GC: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (gen 0/1/2), {GC.GetTotalPauseDuration().TotalSeconds:0.00} s paused, {GC.GetTotalAllocatedBytes() / 1024 / 1024:N0} MB allocated; JIT during the import: {JitInfo.GetCompiledMethodCount() - jitMethodsBefore} methods, {(JitInfo.GetCompilationTime() - jitBefore).TotalSeconds:0.00} s"));
        if (!double.IsNaN(backendCpu))
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  the PostgreSQL backend of the import used {backendCpu:0.0} s of CPU"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows={rows} seconds={seconds:0.00} rows_per_s={rows / seconds:0} cpu_s={(process.TotalProcessorTime - cpuBefore).TotalSeconds:0.00} peak_mb={process.PeakWorkingSet64 / 1024 / 1024}"));
        return import.Status == (mode == "fail" ? ImportStatus.Failed : ImportStatus.Completed) ? 0 : 1;
    }

    /// <summary>The timed revert, in its own process: the job's revert of an import whose revert was asked for.</summary>
    public static async Task<int> RevertAsync(DatabaseProvider provider, string connection, int importId, string cache)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(provider, connection);
        await using var db = new RolloutDbContext(options.Options);
        var imports = Lifecycle(db, cache);
        await db.Imports.AnyAsync(i => i.Id == importId);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;

        var watch = Stopwatch.StartNew();
        var result = await imports.RunRevertAsync(importId, null, CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;

        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        if (result.Failed)
        {
            Console.Error.WriteLine("revert refused: " + result.Problem.Message);
            return 1;
        }

        var clients = result.Value.CreatedCount + result.Value.UpdatedCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clients={clients} seconds={seconds:0.00} cpu_s={cpu:0.00} peak_mb={process.PeakWorkingSet64 / 1024 / 1024}"));
        return result.Value.Status == ImportStatus.Reverted ? 0 : 1;
    }

    internal static async Task<int> PrepareAsync(BenchDatabase database, string file, string cache, bool updateExisting = false)
    {
        await using var db = database.CreateContext();
        var imports = Lifecycle(db, cache);

        // The upload as the wizard receives it (a copy of the bench file), kept in the database and, as the instance's
        // local cached copy, where the job finds it. BENCH_COLD_CACHE=1 empties the cache first, as for a job that runs
        // on another instance and fetches the file from the database (about a second more here).
        var uploads = new ImportUploads(Path.Combine(cache, "uploads"), ReaderLimits.Default);
        Result<ReceivedUpload> received;
        await using (var content = File.OpenRead(file))
        {
            received = await uploads.ReceiveAsync(content, default);
        }

        if (received.Failed)
        {
            throw new InvalidOperationException(received.Problem.Message);
        }

        using var upload = received.Value;
        var created = await imports.CreateAsync(database.RolloutId, database.InventoryId, Path.GetFileName(file), upload,
            database.UserId, default);
        if (created.Failed)
        {
            throw new InvalidOperationException(created.Problem.Message);
        }

        var import = created.Value.Import;
        var mapping = ImportMapping.FromJson(import.Mapping);
        var unmapped = mapping.Columns.Where(c => c.Target is null).Select(c => c.Header).ToList();
        if (unmapped.Count > 0)
        {
            throw new InvalidOperationException("Columns not mapped automatically: " + string.Join(", ", unmapped));
        }

        if (updateExisting)
        {
            mapping.UpdateExisting = true;
            var changed = await imports.UpdateMappingAsync(import.Id, mapping, default);
            if (changed.Failed)
            {
                throw new InvalidOperationException(changed.Problem.Message);
            }
        }

        if (Environment.GetEnvironmentVariable("BENCH_CORRECTIONS") == "1" && !updateExisting)
        {
            // Corrected in the browser: every "New" of the Status column (a quarter of the rows) is read as "Done", and
            // one cell on its own; each client of a corrected row gets a history entry naming it.
            var status = mapping.Columns.Single(c => c.Target == DefaultFields.Status).Letter;
            var corrected = await imports.CorrectAsync(import.Id, new CorrectionChanges([new CellChange(2, status, "Scheduled")],
                [new ReplacementChange(status, "New", "Done")]), database.UserId, default);
            if (corrected.Failed)
            {
                throw new InvalidOperationException(corrected.Problem.Message);
            }
        }

        // Approved with nothing queued: the child process runs it.
        var approved = await imports.ApproveAsync(import.Id, database.UserId, default);
        return approved.Succeeded ? import.Id : throw new InvalidOperationException(approved.Problem.Message);
    }

    private static readonly ImportFileViews Views = new();

    /// <summary>The import's life cycle over <paramref name="db"/>, with no queue: the bench runs an approved import itself.</summary>
    private static ImportLifecycle Lifecycle(RolloutDbContext db, string cache)
    {
        var files = new ImportFileStore(db, cache);
        return new ImportLifecycle(db, files, Views, ReaderLimits.Default,
            new ImportProcessor(db, files, ReaderLimits.Default, TimeProvider.System, new StderrLogger<ImportProcessor>()),
            NoImportQueue.Instance, TimeProvider.System, new StderrLogger<ImportLifecycle>());
    }

    /// <summary>
    /// The PostgreSQL server process behind the import's connection (pooled, so the same one throughout), when the
    /// server runs on this machine: its CPU time is read from /proc.
    /// </summary>
    private sealed class ServerBackend(int? pid)
    {
        public static async Task<ServerBackend> FindAsync(RolloutDbContext db)
        {
            if (db.Provider != DatabaseProvider.PostgreSql)
            {
                return new ServerBackend(null);
            }

            var pid = await db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync();
            return new ServerBackend(pid);
        }

        /// <summary>
        /// BENCH_PERF_BACKEND=file records a CPU profile of this backend alone with Linux perf, for the timed part.
        /// </summary>
        public BackendProfile? StartProfile(string? file)
        {
            if (file is null || pid is null)
            {
                return null;
            }

            var perf = Process.Start(new ProcessStartInfo("perf",
                ["record", "-F", "999", "-g", "-p", pid.Value.ToString(CultureInfo.InvariantCulture), "-o", file])
            {
                RedirectStandardError = true,
            })!;
            Thread.Sleep(500); // perf attaches before the import starts
            return new BackendProfile(perf);
        }

        public double CpuSeconds()
        {
            try
            {
                if (pid is null || !File.Exists($"/proc/{pid}/stat"))
                {
                    return double.NaN;
                }

                // The fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 Hz).
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) +
                        long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException)
            {
                return double.NaN;
            }
        }
    }
}

/// <summary>A running <c>perf record</c> of the PostgreSQL backend, stopped as Ctrl+C would.</summary>
internal sealed class BackendProfile(Process perf) : IDisposable
{
    public void Stop()
    {
        if (perf.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-INT", perf.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        perf.StandardError.ReadToEnd();
        perf.WaitForExit();
    }

    public void Dispose()
    {
        Stop();
        perf.Dispose();
    }
}
