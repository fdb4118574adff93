using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

public class ColumnLettersAndCellTextTests
{
    [Theory]
    [InlineData(0, "A")]
    [InlineData(25, "Z")]
    [InlineData(26, "AA")]
    [InlineData(51, "AZ")]
    [InlineData(701, "ZZ")]
    [InlineData(702, "AAA")]
    [InlineData(16383, "XFD")]
    public void ColumnLetters_RoundTrip(int index, string letters)
    {
        Assert.Equal(letters, ColumnLetters.FromIndex(index));
        Assert.Equal(index, ColumnLetters.ToIndex(letters));
        Assert.Equal(index, ColumnLetters.ToIndex(letters.ToLowerInvariant() + "12"));
    }

    [Fact]
    public void ColumnLetters_ReferenceWithoutLetters_IsMinusOne() => Assert.Equal(-1, ColumnLetters.ToIndex("12"));
}
