using Rollouter.Import.Data;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Rules;

[Collection(RulesDatabaseCollection.Name)]
public class AdvancedLinkRuleTests(RulesDatabases databases)
{
    private static readonly Dictionary<string, string[]> BonnModel1 = new() { ["Location"] = ["Bonn"], ["Model"] = ["Model 1"] };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task CheckAndResolve_WhenFileValueDiffersFromLinkedClient_TheFileWinsAndUpdatesTheLinkedClient(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var rollout = await database.NewRolloutAsync();
        var a = await rollout.AddClientAsync("PC-A", values: BonnModel1);
        var b = await rollout.AddClientAsync("PC-B", rollout.Desktops, values: BonnModel1);
        await rollout.LinkAsync(a, b);
        var file = FileSpec.With("Name", "Location", "Model", "Serial").UpdateExisting()
            .Row("PC-A", "Berlin", "Model 1", "SN000000001");
        var checker = await rollout.CheckerAsync(file);

        var (rows, result) = checker.Resolve(file.Rows);

        Assert.Equal(1, result.ToUpdate);
        Assert.Equal(a, rows[0].ExistingClientId);
        // After the file's rows, what they impose on linked clients.
        Assert.Equal([(b, database.Fields["Location"], "Berlin")], Describe(rows.SelectMany(r => r.LinkedUpdates)));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task TheCheck_CountsALinkedClientTheFileChanges_AsTheRunCountsIt_ButNotAmongTheUnchangedRows(DatabaseProvider provider)
    {
        // The run counts the clients it changes, a linked client in another inventory too (decision 0026): the Check's
        // toChange is that count, and its unchanged rows are only the matched clients already as in the file.
        var database = await databases.GetAsync(provider);
        var rollout = await database.NewRolloutAsync();
        var a = await rollout.AddClientAsync("PC-A", values: BonnModel1);
        var b = await rollout.AddClientAsync("PC-B", rollout.Desktops, values: BonnModel1);
        await rollout.AddClientAsync("PC-C", values: BonnModel1);
        await rollout.LinkAsync(a, b);
        var file = FileSpec.With("Name", "Location", "Model").UpdateExisting()
            .Row("PC-A", "Berlin", "Model 1")
            .Row("PC-C", "Bonn", "Model 1");

        var result = await rollout.CheckAsync(file, compareValues: true);

        Assert.Equal((2, (int?)2, (int?)1, 1), (result.ToUpdate, result.ToChange, result.Unchanged, result.ChangedThroughLinksOnly));
        Assert.Equal(["PC-A"], result.ChangedClients);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_WhenLinkedRowsGiveDifferentSharedValues_FailsEachRowNamingTheOther(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var rollout = await database.NewRolloutAsync();
        var a = await rollout.AddClientAsync("PC-A", values: BonnModel1);
        var b = await rollout.AddClientAsync("PC-B", values: BonnModel1);
        await rollout.LinkAsync(a, b);
        var file = FileSpec.With("Name", "Location", "Model").UpdateExisting()
            .Row("PC-A", "Berlin", "Model 2")
            .Row("PC-X", "Hamburg", "Model 3")
            .Row("PC-B", "Hamburg", "Model 2");

        var result = await rollout.CheckAsync(file);

        Assert.Equal(
            [
                new RowError(2, "B", "Location", "Berlin", "Field \"Location\" is shared with the linked client \"PC-B\" in row 4, which gives \"Hamburg\"; directly linked clients must have the same value."),
                new RowError(4, "B", "Location", "Hamburg", "Field \"Location\" is shared with the linked client \"PC-A\" in row 2, which gives \"Berlin\"; directly linked clients must have the same value."),
            ],
            result.Errors);
        Assert.Equal((2, 0, 1), (result.FailedRowCount, result.ToUpdate, result.ToCreate));
    }

    /// <summary>
    /// QA: for two linked rows that disagree, Check said toUpdate 0 but still named the first among the clients it
    /// updates. The names come from the same rows as the count: a row that fails later through the link leaves both.
    /// </summary>
    [Fact]
    public async Task Check_WhenALaterLinkedRowFailsAnEarlierOne_TheEarlierLeavesTheUpdatedClientsToo()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var a = await rollout.AddClientAsync("LT-0004", values: BonnModel1);
        var b = await rollout.AddClientAsync("LT-0005", values: BonnModel1);
        await rollout.AddClientAsync("LT-0006", values: BonnModel1);
        await rollout.LinkAsync(a, b);
        var file = FileSpec.With("Name", "Location").UpdateExisting()
            .Row("lt-0004", "Room A")
            .Row("LT-0006", "Room B")
            .Row("LT-0005", "room a");

        var result = await rollout.CheckAsync(file);

        Assert.Equal((2, 1), (result.FailedRowCount, result.ToUpdate));
        Assert.Equal(["LT-0006"], result.UpdatedClients);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task CheckAndResolve_WhenLinkedRowsAgree_NeitherUpdatesTheOtherTwice(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var rollout = await database.NewRolloutAsync();
        var a = await rollout.AddClientAsync("PC-A", values: BonnModel1);
        var b = await rollout.AddClientAsync("PC-B", values: BonnModel1);
        await rollout.LinkAsync(a, b);
        var file = FileSpec.With("Name", "Location", "Model").UpdateExisting()
            .Row("PC-A", "Berlin", "")
            .Row("PC-B", " Berlin", "Model 2");
        var checker = await rollout.CheckerAsync(file);

        var rows = checker.CheckAndResolve(file.Rows).ToList();

        // Location: both rows set it alike, so neither imposes it on the other. Model: only PC-B's row sets it.
        Assert.Equal([(a, database.Fields["Model"], "Model 2")], Describe(rows.SelectMany(r => r.LinkedUpdates)));
    }

    [Fact]
    public async Task CheckAndResolve_WhenLinkedClientAlreadyHasTheValue_DoesNotUpdateIt()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var a = await rollout.AddClientAsync("PC-A", values: BonnModel1);
        var b = await rollout.AddClientAsync("PC-B", values: BonnModel1);
        await rollout.LinkAsync(a, b);
        var file = FileSpec.With("Name", "Location", "Model").UpdateExisting().Row("PC-A", "Bonn", "model 1");
        var checker = await rollout.CheckerAsync(file);

        Assert.Empty(Assert.Single(checker.CheckAndResolve(file.Rows)).LinkedUpdates);
    }

    [Fact]
    public async Task CheckAndResolve_ForALinkThatIsNotAdvanced_DoesNotShareValues()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var a = await rollout.AddClientAsync("PC-A", values: BonnModel1);
        var b = await rollout.AddClientAsync("PC-B", values: BonnModel1);
        await rollout.LinkAsync(a, b, database.PlainLinkType);
        var file = FileSpec.With("Name", "Location").UpdateExisting().Row("PC-A", "Berlin").Row("PC-B", "Hamburg");
        var checker = await rollout.CheckerAsync(file);

        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Empty(r.LinkedUpdates));
    }

    [Fact]
    public async Task Check_WhenFieldIsNotShared_LinkedRowsMayDiffer()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var a = await rollout.AddClientAsync("PC-A", values: BonnModel1);
        var b = await rollout.AddClientAsync("PC-B", values: BonnModel1);
        await rollout.LinkAsync(a, b);
        var file = FileSpec.With("Name", "Serial").UpdateExisting().Row("PC-A", "SN000000001").Row("PC-B", "SN000000002");
        var checker = await rollout.CheckerAsync(file);

        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Empty(r.LinkedUpdates));
    }

    private static IEnumerable<(int ClientId, int FieldId, string Value)> Describe(IEnumerable<LinkedClientUpdate> updates) =>
        updates.Select(u => (u.ClientId, u.CustomFieldId, string.Join(";", u.Value)));
}
