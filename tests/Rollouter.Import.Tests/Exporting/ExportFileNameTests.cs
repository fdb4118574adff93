using System.Globalization;
using Rollouter.Import.Exporting;

namespace Rollouter.Import.Tests.Exporting;

/// <summary>An export's file name carries the Gregorian date, on a thread of any culture (decision 0042).</summary>
public sealed class ExportFileNameTests
{
    [Theory]
    [InlineData("ar-SA")] // Hijri calendar: was "Laptops-clients-1448-06-25.xlsx"
    [InlineData("th-TH")] // Buddhist calendar: was "Laptops-clients-2569-12-05.xlsx"
    [InlineData("fa-IR")]
    [InlineData("en-US")]
    public void TheFileName_HasTheGregorianDate_InAnyCulture(string name)
    {
        var at = new DateTimeOffset(2026, 12, 5, 11, 23, 0, TimeSpan.Zero);
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
        try
        {
            Assert.Equal("Laptops-clients-2026-12-05.xlsx", ClientExport.FileName("Laptops", at));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }
}
