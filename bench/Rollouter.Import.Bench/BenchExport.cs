using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Exporting;

namespace Rollouter.Import.Bench;

/// <summary>
/// The export of the imported clients (BENCH_EXPORT=1 bench/run …): in its own process, so that its peak memory is
/// the export's alone; prints <c>export rows=N seconds=S peak_mb=M file_mb=F</c>.
/// </summary>
public static class BenchExport
{
    public static async Task<int> RunAsync(DatabaseProvider provider, string connection, int inventoryId)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(provider, connection);
        await using var db = new RolloutDbContext(options.Options);
        await db.Inventories.AnyAsync(i => i.Id == inventoryId);
        var file = Path.Combine(Path.GetTempPath(), $"rollouter-bench-export-{Environment.ProcessId}.xlsx");
        try
        {
            var watch = Stopwatch.StartNew();
            int rows;
            await using (var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                rows = await ClientExport.WriteAsync(db, inventoryId, output, CancellationToken.None);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"export rows={rows} seconds={seconds:0.00} peak_mb={process.PeakWorkingSet64 / 1024 / 1024} file_mb={new FileInfo(file).Length / 1024.0 / 1024:0.0} allocated_mb={GC.GetTotalAllocatedBytes() / 1024 / 1024} gen2={GC.CollectionCount(2)}"));
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
