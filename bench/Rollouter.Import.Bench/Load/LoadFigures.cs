using System.Globalization;

namespace Rollouter.Import.Bench.Load;

/// <summary>Latencies and errors per request kind, from every virtual user.</summary>
public sealed class LoadFigures
{
    private const int ErrorsShown = 3;

    private readonly Dictionary<RequestKind, List<double>> _latencies = Enum.GetValues<RequestKind>().ToDictionary(k => k, _ => new List<double>());
    private readonly Dictionary<RequestKind, List<string>> _errors = Enum.GetValues<RequestKind>().ToDictionary(k => k, _ => new List<string>());

    public int Total
    {
        get
        {
            lock (_latencies)
            {
                return _latencies.Values.Sum(l => l.Count);
            }
        }
    }

    public int Errors
    {
        get
        {
            lock (_latencies)
            {
                return _errors.Values.Sum(l => l.Count);
            }
        }
    }

    public void Add(RequestKind kind, double milliseconds, string? error)
    {
        lock (_latencies)
        {
            _latencies[kind].Add(milliseconds);
            if (error is not null)
            {
                _errors[kind].Add(error);
            }
        }
    }

    public void Print(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{"kind",-14} {"count",7} {"p50_ms",8} {"p95_ms",8} {"p99_ms",8} {"errors",7}");
        lock (_latencies)
        {
            foreach (var (kind, latencies) in _latencies)
            {
                latencies.Sort();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Name(kind),-14} {latencies.Count,7} {Percentile(latencies, 50),8:0} {Percentile(latencies, 95),8:0} {Percentile(latencies, 99),8:0} {_errors[kind].Count,7}"));
            }

            foreach (var (kind, errors) in _errors.Where(e => e.Value.Count > 0))
            {
                foreach (var error in errors.Distinct().Take(ErrorsShown))
                {
                    output.WriteLine($"  error {Name(kind)}: {error}");
                }
            }
        }
    }

    /// <summary>page-first, api-search, import-status, …</summary>
    public static string Name(RequestKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static double Percentile(List<double> sorted, int percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * percent / 100.0) - 1)];
}
