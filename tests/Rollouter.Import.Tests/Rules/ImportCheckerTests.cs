using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Rules;

[Collection(RulesDatabaseCollection.Name)]
public class ImportCheckerTests(RulesDatabases databases)
{
    [Fact]
    public async Task Check_WhenNewClientsExceedTheClientLimit_FailsTheImportAsAWhole()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync(clientLimit: 3);
        await rollout.AddClientAsync("PC-1");
        await rollout.AddClientAsync("PC-2", rollout.Desktops);
        var file = FileSpec.With("Name").UpdateExisting().Row("PC-1").Row("PC-3").Row("PC-4");

        var result = await rollout.CheckAsync(file);

        Assert.Empty(result.Errors);
        Assert.False(result.Succeeded);
        Assert.Equal(
            [$"The import would exceed the client limit (4 of 3): the rollout holds 2 clients and the file would create 2. The limit of 3 clients is set on rollout \"{rollout.Name}\"; an administrator can raise it under Settings → Rollouts → {rollout.Name}." +
                // With Update existing clients, the new clients are names no client has (decision 0104).
                " No client of Laptops is named \"PC-3\", \"PC-4\", so those rows create clients."],
            result.ImportErrors);
    }

    [Fact]
    public async Task Check_OverALimitOfOneClient_SaysOneClient_NotOneClients()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync(clientLimit: 1);
        await rollout.AddClientAsync("PC-1");

        var result = await rollout.CheckAsync(FileSpec.With("Name").Row("PC-2"));

        Assert.Equal(
            [$"The import would exceed the client limit (2 of 1): the rollout holds 1 client and the file would create 1. The limit of 1 client is set on rollout \"{rollout.Name}\"; an administrator can raise it under Settings → Rollouts → {rollout.Name}."],
            result.ImportErrors);
    }

    [Fact]
    public async Task Load_CountsNoClients_AndChecksTheLimitAgainstTheClientsItReads()
    {
        var rules = await databases.GetAsync();
        var rollout = await rules.NewRolloutAsync(clientLimit: 2);
        // Added without raising the inventory's kept count, which therefore says 0: the limit is checked against the
        // clients the check reads anyway (their names), not against the kept count, and no statement counts them.
        await rollout.AddClientAsync("PC-1");
        var file = FileSpec.With("Name").Row("PC-2").Row("PC-3");
        var log = new StatementLog();
        await using var db = new RolloutDbContext(new DbContextOptionsBuilder<RolloutDbContext>(rules.Database.Options).AddInterceptors(log).Options);

        var result = (await ImportCheckerLoader.LoadAsync(db, rollout.Laptops, file.Mapping, file.Columns)).Check(file.Rows);

        Assert.Contains("the rollout holds 1 client and the file would create 2", Assert.Single(result.ImportErrors), StringComparison.Ordinal);
        Assert.DoesNotContain(log.ReadingClients, s => s.Contains("COUNT(", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Check_WhenNewClientsFillTheClientLimitExactly_Succeeds()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync(clientLimit: 2);
        await rollout.AddClientAsync("PC-1");

        var result = await rollout.CheckAsync(FileSpec.With("Name").UpdateExisting().Row("PC-1").Row("PC-2").Row("pc-2"));

        Assert.Empty(result.ImportErrors);
        Assert.Single(result.Errors);
    }

    [Fact]
    public async Task Check_ReportsSeveralErrorsOfOneRowSortedByRowThenColumn()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var columns = Enumerable.Range(0, 28).Select(i => FileSpec.Letter(i)).ToArray();
        var file = FileSpec.With([.. columns.Select((_, i) => i switch { 0 => "Model", 1 => "Name", 27 => "Status", _ => "x" + i })]);
        foreach (var column in file.Mapping.Columns.Where(c => c.Target!.StartsWith('x')))
        {
            column.Target = null;
        }

        string?[] Cells(string? model, string? name, string? status)
        {
            var cells = new string?[28];
            (cells[0], cells[1], cells[27]) = (model, name, status);
            return cells;
        }

        file.Row(Cells("Model 1", "PC-1", "New")).Row(Cells("Bad", "", "Old")).Row(Cells("Model 1", "PC-1", "Done"));

        var result = await rollout.CheckAsync(file);

        Assert.Equal([(3, "A"), (3, "B"), (3, "AB"), (4, "B")], result.Errors.Select(e => (e.Row, e.Column!)));
        Assert.Equal((2, 1, 3), (result.FailedRowCount, result.ToCreate, result.RowCount));
    }

    [Fact]
    public async Task Check_SkipsRowsWhoseMappedCellsAreEmpty()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Location", "Other").Row("PC-1", "Bonn", "").Row(null, " ", "note").Row("PC-2", null, null);
        file.Column("Other").Target = null;

        var result = await rollout.CheckAsync(file);

        Assert.True(result.Succeeded);
        Assert.Equal((2, 1, 2), (result.RowCount, result.EmptyRowCount, result.ToCreate));
    }

    [Fact]
    public async Task Check_WhenMappingIsInvalid_FailsTheImportWithoutReadingRows()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Location", "Nonsense").Row("Bonn", "x");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                "Column B (\"Nonsense\"): \"Nonsense\" is neither a default field nor a custom field of inventory \"Laptops\".",
                "No column is mapped to Name: every client needs a name.",
            ],
            result.ImportErrors);
        Assert.Equal(0, result.RowCount);
    }

    [Fact]
    public async Task Check_KeepsTheFirstHundredThousandErrorsAndCountsTheRest()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Location");
        var checker = await rollout.CheckerAsync(file);
        var rows = Enumerable.Range(2, ImportChecker.MaxStoredErrors + 10).Select(i => new SourceRow(i, [null, "Bonn"], []));
        var reports = new List<int>();

        var result = checker.Check(rows, new SynchronousProgress(reports.Add));

        Assert.Equal(ImportChecker.MaxStoredErrors, result.Errors.Count);
        Assert.Equal(ImportChecker.MaxStoredErrors + 10, result.ErrorCount);
        Assert.True(result.ErrorsTruncated);
        Assert.Equal(ImportChecker.MaxStoredErrors + 10, result.FailedRowCount);
        Assert.Equal(ImportChecker.MaxStoredErrors + 10, reports[^1]);
        Assert.Equal(1_000, reports[0]);
    }

    [Fact]
    public async Task ResolvedRows_WhenARowFails_StopAtThatRow_AndFailuresChecksTheRestGivingEveryError()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "Status").Row("PC-1", "New").Row("PC-2", "Shipped").Row("PC-3", "New").Row("PC-4", "Lost");
        var checker = await rollout.CheckerAsync(file);
        using var source = file.Rows.GetEnumerator();
        var pass = checker.Start(source);
        var yielded = new List<ResolvedRow>();

        Assert.Throws<ImportCheckFailedException>(() =>
        {
            foreach (var row in pass.ResolvedRows())
            {
                yielded.Add(row);
            }
        });
        // Row 3 fails: the writer, which will roll back, gets nothing more; the rest is checked with the same rows.
        var batches = pass.Failures(batchSize: 1).ToList();

        Assert.Equal([2], yielded.Select(r => r.RowNumber));
        Assert.Equal([[3], [5]], batches.Select(b => b.Select(e => e.Row)));
        Assert.Equal((4, 2, 2), (pass.Result!.RowCount, pass.Result.FailedRowCount, pass.Result.ErrorCount));
        Assert.Empty(pass.Result.Errors);
    }

    [Fact]
    public async Task Failures_GivesTheErrorsOfWholeRowsInBatches_EachSortedByRowAndColumn()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Status", "Name").Row("Shipped", "").Row("New", "PC-1").Row("Lost", "PC-1");
        var checker = await rollout.CheckerAsync(file);
        using var source = file.Rows.GetEnumerator();
        var pass = checker.Start(source);

        var batches = pass.Failures(batchSize: 1).ToList();

        Assert.Equal([[(2, "A"), (2, "B")], [(4, "A"), (4, "B")]], batches.Select(b => b.Select(e => (e.Row, e.Column!))));
        Assert.Equal(2, pass.Result!.FailedRowCount);
    }

    [Fact]
    public async Task CreateWriteContext_NamesTheInventorysFields()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var checker = await rollout.CheckerAsync(FileSpec.With("Name"), rollout.Desktops);

        var context = checker.CreateWriteContext(importId: 7, userId: database.Users["manager"]);

        Assert.Equal((7, rollout.Id, rollout.Desktops), (context.ImportId, context.RolloutId, context.InventoryId));
        Assert.Equal(["Location", "Model", "Rack"], context.FieldNames.Values.Order());
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
