using System.Text.Json;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Tests.Writing;

public class JsonTextTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Values_AreWrittenExactlyAsTheColumnSerializerWritesThem()
    {
        var values = new Dictionary<int, string[]>
        {
            [3] = ["Müller \"quoted\", <b>&'"],
            [12345] = ["a\nb", "\t\u0001", "😀 €"],
            [7] = [],
        };

        Assert.Equal(JsonSerializer.Serialize(values, Web), new Importing.Writing.JsonText().Values(values));
    }

    [Fact]
    public void Changes_AreWrittenExactlyAsTheColumnSerializerWritesThem()
    {
        var changes = new List<FieldChange> { new("Status", null, "Done"), new("Notes", "a\r\nb \"c\"", "Grüße <x>") };
        var json = new Importing.Writing.JsonText();

        Assert.Equal(JsonSerializer.Serialize(changes, Web), json.Changes(changes));
        Assert.Equal("[]", json.Changes([]));
    }
}
