using Rollouter.Import.Data;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Tests.Rules;

[Collection(RulesDatabaseCollection.Name)]
public class NameRuleTests(RulesDatabases databases)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_WhenNameExistsInOtherInventory_FailsRowWithNameColumn(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        await rollout.AddClientAsync("PC-7", rollout.Desktops);
        var file = FileSpec.With("Location", "Name").UpdateExisting().Row("Berlin", "pc-7").Row("Bonn", "PC-8");

        var result = await rollout.CheckAsync(file);

        var error = Assert.Single(result.Errors);
        Assert.Equal(new RowError(2, "B", "Name", "pc-7", "Name \"pc-7\" already exists in this rollout (inventory \"Desktops\")."), error);
        Assert.Equal(1, result.FailedRowCount);
        Assert.Equal(1, result.ToCreate);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_WhenNameExistsInThisInventoryWithoutUpdateExisting_FailsAndNamesTheSetting(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        await rollout.AddClientAsync("PC-7");
        var file = FileSpec.With("Name").Row("PC-7");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [new RowError(2, "A", "Name", "PC-7", "Name \"PC-7\" already exists in this inventory; enable \"Update existing clients\" to update it.")],
            result.Errors);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_WhenNameExistsInThisInventoryWithUpdateExisting_UpdatesThatClient(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var id = await rollout.AddClientAsync("PC-7");
        var file = FileSpec.With("Name", "Location").UpdateExisting().Row("pc-7", "Berlin").Row("PC-9", "Bonn");
        var checker = await rollout.CheckerAsync(file);

        var result = checker.Check(file.Rows);
        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Empty(result.Errors);
        Assert.Equal((1, 1), (result.ToCreate, result.ToUpdate));
        Assert.Equal(id, rows[0].ExistingClientId);
        Assert.Equal("PC-7", rows[0].Name);
        Assert.Null(rows[0].StatusId);
        Assert.Null(rows[1].ExistingClientId);
        Assert.Equal("PC-9", rows[1].Name);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_ANewNameWithALineBreakOrAControlCharacter_FailsTheRow_AStoredOneIsStillUpdated(DatabaseProvider provider)
    {
        // Decision 0174: a name is one line. "PC-1⏎spare" (Excel's Alt+Enter) made a client whose name broke the
        // template's lists, exports and searches; one stored before is still found by its name as it is.
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var stored = await rollout.AddClientAsync("Old\nname");
        var file = FileSpec.With("Name", "Location").UpdateExisting()
            .Row("PC-1\nspare", "Berlin").Row("PC-2\tB", "Bonn").Row("PC-3\u2028", "Köln").Row("PC-4\u0007", "Ulm").Row("old\nname", "Kiel").Row(" PC-5\r\n", "Jena");
        var good = FileSpec.With("Name", "Location").UpdateExisting().Row("PC-3\u2028", "Köln").Row("old\nname", "Kiel").Row(" PC-5\r\n", "Jena");
        var checker = await rollout.CheckerAsync(good);

        var result = await rollout.CheckAsync(file);
        var rows = checker.CheckAndResolve(good.Rows).ToList();

        Assert.Equal(
            [
                new RowError(2, "A", "Name", "PC-1\nspare", "Name \"PC-1\nspare\" holds a line break, which a client's name cannot: a name is one line. Remove it from the cell."),
                new RowError(3, "A", "Name", "PC-2\tB", "Name \"PC-2\tB\" holds a tab, which a client's name cannot: a name is one line. Remove it from the cell."),
                new RowError(5, "A", "Name", "PC-4\u0007", "Name \"PC-4\u0007\" holds the control character U+0007, which a client's name cannot: a name is one line. Remove it from the cell."),
            ],
            result.Errors);
        Assert.Equal((2, 1), (result.ToCreate, result.ToUpdate));
        Assert.Equal(stored, rows.Single(r => r.ExistingClientId is not null).ExistingClientId);
        Assert.Equal(["PC-3", "PC-5"], rows.Where(r => r.ExistingClientId is null).Select(r => r.Name));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_WhenNameAppearsTwiceInFile_FailsTheLaterRowNamingTheFirst(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var file = FileSpec.With("Name").Row("PC-7").Row("PC-8").Row("Pc-7").Row("pc-7");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                new RowError(4, "A", "Name", "Pc-7", "Name \"Pc-7\" appears again in row 4; it is first used in row 2."),
                new RowError(5, "A", "Name", "pc-7", "Name \"pc-7\" appears again in row 5; it is first used in row 2."),
            ],
            result.Errors);
        Assert.Equal((2, 2), (result.FailedRowCount, result.ToCreate));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_WhenNameExistsOnlyInAnotherRollout_CreatesTheClient(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var other = await database.NewRolloutAsync();
        await other.AddClientAsync("PC-7");
        var rollout = await database.NewRolloutAsync();

        var result = await rollout.CheckAsync(FileSpec.With("Name").Row("PC-7"));

        Assert.True(result.Succeeded);
        Assert.Equal(1, result.ToCreate);
    }

    [Fact]
    public async Task Check_WhenNameIsEmpty_FailsWithNameRequired()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Location", "Name").Row("Berlin", "   ").Row("Bonn", null);

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                new RowError(2, "B", "Name", "   ", "Name is required."),
                new RowError(3, "B", "Name", null, "Name is required."),
            ],
            result.Errors);
    }

    [Fact]
    public async Task Check_WhenNameIsLongerThanTheDatabaseAllows_FailsRow()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var name = new string('x', 401);

        var result = await rollout.CheckAsync(FileSpec.With("Name").Row(name).Row(new string('y', 400)));

        var error = Assert.Single(result.Errors);
        Assert.Equal((2, "A", "Name is too long: 401 characters, at most 400."), (error.Row, error.Column, error.Message));
    }

    [Fact]
    public async Task Check_TrimsSpacesAroundNames()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name").Row(" PC-1 ").Row("PC-1");
        var checker = await rollout.CheckerAsync(file);

        var result = checker.Check(file.Rows);

        Assert.Equal(["Name \"PC-1\" appears again in row 3; it is first used in row 2."], result.Errors.Select(e => e.Message));
    }

    [Fact]
    public async Task Check_ComparesNamesWithInvariantCaseFolding()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        await rollout.AddClientAsync("GERÄT-1", rollout.Desktops);

        var result = await rollout.CheckAsync(FileSpec.With("Name").Row("gerät-1").Row("ÄPFEL").Row("äpfel"));

        Assert.Equal(
            [
                "Name \"gerät-1\" already exists in this rollout (inventory \"Desktops\").",
                "Name \"äpfel\" appears again in row 4; it is first used in row 3.",
            ],
            result.Errors.Select(e => e.Message));
    }

    [Fact]
    public async Task Check_FindsRepeatsAmongThousandsOfLongNames()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name");
        for (var i = 0; i < 3_000; i++)
        {
            file.Row(i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(400, 'x'));
        }

        file.Row(new string('X', 399) + "7").Row(new string('x', 397) + "123").Row(new string('x', 400));

        var result = await rollout.CheckAsync(file);

        Assert.Equal([3002, 3003], result.Errors.Select(e => e.Row));
        Assert.EndsWith("appears again in row 3002; it is first used in row 9.", result.Errors[0].Message);
        Assert.EndsWith("appears again in row 3003; it is first used in row 125.", result.Errors[1].Message);
        Assert.Equal(3_001, result.ToCreate);
    }
}
