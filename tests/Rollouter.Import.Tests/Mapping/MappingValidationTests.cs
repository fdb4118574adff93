using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Mapping;
using static Rollouter.Import.Tests.Mapping.MappingTestData;

namespace Rollouter.Import.Tests.Mapping;

public class MappingValidationTests
{
    private static readonly IReadOnlyList<Importing.Reading.SheetColumn> File =
        Columns("Hostname", "Serial", "Model", "Software", "Owner", "Tags");

    private static ImportMapping Mapping(params (string Letter, string? Target)[] columns) => new()
    {
        Columns = [.. columns.Select(c => new ColumnMapping { Letter = c.Letter, Target = c.Target })],
    };

    [Fact]
    public void Validate_WhenNameAndFieldsAreMapped_CanBeApproved()
    {
        var mapping = Mapping(("A", "Name"), ("B", "Serial"), ("C", "Model"), ("D", "Software"), ("E", "ClientUser"), ("F", null));
        mapping.Columns[2].CreateOptions = true;
        mapping.Columns[3].Separator = "|";
        mapping.Columns[4].Lookup = UserLookup.Name;

        var validation = MappingValidation.Validate(mapping, File, Inventory());

        Assert.Empty(validation.Errors);
        Assert.Empty(validation.Warnings);
        Assert.True(validation.CanApprove);
        Assert.Equal(ImportStatus.WaitingForApproval, ImportStatusRules.AfterMapping(validation));
    }

    [Fact]
    public void Validate_WhenNoColumnIsMappedToName_IsIncomplete()
    {
        var validation = MappingValidation.Validate(Mapping(("B", "Serial")), File, Inventory());

        Assert.False(validation.HasName);
        Assert.Equal(ImportStatus.Incomplete, ImportStatusRules.AfterMapping(validation));
        Assert.Equal([new MappingIssue(null, "No column is mapped to Name: every client needs a name.")], validation.Errors);
    }

    [Fact]
    public void Validate_WhenTargetIsUnknown_SaysWhichColumnAndInventory()
    {
        var validation = MappingValidation.Validate(Mapping(("A", "Name"), ("B", "Serial Number")), File, Inventory());

        Assert.Equal(
            [new MappingIssue("B", "Column B (\"Serial\"): \"Serial Number\" is neither a default field nor a custom field of inventory \"Laptops\".")],
            validation.Errors);
        Assert.Equal(ImportStatus.Incomplete, ImportStatusRules.AfterMapping(validation));
    }

    [Fact]
    public void Validate_WhenTargetIsMappedTwice_NamesTheFirstColumn()
    {
        var validation = MappingValidation.Validate(Mapping(("A", "Name"), ("B", "Serial"), ("E", "Serial")), File, Inventory());

        Assert.Equal(
            [new MappingIssue("E", "Column E (\"Owner\"): Serial is already mapped from column B (\"Serial\"); a field takes one column.")],
            validation.Errors);
    }

    [Fact]
    public void Validate_WhenOptionsDoNotFitTheTarget_ExplainsEach()
    {
        var mapping = Mapping(("A", "Name"), ("B", "Serial"), ("C", "Model"), ("D", "Software"), ("F", "Tags"));
        mapping.Columns[0].Lookup = UserLookup.Email;
        mapping.Columns[1].CreateOptions = true;
        mapping.Columns[2].Separator = ";";
        mapping.Columns[3].Separator = "";
        mapping.Columns[4].CreateOptions = true;

        var validation = MappingValidation.Validate(mapping, File, Inventory());

        Assert.Equal(
            [
                "Column A (\"Hostname\"): a lookup attribute (Email) applies only to Assignee and Client User, not to Name.",
                "Column B (\"Serial\"): \"Create option if not exists\" applies only to selection fields with options, not to Serial.",
                "Column C (\"Model\"): a value separator applies only to multi-selection fields, not to Model.",
                "Column D (\"Software\"): the value separator cannot be empty.",
                "Column F (\"Tags\"): \"Create option if not exists\" applies only to selection fields with options, not to Tags.",
            ],
            validation.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Validate_WhenColumnIsNotInTheFileOrListedTwice_Fails()
    {
        var validation = MappingValidation.Validate(Mapping(("A", "Name"), ("Z", "Serial"), ("a", "Model")), File, Inventory());

        Assert.Equal(
            [new MappingIssue("Z", "Column Z is not in the file."), new MappingIssue("A", "Column A (\"Hostname\") is mapped more than once.")],
            validation.Errors);
    }

    [Fact]
    public void Validate_WhenRequiredFieldIsNotMapped_Warns()
    {
        var validation = MappingValidation.Validate(Mapping(("A", "Name")), File, Inventory());

        Assert.True(validation.CanApprove);
        Assert.Equal(
            [new MappingIssue(null, "Field \"Serial\" is required but no column is mapped to it: rows that create clients will fail.")],
            validation.Warnings);
    }

    [Fact]
    public void Json_UsesCamelCaseAndLookupNamesAndReadsBack()
    {
        var mapping = new ImportMapping
        {
            UpdateExisting = true,
            Columns =
            [
                new ColumnMapping { Letter = "A", Header = "Name", Target = "Name" },
                new ColumnMapping { Letter = "B", Header = "Owner", Target = "ClientUser", Lookup = UserLookup.UserId },
                new ColumnMapping { Letter = "C", Header = "Apps", Target = "Software", Separator = "|", CreateOptions = true },
                new ColumnMapping { Letter = "D", Header = "Junk" },
            ],
        };

        var json = mapping.ToJson();
        var back = ImportMapping.FromJson(json);

        Assert.StartsWith("{\"updateExisting\":true,\"columns\":[{\"letter\":\"A\",\"header\":\"Name\",\"target\":\"Name\"", json);
        Assert.Contains("\"lookup\":\"UserId\"", json);
        Assert.True(back.UpdateExisting);
        Assert.Equal(
            mapping.Columns.Select(c => (c.Letter, c.Header, c.Target, c.Lookup, c.CreateOptions, c.Separator)),
            back.Columns.Select(c => (c.Letter, c.Header, c.Target, c.Lookup, c.CreateOptions, c.Separator)));
        Assert.Equal("A", back.NameColumn!.Letter);
        Assert.Empty(ImportMapping.FromJson(null).Columns);
    }
}
