using System.Diagnostics;
using System.Globalization;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Bench;

/// <summary>
/// The readers alone, in a process of their own: what the upload reads of the file (open, then the counting pass)
/// and what the job reads (every data row, every cell touched). The whole import's CPU varies by a third between runs
/// on a shared machine; this isolates a reader change from the database's share.
/// </summary>
public static class BenchRead
{
    public static int Run(string file)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var opened = ImportFileReader.Open(file, Path.GetFileName(file));
        if (opened.File is not { } spreadsheet)
        {
            Console.Error.WriteLine($"read: {opened.Problem!.Message}");
            return 1;
        }

        using (spreadsheet)
        {
            var counted = spreadsheet.CountRows();
            var countSeconds = watch.Elapsed.TotalSeconds;
            process.Refresh();
            var countCpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
            long cells = 0;
            var rows = 0;
            foreach (var row in spreadsheet.ReadRows())
            {
                rows++;
                foreach (var cell in row.Cells)
                {
                    cells += cell?.Length ?? 0;
                }
            }

            process.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"read rows={rows} counted={counted} chars={cells} upload_seconds={countSeconds:0.000} upload_cpu={countCpu:0.00} total_seconds={watch.Elapsed.TotalSeconds:0.000} total_cpu={(process.TotalProcessorTime - cpuStart).TotalSeconds:0.00} peak_mb={process.PeakWorkingSet64 / 1024 / 1024}"));
            return rows == counted ? 0 : 1;
        }
    }
}
