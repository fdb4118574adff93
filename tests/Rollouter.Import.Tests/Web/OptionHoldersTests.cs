using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Settings.CustomFields;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Which clients hold an option, asked before renaming or removing it (QA at scale: the count read every client of the
/// field into the app, 1.0–1.3 s at 300,000 clients): the database counts from the stored JSON, with the rule the app
/// had (ordinal: case and invisible characters count), and renaming reads only the clients that hold the option.
/// </summary>
public abstract partial class OptionHoldersTests(StatementLoggingWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    private async Task<(int FieldId, int StatusId)> FieldAsync(string name, params string[] options) => await factory.WithDbAsync(async db =>
    {
        var field = new CustomField
        {
            Name = name, Type = CustomFieldType.MultiSelection,
            Options = [.. options.Select((o, i) => new CustomFieldOption { Name = o, Position = i })],
        };
        db.CustomFields.Add(field);
        await db.SaveChangesAsync();
        var status = await db.WorkflowStatuses.Select(s => new { s.Id, s.WorkflowId }).FirstAsync();
        return (field.Id, status.Id);
    });

    private Task<int> WorkflowAsync(int statusId) =>
        factory.WithDbAsync(db => db.WorkflowStatuses.Where(s => s.Id == statusId).Select(s => s.WorkflowId).SingleAsync());

    private const string Quoted = "Say \"hi\" \\ there";

    /// <summary>What is asked, and how many clients hold it by the app's rule (ordinal).</summary>
    private static readonly (string Option, int Holders)[] Asked =
    [
        ("Red", 2), ("red", 1), ("RED", 1), ("Red\u200B", 1), ("Red ", 1), ("\u00ADRed", 1), (Quoted, 1), (Quoted.ToUpperInvariant(), 1),
        ("Ünïcode 🎉", 1), ("Ünïcode 🎉\u00A0", 1), ("Re", 0), ("Blue", 1), ("Nothing", 0),
    ];

    /// <summary>A field whose clients hold values that differ from its options only by case or an invisible character.</summary>
    private async Task<int> LookalikesAsync()
    {
        var (id, status) = await FieldAsync(Unique("Finish"), "Red", Quoted, "Ünïcode 🎉");
        var workflow = await WorkflowAsync(status);
        var prefix = Unique("OH");
        await factory.AddInventoryAsync(prefix, workflow, [id],
            ($"{prefix}-1", status, new() { [id] = ["Red"] }),
            ($"{prefix}-2", status, new() { [id] = ["Blue", "Red"] }),
            ($"{prefix}-3", status, new() { [id] = ["red"] }),
            ($"{prefix}-4", status, new() { [id] = ["RED"] }),
            ($"{prefix}-5", status, new() { [id] = ["Red\u200B"] }),
            ($"{prefix}-6", status, new() { [id] = ["Red "] }),
            ($"{prefix}-7", status, new() { [id] = ["\u00ADRed"] }),
            ($"{prefix}-8", status, new() { [id] = [Quoted] }),
            ($"{prefix}-9", status, new() { [id] = [Quoted.ToUpperInvariant()] }),
            ($"{prefix}-10", status, new() { [id] = ["Ünïcode 🎉"] }),
            ($"{prefix}-11", status, new() { [id] = ["Ünïcode 🎉\u00A0"] }),
            ($"{prefix}-12", status, new() { [id + 100_000] = ["Red"] }),
            ($"{prefix}-13", status, new()));
        // An inventory without the field: its clients are not asked, whatever they hold.
        await factory.AddInventoryAsync(prefix + " elsewhere", workflow, [], ($"{prefix}-E", status, new() { [id] = ["Red"] }));
        return id;
    }

    [Fact]
    public async Task TheDatabasesCount_AgreesWithTheOrdinalRule_ForValuesThatDifferByCaseOrAnInvisibleCharacter()
    {
        var id = await LookalikesAsync();
        using var scope = factory.Services.CreateScope();
        var settings = scope.ServiceProvider.GetRequiredService<CustomFieldSettings>();
        var counted = new List<int>();

        factory.Statements.Clear();
        foreach (var (option, _) in Asked)
        {
            counted.Add(await settings.CountClientsWithOptionAsync(id, option, CancellationToken.None));
        }

        var statements = factory.Statements.ReadingClients;
        Assert.Equal(Asked.Select(a => a.Holders), counted);
        // One count a question, in the database.
        Assert.Equal(Asked.Length, statements.Count);
        Assert.All(statements, sql => Assert.Contains("COUNT(", sql, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task RenamingAnOption_ReadsOnlyTheClientsHoldingIt_AndRenamesExactlyThose()
    {
        var name = Unique("Tier");
        var (id, status) = await FieldAsync(name, "Gold", "Silver");
        var workflow = await WorkflowAsync(status);
        var prefix = Unique("RN");
        await factory.AddInventoryAsync(prefix, workflow, [id],
        [
            .. Enumerable.Range(0, 2_500).Select(i => ($"{prefix}-{i:D4}", status,
                new Dictionary<int, string[]> { [id] = i % 1_000 == 7 ? ["Gold", "Silver"] : i == 1 ? ["gold"] : ["Silver"] })),
        ]);
        var gold = await factory.WithDbAsync(db => db.CustomFieldOptions.Where(o => o.CustomFieldId == id && o.Name == "Gold").Select(o => o.Id).SingleAsync());
        var manager = await factory.SignInAsync("manager@demo.test");
        var page = $"/settings/custom-fields/{id}";
        await manager.PageAsync(page);

        factory.Statements.Clear();
        var (_, question, _) = await manager.SubmitAsync($"{page}/options/{gold}", new() { ["OptionName"] = "Platinum" }, page);
        var asking = factory.Statements.ReadingClients;
        factory.Statements.Clear();
        var (_, renamed, _) = await manager.SubmitAsync($"{page}/options/{gold}",
            new() { ["OptionName"] = "Platinum", ["Confirmed"] = "true" }, page);
        var renaming = factory.Statements.ReadingClients;

        Assert.Contains("3 clients have the option “Gold”: their values change to “Platinum”", question);
        Assert.Contains("The option was renamed, in the clients' values too.", renamed);
        // The count and the reads of the rename each ask the database for the holders only (its JSON test).
        Assert.Single(asking);
        Assert.NotEmpty(renaming);
        Assert.All(asking.Concat(renaming), sql => Assert.Contains("json", sql, StringComparison.OrdinalIgnoreCase));
        var values = await factory.WithDbAsync(db => db.Clients.AsNoTracking().Where(c => c.Name.StartsWith(prefix))
            .Select(c => new { c.Name, c.Values }).ToListAsync());
        var byName = values.ToDictionary(c => c.Name, c => string.Join("; ", c.Values[id]));
        Assert.Equal(["Platinum; Silver"], byName.Where(c => c.Key.EndsWith("-0007", StringComparison.Ordinal)).Select(c => c.Value));
        Assert.Equal(3, byName.Values.Count(v => v == "Platinum; Silver"));
        Assert.Equal("gold", byName[$"{prefix}-0001"]);
        Assert.Equal(2_496, byName.Values.Count(v => v == "Silver"));
    }
}

public sealed class SqliteOptionHoldersTests(StatementLoggingWebFactory factory)
    : OptionHoldersTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresOptionHoldersTests(PostgresStatementLoggingWebFactory factory)
    : OptionHoldersTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
