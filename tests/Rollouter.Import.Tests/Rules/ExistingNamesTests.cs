using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Tests.Rules;

public class ExistingNamesTests
{
    [Fact]
    public void TryGetValue_FindsAClientByItsNameKey_AndGivesTheNameAsStored()
    {
        var names = new ExistingNames(2);
        names.TryAdd(7, 1, "PC-Berlin-7");
        names.TryAdd(8, 2, "Übergabe-\u212Aiosk");

        Assert.True(names.TryGetValue(Client.KeyOf("pc-berlin-7"), out var first));
        Assert.Equal(new ExistingClient(7, 1, "PC-Berlin-7"), first);
        // Kelvin sign and Ü fold as the unique index folds them.
        Assert.True(names.TryGetValue(Client.KeyOf("ÜBERGABE-KIOSK"), out var second));
        Assert.Equal(new ExistingClient(8, 2, "Übergabe-\u212Aiosk"), second);
        Assert.False(names.TryGetValue(Client.KeyOf("PC-Berlin-70"), out _));
        Assert.False(names.TryGetValue(Client.KeyOf("PC-Berlin-"), out _));
    }

    [Fact]
    public void TryAdd_KeepsTheFirstClientOfAKey()
    {
        var names = new ExistingNames();

        Assert.True(names.TryAdd(1, 1, "PC-1"));
        Assert.False(names.TryAdd(2, 1, "pc-1"));

        Assert.Equal(1, names.Count);
        Assert.True(names.TryGetValue("pc-1", out var client));
        Assert.Equal(1, client.Id);
    }

    [Fact]
    public void MoreClientsThanExpected_AndLongNames_AreAllFound()
    {
        // More than announced (clients added between the count and the read), spanning several character blocks.
        var names = new ExistingNames(10);
        var longName = new string('x', 3_000);
        const int count = 250_000;
        for (var i = 0; i < count; i++)
        {
            names.TryAdd(i + 1, i % 3, $"Client-{i:D7}");
        }

        names.TryAdd(count + 1, 9, longName);

        Assert.Equal(count + 1, names.Count);
        for (var i = 0; i < count; i += 997)
        {
            Assert.True(names.TryGetValue($"client-{i:D7}", out var client));
            Assert.Equal(new ExistingClient(i + 1, i % 3, $"Client-{i:D7}"), client);
        }

        Assert.True(names.TryGetValue(longName, out var longClient));
        Assert.Equal(count + 1, longClient.Id);
        Assert.False(names.TryGetValue($"client-{count:D7}", out _));
    }

    /// <summary>Decision 0184: each "?" stands for one non-ASCII letter of a client of the inventory, the rest the same.</summary>
    [Fact]
    public void LostLetterMatch_NamesTheInventorysClientWhoseLettersWereWrittenAsQuestionMarks()
    {
        var names = new ExistingNames(4);
        names.TryAdd(1, 1, "Wrocław-07");
        names.TryAdd(2, 1, "Jiří");
        names.TryAdd(3, 2, "Łódź");
        names.TryAdd(4, 1, "Wroclaw-08");

        Assert.True(names.TryGetLostLetterMatch(Client.KeyOf("WROC?AW-07"), 1, out var wroclaw));
        Assert.Equal(new ExistingClient(1, 1, "Wrocław-07"), wroclaw);
        Assert.True(names.TryGetLostLetterMatch(Client.KeyOf("Ji?í"), 1, out var jiri));
        Assert.Equal("Jiří", jiri.Name);
        // An ASCII letter is not lost, "?" stands for one letter, the other inventory's client is not this one's.
        Assert.False(names.TryGetLostLetterMatch(Client.KeyOf("Wroc?aw-08"), 1, out _));
        Assert.False(names.TryGetLostLetterMatch(Client.KeyOf("Ji??í"), 1, out _));
        Assert.False(names.TryGetLostLetterMatch(Client.KeyOf("?ód?"), 1, out _));
        Assert.True(names.TryGetLostLetterMatch(Client.KeyOf("?ód?"), 2, out var lodz));
        Assert.Equal("Łódź", lodz.Name);
    }
}
