using System.Text.Json;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Tests.Writing;

public class JsonTextTests
{
    // The column serializer's own options: letters stay as they are (the custom-field sorts read the stored text).
    private static readonly JsonSerializerOptions Web = Rollouter.Import.Data.Configurations.JsonColumns.Options;

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
        var changes = new List<FieldChange>
        {
            new("Status", null, "Done"), new("Notes", "a\r\nb \"c\"", "Grüße <x>"),
            new("Tags", "a; b; c", "q", ["a; b", "c"]), new("Software", "x; y", null, []),
            new("Location", "Berlin", "Bonn", FieldId: 7), new("Tags", "a; b", null, ["a", "b"], 12),
            new("Status", "New", "Done", OldId: 3), new("Software", "x; y", "z", ["x", "y"], 4, OldOptionIds: [11, 12]),
        };
        var json = new Importing.Writing.JsonText();

        Assert.Equal(JsonSerializer.Serialize(changes, Web), json.Changes(changes));
        Assert.Equal("[]", json.Changes([]));
    }
}
