using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Rules;

/// <summary>The real run's pass as the processor drives it, for rule tests.</summary>
public static class CheckerPasses
{
    /// <summary>The rows the pass hands to the writer; throws <see cref="ImportCheckFailedException"/> when a row fails.</summary>
    public static List<ResolvedRow> CheckAndResolve(this ImportChecker checker, IEnumerable<SourceRow> rows) =>
        checker.Resolve(rows).Rows;

    /// <summary>The rows the pass hands to the writer, and its result.</summary>
    public static (List<ResolvedRow> Rows, CheckResult Result) Resolve(this ImportChecker checker, IEnumerable<SourceRow> rows)
    {
        using var source = rows.GetEnumerator();
        var pass = checker.Start(source);
        var resolved = pass.ResolvedRows().ToList();
        return (resolved, pass.Result!);
    }
}
