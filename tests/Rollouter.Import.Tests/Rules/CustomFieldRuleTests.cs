using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Rules;

[Collection(RulesDatabaseCollection.Name)]
public class CustomFieldRuleTests(RulesDatabases databases)
{
    [Fact]
    public async Task Check_WhenSelectionValueIsNotAnOption_FailsNamingTheField()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Model").Row("PC-1", "Model 9").Row("PC-2", "Model 3");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [new RowError(2, "B", "Model", "Model 9", "\"Model 9\" is not an option of field \"Model\"; add it to the field's options or enable \"Create option if not exists\".")],
            result.Errors);
    }

    [Fact]
    public async Task Check_WhenSelectionValueDiffersFromAnOptionOnlyInSpaces_SuggestsIt()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Model").Row("PC-1", "model3");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [new RowError(2, "B", "Model", "model3", "\"model3\" is not an option of field \"Model\". Did you mean \"Model 3\"? Otherwise add it to the field's options or enable \"Create option if not exists\".")],
            result.Errors);
    }

    [Fact]
    public async Task CheckAndResolve_MatchesOptionsIgnoringCaseAndStoresTheirSpelling()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Model", "Software").Row("PC-1", " model 3 ", "app 1; App 2");
        var checker = await rollout.CheckerAsync(file);

        Assert.True(checker.Check(file.Rows).Succeeded);
        var row = Assert.Single(checker.CheckAndResolve(file.Rows));

        Assert.Equal(["Model 3"], row.Values[database.Fields["Model"]]);
        Assert.Equal(["App 1", "App 2"], row.Values[database.Fields["Software"]]);
    }

    [Fact]
    public async Task Check_WithCreateOptions_CreatesNoOptionHoldingALineBreak_AndSaysWhatItLikelyIs()
    {
        // Verification pass: "Office⏎Teamz" (an Excel list) became one new option holding a line break.
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Model", "Software").Row("PC-1", "Model 1\nModel 2", "App 1;Office\nTeamz");
        file.Column("Model").CreateOptions = true;
        file.Column("Software").CreateOptions = true;

        var result = await rollout.CheckAsync(file);

        Assert.Empty(result.OptionsToCreate);
        Assert.Equal(
            [
                "\"Model 1\nModel 2\" holds a line break, which an option of field \"Model\" cannot. Put each value on a row of its own.",
                "\"Office\nTeamz\" holds a line break, which an option of field \"Software\" cannot. It contains line breaks: if they separate its values, choose Line break as the separator of column C (\"Software\").",
            ],
            result.Errors.Select(e => e.Message));
    }

    [Fact]
    public async Task Check_WithCreateOptions_CreatesNoOptionHoldingATabOrAControlCharacter()
    {
        // Decision 0174: an option is a name, one line without control characters, as the settings take it.
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Model").Row("PC-1", "Model\t1").Row("PC-2", "Model\u00072").Row("PC-3", "Model Z");
        file.Column("Model").CreateOptions = true;

        var result = await rollout.CheckAsync(file);

        Assert.Equal(["Model Z"], result.OptionsToCreate.Select(o => o.Name));
        Assert.Equal(
            [
                "\"Model\t1\" holds a tab, which an option of field \"Model\" cannot. Remove it from the cell, or use one of the field's options.",
                "\"Model\u00072\" holds the control character U+0007, which an option of field \"Model\" cannot. Remove it from the cell, or use one of the field's options.",
            ],
            result.Errors.Select(e => e.Message));
    }

    [Fact]
    public async Task Check_WithCreateOptions_CollectsEachNewOptionOnce()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Model", "Software")
            .Row("PC-1", "Model 9", "App 1;App 11")
            .Row("PC-2", "model 9", "app 11;App 12")
            .Row("PC-3", "Model 10", "App 12");
        file.Column("Model").CreateOptions = true;
        file.Column("Software").CreateOptions = true;
        var checker = await rollout.CheckerAsync(file);

        var result = checker.Check(file.Rows);
        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                new NewOption(database.Fields["Model"], "Model 9"),
                new NewOption(database.Fields["Model"], "Model 10"),
                new NewOption(database.Fields["Software"], "App 11"),
                new NewOption(database.Fields["Software"], "App 12"),
            ],
            result.OptionsToCreate.OrderBy(o => o.CustomFieldId).ThenBy(o => o.Name.Length).ThenBy(o => o.Name));
        Assert.Equal(["Model 9"], rows[1].Values[database.Fields["Model"]]);
        Assert.Equal(["App 11", "App 12"], rows[1].Values[database.Fields["Software"]]);
        // Each new option travels to the writer with the first row that uses it.
        Assert.Equal(
            [[new NewOption(database.Fields["Model"], "Model 9"), new NewOption(database.Fields["Software"], "App 11")],
             [new NewOption(database.Fields["Software"], "App 12")], [new NewOption(database.Fields["Model"], "Model 10")]],
            rows.Select(r => r.NewOptions));
    }

    [Fact]
    public async Task Check_WithCreateOptions_FailsAnOptionLongerThanTheDatabaseAllows()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Model").Row("PC-1", new string('m', 401));
        file.Column("Model").CreateOptions = true;

        var result = await rollout.CheckAsync(file);

        var error = Assert.Single(result.Errors);
        Assert.Equal((2, "B"), (error.Row, error.Column));
        Assert.EndsWith("is too long for an option of field \"Model\": 401 characters, at most 400.", error.Message);
        Assert.Empty(result.OptionsToCreate);
    }

    [Fact]
    public async Task Check_MultiSelection_SplitsTrimsDropsEmptiesAndDuplicates()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Software", "Tags")
            .Row("PC-1", " App 1 ;;App 2; app 1 ;", "red | blue|red|")
            .Row("PC-2", "App 1;Word;Excel", "anything at all")
            .Row("PC-3", " ; ", "");
        file.Column("Tags").Separator = "|";

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                // Each error names its part; its value is the whole cell, which the failed row's editor starts from.
                new RowError(3, "B", "Software", "App 1;Word;Excel", "\"Word\" is not an option of field \"Software\"; add it to the field's options or enable \"Create option if not exists\"."),
                new RowError(3, "B", "Software", "App 1;Word;Excel", "\"Excel\" is not an option of field \"Software\"; add it to the field's options or enable \"Create option if not exists\"."),
            ],
            result.Errors);

        var valid = FileSpec.With("Name", "Software", "Tags").Row("PC-1", " App 1 ;;App 2; app 1 ;", "red | blue|red|").Row("PC-3", " ; ", "");
        valid.Column("Tags").Separator = "|";
        var checker = await rollout.CheckerAsync(valid);
        Assert.True(checker.Check(valid.Rows).Succeeded);
        var rows = checker.CheckAndResolve(valid.Rows).ToList();
        Assert.Equal(["App 1", "App 2"], rows[0].Values[database.Fields["Software"]]);
        Assert.Equal(["red", "blue"], rows[0].Values[database.Fields["Tags"]]);
        Assert.Empty(rows[1].Values);
    }

    /// <summary>
    /// QA: Excel's Alt+Enter lists ("App 1⏎App 2") failed with "… is not an option" and no hint. The message names the
    /// separator the value holds; with a line break as the column's separator the cell imports as two values.
    /// </summary>
    [Fact]
    public async Task Check_MultiSelectionValueHoldingAnotherSeparator_SaysToChooseIt_AndLineBreakSplitsIt()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Software")
            .Row("PC-1", "App 1\nApp 2")
            .Row("PC-2", "App 1, App 2")
            .Row("PC-3", "App 1;Word");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                "\"App 1\nApp 2\" is not an option of field \"Software\". It contains line breaks: if they separate its values, choose Line break as the separator of column B (\"Software\"). Otherwise add it to the field's options or enable \"Create option if not exists\".",
                "\"App 1, App 2\" is not an option of field \"Software\". It contains \",\": if that separates its values, choose \",\" as the separator of column B (\"Software\"). Otherwise add it to the field's options or enable \"Create option if not exists\".",
                "\"Word\" is not an option of field \"Software\"; add it to the field's options or enable \"Create option if not exists\".",
            ],
            result.Errors.Select(e => e.Message));

        var lines = FileSpec.With("Name", "Software").Row("PC-1", "App 1\r\nApp 2\n\nApp 3");
        lines.Column("Software").Separator = "\n";
        var checker = await rollout.CheckerAsync(lines);
        Assert.Equal(["App 1", "App 2", "App 3"], Assert.Single(checker.CheckAndResolve(lines.Rows)).Values[database.Fields["Software"]]);
    }

    [Fact]
    public async Task Check_WhenRequiredFieldIsEmptyForNewClient_FailsOnItsColumn()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Rack").Row("PC-1", "").Row("PC-2", "R1");

        var result = await rollout.CheckAsync(file, rollout.Desktops);

        Assert.Equal([new RowError(2, "B", "Rack", null, "Field \"Rack\" is required.")], result.Errors);
    }

    [Fact]
    public async Task Check_WhenRequiredFieldIsNotMapped_FailsNewClientsWithoutColumn()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        await rollout.AddClientAsync("PC-1", rollout.Desktops);
        var file = FileSpec.With("Name", "Location").UpdateExisting().Row("PC-1", "Bonn").Row("PC-2", "Berlin");

        var result = await rollout.CheckAsync(file, rollout.Desktops);

        // With Update existing clients, the row fails because its name is no client's (a typo, often): it says so (decision 0104).
        Assert.Equal([new RowError(3, null, null, null,
            "Field \"Rack\" is required: no client of Desktops is named \"PC-2\", so this row would create one.")], result.Errors);
        Assert.Equal((0, 1), (result.ToCreate, result.ToUpdate));
    }

    [Fact]
    public async Task Check_WhenValueDoesNotMatchPattern_FailsShowingThePattern()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Serial").Row("PC-1", "SN12").Row("PC-2", "SN123456789").Row("PC-3", " SN123456789 ");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [new RowError(2, "B", "Serial", "SN12", "\"SN12\" does not match the pattern of field \"Serial\" (^SN[0-9]{9}$).")],
            result.Errors);
    }

    [Fact]
    public async Task Check_WhenValueDoesNotMatchPattern_ShowsAnExistingClientsValueAsAnExample()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        await rollout.AddClientAsync("PC-OLD-1", values: new() { ["Serial"] = ["not checked then"] });
        await rollout.AddClientAsync("PC-OLD-2", values: new() { ["Serial"] = ["SN100200300"] });
        var file = FileSpec.With("Name", "Serial").Row("PC-1", "SN12");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [new RowError(2, "B", "Serial", "SN12", "\"SN12\" does not match the pattern of field \"Serial\" (^SN[0-9]{9}$), for example \"SN100200300\".")],
            result.Errors);
    }

    [Fact]
    public async Task Check_WithAPatternThatBacktracksCatastrophically_ReportsEveryCellAsNotMatching()
    {
        // ^(a+)+$ against "aaaa…a!" cost a backtracking engine 100 ms per cell, then a "took too long" error: the
        // importer's engine does not backtrack, and answers at once whatever the pattern.
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Slow");
        for (var i = 1; i <= 50; i++)
        {
            file.Row($"PC-{i}", new string('a', 40) + "!");
        }

        file.Row("PC-51", new string('a', 5000) + "!").Row("PC-52", "aaaa");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(51, result.FailedRowCount);
        Assert.All(result.Errors, e => Assert.EndsWith("does not match the pattern of field \"Slow\" (^(a+)+$).", e.Message));
        Assert.Equal(ImportChecker.MaxErrorValueLength, result.Errors[^1].Value!.Length);
    }

    [Fact]
    public async Task Check_WhenAStoredPatternNeedsBacktracking_FailsTheImportNamingTheField()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Pair").Row("PC-1", "aa");

        var result = await rollout.CheckAsync(file);

        var error = Assert.Single(result.ImportErrors);
        Assert.StartsWith(@"Field ""Pair"" has the pattern ^(\w)\1$, which the importer cannot use. The pattern needs backtracking", error);
        Assert.Contains("backreference", error);
        Assert.EndsWith("Change the pattern under Settings → Custom fields.", error);
        Assert.Equal(0, result.RowCount);
    }

    [Fact]
    public async Task Check_WhenTheRequestIsCancelled_StopsAtTheNextRow()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Serial");
        var checker = await rollout.CheckerAsync(file);
        using var cancellation = new CancellationTokenSource();
        var read = 0;
        IEnumerable<SourceRow> Rows()
        {
            for (var i = 2; i < 10_000; i++)
            {
                read++;
                yield return new SourceRow(i, [$"PC-{i}", "SN123456789"], []);
            }
        }

        Assert.Throws<OperationCanceledException>(() => checker.Check(Rows(),
            new Progress(checkedRows => cancellation.Cancel()), cancellationToken: cancellation.Token));

        // Cancelled when the first thousand rows were reported: one row more was read, no more.
        Assert.Equal(1_001, read);
    }

    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    [Fact]
    public async Task CheckAndResolve_ForUpdates_LeavesEmptyCellsOut()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        await rollout.AddClientAsync("PC-1", values: new() { ["Location"] = ["Bonn"] });
        var file = FileSpec.With("Name", "Location", "Model", "Assignee", "Description").UpdateExisting()
            .Row("PC-1", "", "Model 2", null, " ");
        var checker = await rollout.CheckerAsync(file);

        Assert.True(checker.Check(file.Rows).Succeeded);
        var row = Assert.Single(checker.CheckAndResolve(file.Rows));

        Assert.Equal([database.Fields["Model"]], row.Values.Keys);
        Assert.Equal((null, null, null), (row.AssigneeId, row.Description, row.StatusId));
    }

    [Fact]
    public async Task Check_TurnsReaderCellIssuesIntoErrorsOnMappedColumnsOnly()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Model", "Unmapped");
        file.Column("Unmapped").Target = null;
        file.RowWithIssue(new Importing.Reading.CellIssue(1, "#N/A", "The cell holds the error #N/A."), "PC-1", "#N/A", "x")
            .RowWithIssue(new Importing.Reading.CellIssue(2, "#DIV/0!", "The cell holds the error #DIV/0!."), "PC-2", "Model 1", "#DIV/0!");

        var result = await rollout.CheckAsync(file);

        Assert.Equal([new RowError(2, "B", "Model", "#N/A", "The cell holds the error #N/A.")], result.Errors);
        Assert.Equal(1, result.ToCreate);
    }
}
