using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Tests.Rules;

/// <summary>
/// How a pass lists its errors: whole rows, the first so many failed rows, and no further row once the errors reach
/// their bound (the run's are 100,000 rows and 1,000,000 errors; here small ones, as a file of 500 columns would need
/// 2,000 rows failing everywhere to reach it).
/// </summary>
public sealed class ErrorCollectorTests
{
    private static readonly ColumnPlan Status = new(1, "B", "Status", ColumnKind.Status);
    private static readonly ColumnPlan Model = new(2, "C", "Model", ColumnKind.Field);

    private static void FailRow(ErrorCollector errors, int row, int cells)
    {
        errors.BeginRow(row);
        for (var i = 0; i < cells; i++)
        {
            errors.Add(i % 2 == 0 ? Status : Model, "x", "Wrong.");
        }
    }

    [Fact]
    public void EveryErrorOfTheFirstFailedRowsIsListed_AndTheRowsAfterThemAreCountedNotListed()
    {
        var errors = new ErrorCollector(maxListedRows: 3, maxListedErrors: 1_000);

        FailRow(errors, 2, 2);
        FailRow(errors, 3, 1);
        FailRow(errors, 4, 2);
        FailRow(errors, 5, 2);
        FailRow(errors, 6, 1);

        var listed = errors.Take();
        Assert.Equal([2, 2, 3, 4, 4], listed.Select(e => e.Row));
        Assert.Equal((3, 5), (errors.ListedRows, errors.ListedErrors));
        Assert.Equal((5, 8), (errors.FailedRows, errors.Total));
    }

    [Fact]
    public void OnceTheErrorsReachTheirBound_NoFurtherRowIsListed_ButTheRowListedLastKeepsAllItsErrors()
    {
        var errors = new ErrorCollector(maxListedRows: 100, maxListedErrors: 5);

        FailRow(errors, 2, 3);
        FailRow(errors, 3, 4);
        FailRow(errors, 4, 1);

        Assert.Equal([2, 2, 2, 3, 3, 3, 3], errors.Take().Select(e => e.Row));
        Assert.Equal((2, 7), (errors.ListedRows, errors.ListedErrors));
        Assert.Equal((3, 8), (errors.FailedRows, errors.Total));
    }

    [Fact]
    public void AnErrorOfAnEarlierRow_IsListedWithThatRow_OnlyWhenThatRowIs()
    {
        var errors = new ErrorCollector(maxListedRows: 2, maxListedErrors: 1_000);
        FailRow(errors, 2, 1);
        FailRow(errors, 3, 1);
        FailRow(errors, 4, 1);
        errors.BeginRow(5);

        errors.AddToEarlierRow(2, Model, "a", "Disagrees.", rowAlreadyFailed: true);
        errors.AddToEarlierRow(4, Model, "b", "Disagrees.", rowAlreadyFailed: true);
        // Row 1 passed so far: it fails now, past the bound on rows.
        errors.AddToEarlierRow(1, Model, "c", "Disagrees.", rowAlreadyFailed: false);

        Assert.Equal([(2, "B"), (2, "C"), (3, "B")], errors.Take().Select(e => (e.Row, e.Column)));
        Assert.Equal((4, 6), (errors.FailedRows, errors.Total));
    }
}
