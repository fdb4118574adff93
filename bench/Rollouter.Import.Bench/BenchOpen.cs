using System.Diagnostics;
using System.Globalization;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reports;

namespace Rollouter.Import.Bench;

/// <summary>
/// What the wizard's mapping step needs of the file, timed in a process of its own: open it (format, encoding,
/// delimiter and header detection, warnings) and list each column with its first sample values, as the import page
/// does (<c>ImportsPageBuilder</c>); then the read of a failed rows report's mark (<c>ErrorReportMark.Read</c>) from it.
/// </summary>
public static class BenchOpen
{
    private const int SamplesPerColumn = 3;

    public static int Run(string file)
    {
        var watch = Stopwatch.StartNew();
        var opened = ImportFileReader.Open(file, Path.GetFileName(file));
        if (opened.File is not { } spreadsheet)
        {
            Console.Error.WriteLine($"mapping step: {opened.Problem!.Message}");
            return 1;
        }

        int columns, samples = 0;
        using (spreadsheet)
        {
            columns = spreadsheet.Columns.Count;
            foreach (var column in spreadsheet.Columns)
            {
                samples += spreadsheet.SampleRows.Take(SamplesPerColumn).Count(r => !string.IsNullOrEmpty(r[column.Index]));
            }

            _ = spreadsheet.Warnings.Count;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mapping_step columns={columns} samples={samples} seconds={seconds:0.000} peak_mb={process.PeakWorkingSet64 / 1024 / 1024}"));

        // The failed rows report's mark, read from the kept file on each view of an upload never approved (decision 0101):
        // the first read, then the median of 21.
        var first = Stopwatch.StartNew();
        var mark = ErrorReportMark.Read(file);
        var firstMs = first.Elapsed.TotalMilliseconds;
        var times = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var each = Stopwatch.StartNew();
            _ = ErrorReportMark.Read(file);
            times.Add(each.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"report_mark found={mark is not null} first_ms={firstMs:0.000} median_ms={times[times.Count / 2]:0.000} file_mb={new FileInfo(file).Length / 1048576.0:0.0}"));
        return columns > 0 ? 0 : 1;
    }
}
