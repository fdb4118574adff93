using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using static Rollouter.Import.Tests.Mapping.MappingTestData;

namespace Rollouter.Import.Tests.Mapping;

public class AutomaticMappingTests
{
    [Fact]
    public void Suggest_MapsTheBenchmarkHeadersExactly()
    {
        var columns = Columns("Name", "Status", "Assignee", "Client User", "Description", "Client flag",
            "Location", "Model", "Software", "Serial", "Department", "Notes");

        var mapping = AutomaticMapping.Suggest(columns, Inventory());

        Assert.Equal(
            ["Name", "Status", "Assignee", "ClientUser", "Description", "ClientFlag", "Location", "Model", "Software",
                "Serial", "Department", "Notes"],
            mapping.Columns.Select(c => c.Target));
        Assert.Equal(["A", "B", "C"], mapping.Columns.Take(3).Select(c => c.Letter));
        Assert.Equal(UserLookup.Email, mapping.Columns[2].Lookup);
        Assert.Equal(UserLookup.Email, mapping.Columns[3].Lookup);
        Assert.Equal(";", mapping.Columns[8].Separator);
        Assert.All(mapping.Columns.Where(c => c.Target is not ("Assignee" or "ClientUser")), c => Assert.Null(c.Lookup));
        Assert.False(mapping.UpdateExisting);
    }

    [Fact]
    public void Suggest_IgnoresCaseSpacesAndPunctuation()
    {
        var columns = Columns("NAME", "client_user", "Client-Flag", "  model ", "SERIAL", "ClientUser2", "tags.");

        var targets = Targets(AutomaticMapping.Suggest(columns, Inventory()));

        Assert.Equal("Name", targets["NAME"]);
        Assert.Equal("ClientUser", targets["client_user"]);
        Assert.Equal("ClientFlag", targets["Client-Flag"]);
        Assert.Equal("Model", targets["  model "]);
        Assert.Equal("Serial", targets["SERIAL"]);
        Assert.Equal("Tags", targets["tags."]);
        Assert.Null(targets["ClientUser2"]);
    }

    [Fact]
    public void Suggest_KnowsCommonAliasesAndTheLookupAHeaderNames()
    {
        var columns = Columns("Hostname", "Assigned To", "Owner (Email)", "State", "Flag");

        var mapping = AutomaticMapping.Suggest(columns, Inventory());

        Assert.Equal(["Name", "Assignee", "ClientUser", "Status", "ClientFlag"], mapping.Columns.Select(c => c.Target));

        var byAttribute = AutomaticMapping.Suggest(Columns("Assignee Name", "Client User ID"), Inventory());
        Assert.Equal([("Assignee", UserLookup.Name), ("ClientUser", UserLookup.UserId)],
            byAttribute.Columns.Select(c => (c.Target!, c.Lookup!.Value)));
    }

    /// <summary>Laptops as the parity QA had it: "Serial number", no "Serial" (decision 0106).</summary>
    private static InventoryDefinition QaLaptops()
    {
        var id = 100;
        CustomField Field(string name, CustomFieldType type) => new() { Id = ++id, Name = name, Type = type };
        return Inventory() with
        {
            CustomFields = [Field("Location", CustomFieldType.Input), Field("Model", CustomFieldType.Selection),
                Field("Department", CustomFieldType.Selection), Field("Serial number", CustomFieldType.Input)],
        };
    }

    [Fact]
    public void Suggest_MapsASnipeItExportsHeaders()
    {
        // The QA's 08-snipe-it-export.csv (parity finding 11).
        var columns = Columns("Asset Tag", "Asset Name", "Serial", "Model", "Category", "Status", "Checked Out To", "Location",
            "Notes", "Purchase Date");

        var targets = Targets(AutomaticMapping.Suggest(columns, QaLaptops()));

        Assert.Equal([null, "Name", "Serial number", "Model", null, "Status", "ClientUser", "Location", null, null],
            columns.Select(c => targets[c.Header]));
    }

    [Fact]
    public void Suggest_MapsAServiceNowAssetExportsHeaders_AssignedToAsTheClientUser()
    {
        // The QA's 09-servicenow-export.csv: in ServiceNow's asset tables "Assigned to" is the device's user.
        var columns = Columns("Name", "Serial number", "Assigned to", "Location", "Department", "State", "Model ID", "Assignment group");

        var targets = Targets(AutomaticMapping.Suggest(columns, QaLaptops()));

        Assert.Equal(["Name", "Serial number", "ClientUser", "Location", "Department", "Status", "Model", null],
            columns.Select(c => targets[c.Header]));
        // Without ServiceNow's "Model ID", "Assigned to" is the technician, as before; "Display name" is the name.
        Assert.Equal(["Name", "Assignee"], AutomaticMapping.Suggest(Columns("Display name", "Assigned to"), QaLaptops()).Columns.Select(c => c.Target));
    }

    [Fact]
    public void Suggest_OtherToolsAliases_NeverTakeATargetAnExactHeaderHas()
    {
        var columns = Columns("Asset Name", "Serial", "Name", "Serial Number", "Checked Out To", "Client User");

        var targets = Targets(AutomaticMapping.Suggest(columns, QaLaptops()));

        Assert.Equal([null, null, "Name", "Serial number", null, "ClientUser"], columns.Select(c => targets[c.Header]));
    }

    [Fact]
    public void Suggest_MatchesCloseSpellings()
    {
        var columns = Columns("Stauts", "Departmnet", "Serail", "Locaton", "Descripton");

        var mapping = AutomaticMapping.Suggest(columns, Inventory());

        Assert.Equal(["Status", "Department", "Serial", "Location", "Description"], mapping.Columns.Select(c => c.Target));
    }

    [Fact]
    public void Suggest_DoesNotMatchOtherWordsThatLookAlike()
    {
        var columns = Columns("Game", "Vocation", "Serious", "Department Head", "Nr", "Date", "Modes and more", "");

        var mapping = AutomaticMapping.Suggest(columns, Inventory());

        Assert.All(mapping.Columns, c => Assert.Null(c.Target));
    }

    [Fact]
    public void Suggest_LeavesAColumnUnmappedWhenTwoTargetsAreEquallyClose()
    {
        var inventory = Inventory(
            new CustomField { Id = 50, Name = "Color 1", Type = CustomFieldType.Input },
            new CustomField { Id = 51, Name = "Color 2", Type = CustomFieldType.Input });

        var targets = Targets(AutomaticMapping.Suggest(Columns("Color 3", "color-2"), inventory));

        Assert.Null(targets["Color 3"]);
        Assert.Equal("Color 2", targets["color-2"]);
    }

    [Fact]
    public void Suggest_UsesEachTargetOnce_PreferringTheBetterMatch()
    {
        var columns = Columns("model", "Model", "Modle");

        var mapping = AutomaticMapping.Suggest(columns, Inventory());

        Assert.Equal([null, "Model", null], mapping.Columns.Select(c => c.Target));
    }

    [Fact]
    public void Suggest_PrefersACustomFieldWhoseNameIsTheHeaderOverAnAlias()
    {
        var inventory = Inventory(new CustomField { Id = 60, Name = "Owner", Type = CustomFieldType.Input });

        var targets = Targets(AutomaticMapping.Suggest(Columns("Owner", "User"), inventory));

        Assert.Equal("Owner", targets["Owner"]);
        Assert.Equal("ClientUser", targets["User"]);
    }

    [Fact]
    public void Suggest_ReusesTheLastMappingForKnownHeaders_ButNeverUpdateExistingNorCreateOptions()
    {
        var last = new ImportMapping
        {
            UpdateExisting = true,
            Columns =
            [
                new ColumnMapping { Letter = "A", Header = "Rechner", Target = "Name" },
                new ColumnMapping { Letter = "B", Header = "Typ", Target = "Model", CreateOptions = true },
                new ColumnMapping { Letter = "C", Header = "Apps", Target = "Software", Separator = "|", CreateOptions = true },
                new ColumnMapping { Letter = "D", Header = "Bearbeiter", Target = "Assignee", Lookup = UserLookup.UserId },
                new ColumnMapping { Letter = "E", Header = "Status", Target = null },
                new ColumnMapping { Letter = "F", Header = "Gone", Target = "Removed Field" },
            ],
        };
        var columns = Columns("Location", "Status", "apps", "Rechner", "Typ", "Bearbeiter", "Gone");

        var mapping = AutomaticMapping.Suggest(columns, Inventory(), last);

        Assert.False(mapping.UpdateExisting);
        Assert.Equal(["Location", null, "Software", "Name", "Model", "Assignee", null], mapping.Columns.Select(c => c.Target));
        Assert.Equal(("C", "|"), (mapping.Columns[2].Letter, mapping.Columns[2].Separator));
        Assert.All(mapping.Columns, c => Assert.False(c.CreateOptions));
        Assert.Equal(UserLookup.UserId, mapping.Columns[5].Lookup);
        Assert.Equal(["Location", "Status", "apps", "Rechner", "Typ", "Bearbeiter", "Gone"], mapping.Columns.Select(c => c.Header));
    }

    [Fact]
    public void Suggest_TheSuggestionRoundTripsThroughJsonAsTheNextLastMapping()
    {
        var columns = Columns("Hostname", "Modell", "Apps");
        var first = AutomaticMapping.Suggest(columns, Inventory());
        first.Columns[2].Target = "Software";
        first.Columns[2].Separator = ",";

        var stored = ImportMapping.FromJson(first.ToJson());
        var next = AutomaticMapping.Suggest(Columns("Apps", "Hostname", "Modell"), Inventory(), stored);

        Assert.Equal(["Software", "Name", "Model"], next.Columns.Select(c => c.Target));
        Assert.Equal(",", next.Columns[0].Separator);
    }

    [Fact]
    public void Suggest_ForAnErrorReport_LeavesItsRowAndErrorsColumnsUnmapped()
    {
        var last = new ImportMapping { Columns = [new ColumnMapping { Letter = "A", Header = "Row", Target = "Location" }] };
        var columns = Columns("Row", "Name", "Status", "Import errors");

        var mapping = AutomaticMapping.Suggest(columns, Inventory(), last);

        Assert.Equal([null, "Name", "Status", null], mapping.Columns.Select(c => c.Target));
    }

    [Fact]
    public void Remembered_KeepsColumnsLookupsAndSeparators_NotTheImportsSettings()
    {
        var mapping = new ImportMapping
        {
            UpdateExisting = true,
            Columns =
            [
                new ColumnMapping { Letter = "A", Header = "Apps", Target = "Software", Separator = "|", CreateOptions = true },
                new ColumnMapping { Letter = "B", Header = "Who", Target = "Assignee", Lookup = UserLookup.Name },
            ],
        };

        var remembered = mapping.ToRemembered();

        Assert.False(remembered.UpdateExisting);
        Assert.Equal([("A", "Apps", "Software", null, "|", false), ("B", "Who", "Assignee", UserLookup.Name, null, false)],
            remembered.Columns.Select(c => (c.Letter, c.Header, c.Target, c.Lookup, c.Separator, c.CreateOptions)));
    }

    [Fact]
    public void AHeaderThatSaysItsSeparator_IsMappedToTheFieldWithThatSeparator()
    {
        // As the export writes a multi-selection whose values hold ";".
        var columns = Columns("Name", "Tags (separated by |)", "software (Separated By ~)");

        var mapping = AutomaticMapping.Suggest(columns, Inventory());

        Assert.Equal([("Name", null), ("Tags", "|"), ("Software", "~")], mapping.Columns.Select(c => (c.Target, c.Separator)));
    }

    [Fact]
    public void AHeaderThatSaysItsSeparator_DecidesOverTheRememberedOne_AndAFieldOfThatVeryNameKeepsIt()
    {
        var last = new ImportMapping
        {
            Columns = [new ColumnMapping { Letter = "B", Header = "Tags (separated by |)", Target = "Tags", Separator = "," }],
        };
        var remembered = AutomaticMapping.Suggest(Columns("Name", "Tags (separated by |)"), Inventory(), last);
        var named = AutomaticMapping.Suggest(Columns("Apps (separated by |)", "Apps"),
            Inventory(new CustomField { Id = 50, Name = "Apps (separated by |)", Type = CustomFieldType.MultiSelectionFree }));
        var notOne = AutomaticMapping.Suggest(Columns("Tags (separated by)", "Software (separated by a b)"), Inventory());

        Assert.Equal(("Tags", "|"), (remembered.Columns[1].Target, remembered.Columns[1].Separator));
        Assert.Equal(("Apps (separated by |)", ";"), (named.Columns[0].Target, named.Columns[0].Separator));
        Assert.Null(named.Columns[1].Target);
        Assert.All(notOne.Columns, c => Assert.Null(c.Target));
    }
}
