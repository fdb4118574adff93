using Microsoft.Data.Sqlite;
using Rollouter.Import.Data.ClientLists;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// The word of a search text PostgreSQL's trigram index is asked for: the rarest by the table's statistics, or none.
/// </summary>
public class SearchAnchorTests
{
    // A million bench clients as pg_stats describes them: names all different ("pc-0000001" …), descriptions from a
    // few thousand, the most common ones listed with their shares.
    private static readonly ColumnSample Names = new(0, [], [],
        [.. Enumerable.Range(0, 101).Select(i => $"pc-{i * 9_901:0000000}")]);

    private static readonly ColumnSample Descriptions = new(0,
        [.. Enumerable.Range(0, 9).Select(i => $"Laptop for desk {i * 101}, floor {i}")], [.. Enumerable.Repeat(0.0004f, 9)],
        [.. Enumerable.Range(0, 101).Select(i => $"Laptop for desk {i * 7 % 977}, floor {i % 9}")]);

    [Theory]
    [InlineData("desk 512, floor", "floor", "512")] // "desk" and "floor" are in no name: the longer; "512" in a thousand
    [InlineData("PC-01234", "01234", "01234")]
    [InlineData("pc-0123456", "0123456", "0123456")]
    [InlineData("no such client 5", "client", "client")]
    public void EachColumnsRarestWord_IsItsAnchor(string text, string name, string description) =>
        Assert.Equal(new SearchAnchors(name, description), SearchAnchor.Choose(text, Names, Descriptions));

    [Fact]
    public void AWordCommonInTheNamesOnly_IsNotTheNamesAnchor()
    {
        // Every name holds "pc" and a number; "0512" is in many names but in no description, "desk" in no name.
        var names = new ColumnSample(0, [], [], [.. Enumerable.Range(0, 101).Select(i => $"pc-0512{i:000}")]);

        Assert.Equal(new SearchAnchors("desk", "0512"), SearchAnchor.Choose("desk 0512", names, Descriptions));
    }

    [Theory]
    [InlineData("floor 3")]          // every client's description has "floor" (the names do not: one column is enough)
    [InlineData("laptop")]           // common, and the whole text anyway
    [InlineData("pc-1")]             // no word of 3 characters
    [InlineData("512")]              // rare, but the whole text: nothing to gain
    public void NoAnchor_WhenNoWordIsRare_OrTheWordIsTheWholeText(string text) =>
        Assert.Null(SearchAnchor.Choose(text, Names, Descriptions));

    [Fact]
    public async Task StatisticsThatCannotBeRead_LeaveTheSearchAsItWas()
    {
        // A database without pg_stats stands for one whose statistics the user may not read: no anchor, no failure.
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();

        Assert.Null(await SearchAnchor.ChooseAsync(connection, "desk 512, floor", default));
    }

    [Fact]
    public void NoAnchor_WithoutStatistics() =>
        Assert.Null(SearchAnchor.Choose("desk 512, floor", null, Descriptions));

    [Fact]
    public void Share_CountsTheCommonValuesByTheirShare_AndTheHistogramForTheRest()
    {
        var sample = new ColumnSample(0.1, ["alpha beta", "gamma"], [0.3f, 0.2f], ["alpha", "delta", "epsilon", "zeta"]);

        // "alpha": the common value's 0.3, and one bound of four of the 0.4 left after nulls and common values.
        Assert.Equal(0.3 + 0.4 / 4, sample.Share("alpha"), 5);
        Assert.Equal(0.0, sample.Share("omega"), 5);
    }

    [Fact]
    public void Words_AreRunsOfLettersAndDigits_OfThreeOrMore() =>
        Assert.Equal(["desk", "512", "floor", "übergabe"], SearchAnchor.Words("desk 512, floor 3 pc-Übergabe".ToLowerInvariant()));
}
