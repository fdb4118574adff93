using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Tests.Rules;

/// <summary>
/// A field's pattern as an administrator means it: <c>\d</c> is a digit 0 to 9. QA: "５０６６７" (fullwidth, typed with
/// a Japanese input method) and "٥٠٦٦٧" (Arabic-Indic) passed <c>^\d{5}$</c>, as .NET's <c>\d</c> is any Unicode digit.
/// </summary>
public class FieldPatternTests
{
    [Theory]
    [InlineData(@"^\d{5}$", "50667", true)]
    [InlineData(@"^\d{5}$", "５０６６７", false)]
    [InlineData(@"^\d{5}$", "٥٠٦٦٧", false)]
    [InlineData(@"^\d{5}$", "५०६६७", false)]
    [InlineData(@"^SN-\d+$", "SN-12", true)]
    [InlineData(@"^SN-\d+$", "SN-１2", false)]
    // \D: anything but 0 to 9, so a fullwidth digit is "not a digit".
    [InlineData(@"^\D+$", "abc", true)]
    [InlineData(@"^\D+$", "５", true)]
    [InlineData(@"^\D+$", "a5", false)]
    // Inside a character class, also negated, and beside other characters.
    [InlineData(@"^[\d-]{3}$", "1-2", true)]
    [InlineData(@"^[\d-]{3}$", "１-2", false)]
    [InlineData(@"^[^\d]+$", "abc５", true)]
    [InlineData(@"^[^\d]+$", "abc5", false)]
    [InlineData(@"^[a\D]$", "x", true)]
    [InlineData(@"^[a\D]$", "5", false)]
    [InlineData(@"^[^\D]$", "5", true)]
    [InlineData(@"^[^\D]$", "５", false)]
    // A class whose first character is "]", and a subtracted class: the \d after them is outside any class.
    [InlineData(@"^[]x]\d$", "]5", true)]
    [InlineData(@"^[]x]\d$", "]５", false)]
    [InlineData(@"^[a-z-[aeiou]]\d$", "b5", true)]
    [InlineData(@"^[a-z-[aeiou]]\d$", "b５", false)]
    // An escaped backslash is a backslash: "\\d" is a backslash and a "d".
    [InlineData(@"^\\d$", @"\d", true)]
    [InlineData(@"^\\d$", "5", false)]
    [InlineData(@"^\\\d$", @"\5", true)]
    [InlineData(@"^\\\d$", @"\５", false)]
    // QA: a "[" in a comment was taken for a class, so the \d after it became the text "0-9". A comment (?#…) ends at
    // its ")"; under the x option "#" starts one to the end of the line, for the group the option holds in.
    [InlineData(@"^(?#[)\d$", "5", true)]
    [InlineData(@"^(?#[)\d$", "５", false)]
    [InlineData("(?x)^ # a [ in a comment\n\\d{2}$", "12", true)]
    [InlineData("(?x)^ # a [ in a comment\n\\d{2}$", "１2", false)]
    [InlineData("^(?x: \\d # [\n)#\\d$", "1#2", true)]
    [InlineData("^(?x: \\d # [\n)#\\d$", "1#２", false)]
    // Without the x option, or after (?-x), "#" is a character; "(?#" inside a class is three characters.
    [InlineData(@"^(?x)(?-x)#[a]\d$", "#a5", true)]
    [InlineData(@"^(?x)(?-x)#[a]\d$", "#a５", false)]
    [InlineData(@"^[(?#]\d$", "#5", true)]
    [InlineData(@"^[(?#]\d$", "#５", false)]
    // Whoever wants a digit of any script writes \p{Nd}.
    [InlineData(@"^\p{Nd}{5}$", "５０６６７", true)]
    [InlineData(@"^\p{Nd}{5}$", "٥٠٦٦٧", true)]
    // \w keeps letters of every language: names are written in them.
    [InlineData(@"^\w+$", "Jörg", true)]
    [InlineData(@"^\w+$", "Ирина", true)]
    public void APattern_MatchesAsAnAdministratorMeansIt(string pattern, string value, bool matches)
    {
        Assert.Null(FieldPattern.Problem(pattern));
        Assert.Equal(matches, FieldPattern.Create(pattern).IsMatch(value));
    }

    [Fact]
    public void APatternThatIsNotValid_IsNamedAsWritten()
    {
        // The reason quotes the administrator's pattern, not the one with \d as [0-9].
        var problem = FieldPattern.Problem(@"^[\d");

        Assert.NotNull(problem);
        Assert.DoesNotContain("[0-9]", problem, StringComparison.Ordinal);
    }
}
