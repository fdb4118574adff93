using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// An uploaded file's name is logged and shown: it is kept on one line, reading as it is stored (no forged log line, no
/// name that shows another extension than it has).
/// </summary>
public sealed class FileNameTests
{
    [Theory]
    [InlineData("lap\u2028tops.csv")] // line separator
    [InlineData("lap\u2029tops.csv")] // paragraph separator
    [InlineData("lap\u0085tops.csv")] // next line (NEL)
    [InlineData("lap\r\ntops.csv")]
    [InlineData("lap\u202Etops.csv")] // right-to-left override
    [InlineData("\u202Alap\u202B\u202Ctops\u202D.csv")] // embeddings and override
    [InlineData("\u2066lap\u2067tops\u2068.csv\u2069")] // isolates
    [InlineData("lap\u200E\u200F\u061Ctops.csv")] // direction marks
    public void AFileName_LosesLineBreaksAndDirectionControls(string name)
    {
        Assert.Equal("laptops.csv", ClientImport.FitFileName(name));
    }

    [Fact]
    public void ASpoofedExtension_ShowsTheRealOne()
    {
        // Shown as "reportexe.xlsx" with the override; kept as what it is.
        Assert.Equal("reportxslx.exe", ClientImport.FitFileName("report\u202Exslx.exe"));
    }

    [Theory]
    [InlineData("Auswertung März.xlsx")]
    [InlineData("تقرير.csv")]
    [InlineData("a\u200Db.csv")] // a zero-width joiner changes how a word reads: kept
    public void OtherNames_StayAsTheyAre(string name)
    {
        Assert.Equal(name, ClientImport.FitFileName(name));
    }

    [Theory]
    [InlineData("inv\uFFFE.csv", "inv\uFFFD.csv")]
    [InlineData("inv\uD83D\uDE00.csv", "inv\uD83D\uDE00.csv")] // a whole one stays
    public void ACharacterThatIsNotValidText_IsTheReplacementCharacter_AsInTheCells(string name, string kept)
    {
        // QA: the name kept U+FFFE, which a cell, a search and a setting turn into U+FFFD (decision 0044).
        Assert.Equal(kept, ClientImport.FitFileName(name));
    }

    [Fact]
    public void HalfAnEmoji_IsTheReplacementCharacter()
    {
        // Made at run time: an attribute's string cannot carry half a surrogate pair.
        var half = new string((char)0xD83D, 1);
        Assert.Equal("inv\uFFFD.csv", ClientImport.FitFileName("inv" + half + ".csv"));
        Assert.Equal("\uFFFDinv.csv", ClientImport.FitFileName(new string((char)0xDE00, 1) + "inv.csv"));
    }
}
