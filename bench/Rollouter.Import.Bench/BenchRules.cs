using System.Diagnostics;
using System.Globalization;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Bench;

/// <summary>
/// The rules alone, for changes to the checker: the file's rows are read into memory once, then the dry run's pass
/// and the real run's pass (rows resolved for a writer that stores nothing) each run several times over them on one
/// thread. Prints the fastest and the median pass in CPU seconds of that thread, which other work on the machine
/// disturbs far less than wall-clock time (run it with DOTNET_gcServer=0 DOTNET_gcConcurrent=0, so that the
/// collector's work is the thread's too).
/// </summary>
public static class BenchRules
{
    public static async Task<int> RunAsync(string file, int passes)
    {
        await using var database = await BenchDatabase.CreateAsync(DatabaseProvider.Sqlite, null);
        var opened = ImportFileReader.Open(file, Path.GetFileName(file));
        using var spreadsheet = opened.File ?? throw new InvalidOperationException(opened.Problem!.Message);
        var rows = spreadsheet.ReadRows().ToList();
        await using var db = database.CreateContext();
        var inventory = await InventoryDefinition.LoadAsync(db, database.InventoryId);
        var mapping = AutomaticMapping.Suggest(spreadsheet.Columns, inventory, null);
        var checker = await ImportCheckerLoader.LoadAsync(db, database.InventoryId, mapping, spreadsheet.Columns);

        Report("check", Measure(passes, () =>
        {
            if (!checker.Check(rows, null, rows.Count).Succeeded)
            {
                throw new InvalidOperationException("The bench file failed the check.");
            }
        }), rows.Count);
        Report("resolve", Measure(passes, () =>
        {
            using var source = rows.GetEnumerator();
            var pass = checker.Start(source, null, rows.Count);
            long values = 0;
            foreach (var row in pass.ResolvedRows())
            {
                values += row.Values.Count;
            }

            GC.KeepAlive(values);
        }), rows.Count);
        return 0;
    }

    private static List<double> Measure(int passes, Action pass)
    {
        var seconds = new List<double>();
        for (var i = 0; i < passes; i++)
        {
            GC.Collect();
            var before = ThreadCpuSeconds();
            pass();
            seconds.Add(ThreadCpuSeconds() - before);
        }

        return seconds;
    }

    private static void Report(string name, List<double> seconds, int rows)
    {
        seconds.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rules pass={name} rows={rows} passes={seconds.Count} min_cpu_s={seconds[0]:0.000} median_cpu_s={seconds[seconds.Count / 2]:0.000}"));
    }

    /// <summary>This thread's time on a CPU (Linux: the first field of /proc/thread-self/schedstat, in nanoseconds).</summary>
    private static double ThreadCpuSeconds() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1e9;
}
