using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>Custom field values and history changes live in JSON columns; what goes in comes back out.</summary>
public class JsonColumnTests
{
    private static Dictionary<int, string[]> SampleValues() => new()
    {
        [1] = ["Zürich – Straße 5, Ærøskøbing, 東京, Ελλάδα 🚀"],
        [2] = ["Büro", "Küche", "say \"hi\"", "a, b; c"],
        [3] = [],
        [40] = ["first line\nsecond line\ttab \\ backslash"],
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task ClientValues_RoundTrip_WithNonAsciiTextAndSeveralValuesPerField(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "A");
        int id;
        await using (var context = database.CreateContext())
        {
            var client = rollout.NewClient("PC-Ü1", SampleValues());
            context.Clients.Add(client);
            await context.SaveChangesAsync();
            id = client.Id;
        }

        await using (var context = database.CreateContext())
        {
            var values = (await context.Clients.SingleAsync(c => c.Id == id)).Values;
            AssertSameValues(SampleValues(), values);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task ClientValues_ChangedInPlace_AreSaved(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "A");
        var id = (await rollout.AddClientsAsync(database, "PC-1"))[0];

        await using (var context = database.CreateContext())
        {
            var client = await context.Clients.SingleAsync(c => c.Id == id);
            client.Values[7] = ["Ünïcödé", "zwei"];
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            var client = await context.Clients.SingleAsync(c => c.Id == id);
            client.Values[7][1] = "drei";
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            var values = (await context.Clients.SingleAsync(c => c.Id == id)).Values;
            AssertSameValues(new Dictionary<int, string[]> { [7] = ["Ünïcödé", "drei"] }, values);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task ClientValues_AreStoredAsJsonTheDatabaseCanQuery(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "A");
        await using var context = database.CreateContext();
        context.Clients.Add(rollout.NewClient("PC-1", SampleValues()));
        await context.SaveChangesAsync();

        var secondValueOfField2 = provider == DatabaseProvider.PostgreSql
            ? "SELECT \"Values\"::json -> '2' ->> 1 AS \"Value\" FROM \"Clients\""
            : "SELECT json_extract(\"Values\", '$.\"2\"[1]') AS \"Value\" FROM \"Clients\"";

        Assert.Equal(["Küche"], await context.Database.SqlQueryRaw<string>(secondValueOfField2).ToListAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task HistoryChanges_RoundTrip_WithNonAsciiTextAndMissingValues(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "A");
        var clientId = (await rollout.AddClientsAsync(database, "PC-1"))[0];
        List<FieldChange> changes =
        [
            new("Name", "PC-1", "PC-Ü1"),
            new("Standort", null, "München, 3. OG — Raum 301"),
            new("Tags", "a; b", null),
            new("备注", "旧", "新"),
        ];
        await using (var context = database.CreateContext())
        {
            context.ClientHistory.Add(new ClientHistoryEntry
            {
                ClientId = clientId,
                At = DateTimeOffset.UtcNow,
                Action = ClientHistoryAction.Changed,
                Changes = changes,
            });
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            var entry = await context.ClientHistory.SingleAsync(h => h.ClientId == clientId);
            Assert.Equal(changes, entry.Changes);
            Assert.Equal(ClientHistoryAction.Changed, entry.Action);
        }
    }

    private static void AssertSameValues(Dictionary<int, string[]> expected, Dictionary<int, string[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (field, values) in expected)
        {
            Assert.Equal(values, actual[field]);
        }
    }
}
