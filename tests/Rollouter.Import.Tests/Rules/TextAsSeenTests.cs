using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Rules;

/// <summary>
/// Texts that look the same are the same (decision 0041): a name typed on a Mac (decomposed, "Jo\u0308rg") is the
/// one typed on Windows ("Jörg"), and a zero-width space or a no-break space pasted from a web page or a Word table
/// does not make a second client, a second option or an unknown user.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class TextAsSeenTests(RulesDatabases databases)
{
    private const string Composed = "QA-J\u00F6rg";
    private const string Decomposed = "QA-Jo\u0308rg";

    [Theory]
    [InlineData("PC-1", "PC-1")]
    [InlineData("Jo\u0308rg", "J\u00F6rg")]
    [InlineData("PC-1\u200B", "PC-1")]
    [InlineData("\uFEFFPC\u00AD-1\u2060", "PC-1")]
    [InlineData("Clara\u00A0Client", "Clara Client")]
    [InlineData("Desk\u202F5\u3000A", "Desk 5 A")]
    [InlineData("Office\nTeams", "Office\nTeams")]
    [InlineData("\u200B", "")]
    // The zero-width joiner stays: it changes how an emoji or some scripts read.
    [InlineData("a\u200Db", "a\u200Db")]
    public void AsSeen_ComposesAndDropsWhatDoesNotShow(string text, string seen)
    {
        Assert.Equal(seen, PlainText.AsSeen(text));
        Assert.Equal(seen, PlainText.AsSeen(seen));
        Assert.Equal(text == seen, PlainText.IsAsSeen(text));
    }

    [Fact]
    public void AsSeen_NeverLengthensAText()
    {
        // U+0958 is excluded from composition: NFC makes it two characters, so it is left as it is.
        Assert.Equal("\u0958", PlainText.AsSeen("\u0958"));
        Assert.True(PlainText.IsAsSeen("\u0958"));
    }

    [Fact]
    public void KeyOf_IsTheSameForNamesThatLookTheSame()
    {
        Assert.Equal(Client.KeyOf(Composed), Client.KeyOf(Decomposed));
        Assert.Equal("pc-1", Client.KeyOf("PC-1\u200B"));
        Span<char> key = stackalloc char[Decomposed.Length];
        Assert.Equal(Client.KeyOf(Composed), key[..Client.KeyOf(Decomposed, key)].ToString());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_ADecomposedNameOfAnExistingClient_UpdatesIt_AndAZeroWidthSpaceMakesNoSecondClient(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        await rollout.AddClientAsync(Composed);
        await rollout.AddClientAsync("LT-0001", rollout.Desktops);

        var update = await rollout.CheckAsync(FileSpec.With("Name", "Location").UpdateExisting().Row(Decomposed, "Room 2"));
        var create = await rollout.CheckAsync(FileSpec.With("Name").Row(Decomposed).Row("LT-0001\u200B").Row("PC-9\u200B").Row("PC-9"));

        Assert.Equal((0, 1, 0), (update.ToCreate, update.ToUpdate, update.ErrorCount));
        Assert.Equal(
            [
                (2, $"already exists"),
                (3, "already exists"),
                (5, "appears again"),
            ],
            create.Errors.Select(e => (e.Row, e.Message.Contains("already exists", StringComparison.Ordinal) ? "already exists"
                : e.Message.Contains("appears again", StringComparison.Ordinal) ? "appears again" : e.Message)));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Check_AClientStoredBeforeNamesWereKeptAsSeen_IsFoundByTheNameAsSeen(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var rollout = await database.NewRolloutAsync();
        var id = await rollout.AddClientAsync(Decomposed);
        await using (var db = database.Database.CreateContext())
        {
            // What an import stored before: the name as the file had it, its key only lower-cased.
            var oldKey = Decomposed.ToLowerInvariant();
            await db.Clients.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.NameKey, oldKey));
        }

        var result = await rollout.CheckAsync(FileSpec.With("Name").Row(Composed));
        var update = await rollout.CheckAsync(FileSpec.With("Name", "Location").UpdateExisting().Row(Composed, "Room 3"));

        Assert.Contains("already exists", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Equal((0, 1), (update.ToCreate, update.ToUpdate));
    }

    [Fact]
    public async Task CheckAndResolve_StoresCellsAsSeen_OptionsUsersAndFlagsIncluded()
    {
        var database = await databases.GetAsync();
        var rollout = await database.NewRolloutAsync();
        var file = FileSpec.With("Name", "Model", "Software", "Assignee", "ClientFlag", "Location")
            .Row("PC-1\u200B", "Model\u00A03", "Bu\u0308ro-App", "tech@test.example\u200B", "\u200B", "Jo\u0308rg's desk")
            .Row("PC-2", "Model 3\uFEFF", "B\u00FCro-App", "tech@test.example", "Broken\u00A0screen", null);
        file.Column("Software").CreateOptions = true;
        file.Column("Assignee").Lookup = Importing.Mapping.UserLookup.Email;
        var checker = await rollout.CheckerAsync(file);

        var result = checker.Check(file.Rows);
        var rows = checker.CheckAndResolve(file.Rows).ToList();

        Assert.Empty(result.Errors);
        // One new option for the two spellings of "Büro-App", in the composed one.
        Assert.Equal([new NewOption(database.Fields["Software"], "B\u00FCro-App")], result.OptionsToCreate);
        Assert.Equal(["PC-1", "PC-2"], rows.Select(r => r.Name));
        Assert.All(rows, r => Assert.Equal(["Model 3"], r.Values[database.Fields["Model"]]));
        Assert.All(rows, r => Assert.Equal(["B\u00FCro-App"], r.Values[database.Fields["Software"]]));
        Assert.All(rows, r => Assert.Equal(database.Users["tech"], r.AssigneeId));
        Assert.Equal((null, "Broken screen"), (rows[0].Flag, rows[1].Flag));
        Assert.Equal(["J\u00F6rg's desk"], rows[0].Values[database.Fields["Location"]]);
    }

    [Fact]
    public async Task Check_AUserNameWithANoBreakSpace_FindsTheUser()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var file = FileSpec.With("Name", "ClientUser").Row("PC-1", "Carl\u00A0Client");
        file.Column("ClientUser").Lookup = Importing.Mapping.UserLookup.Name;

        var rows = (await rollout.CheckerAsync(file)).CheckAndResolve(file.Rows).ToList();

        Assert.Equal(rollout.Database.Users["carl"], Assert.Single(rows).ClientUserId);
    }
}
