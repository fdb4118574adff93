using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// QA (onboarding): a Completed import's line under its title (the import's and the review's page) said "all clients
/// have been updated" for 200,000 rows of which 10 changed, and "all clients have been created" for an import that
/// created some and updated others. It now gives the counts, and keeps the original product's words where they are true.
/// </summary>
public sealed class CompletedSentenceTests
{
    [Theory]
    [InlineData(0, 10, 200_000, "The processing was successfully completed: 10 clients updated, 199,990 rows unchanged.")]
    [InlineData(120, 30, 150, "The processing was successfully completed: 120 clients created, 30 updated.")]
    [InlineData(120, 30, 160, "The processing was successfully completed: 120 clients created, 30 updated, 10 rows unchanged.")]
    [InlineData(0, 1, 1, "The processing was successfully completed: 1 client updated.")]
    [InlineData(5, 0, 6, "The processing was successfully completed: 5 clients created, 1 row unchanged.")]
    [InlineData(150, 0, 150, "The processing was successfully completed and all clients have been created.")]
    [InlineData(0, 0, 40, "The processing was successfully completed. Every client in the file already had these values, so nothing was changed.")]
    public void ACompletedImport_SaysWhatItCreatedUpdatedAndLeftUnchanged(int created, int updated, int rows, string expected) =>
        Assert.Equal(expected, ImportStatusDisplay.Explanation(ImportStatus.Completed, created, updated, rows: rows));

    /// <summary>
    /// Rows the run recorded as skipped (values only in columns not imported, decision 0081) are said as skipped, not as
    /// unchanged, and do not keep "all clients have been created" from being true of the rest.
    /// </summary>
    [Theory]
    [InlineData(0, 10, 200_000, 5, "The processing was successfully completed: 10 clients updated, 199,985 rows unchanged, 5 rows skipped.")]
    [InlineData(150, 0, 153, 3, "The processing was successfully completed and all clients have been created.")]
    [InlineData(120, 30, 151, 1, "The processing was successfully completed: 120 clients created, 30 updated, 1 row skipped.")]
    public void SkippedRows_AreSaidAsSkipped_NotAsUnchanged(int created, int updated, int rows, int skipped, string expected) =>
        Assert.Equal(expected, ImportStatusDisplay.Explanation(ImportStatus.Completed, created, updated, rows: rows, skipped: skipped));
}
