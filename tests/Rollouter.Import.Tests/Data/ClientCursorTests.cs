using System.Buffers.Text;
using System.Text;
using Rollouter.Import.Data.ClientLists;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// Hand-made client-list cursors: a key with an escaped lone surrogate made the JSON reader throw (a 500 on the API and
/// the page, every provider), a key with U+0000 decoded and then failed on PostgreSQL (22021). No stored key holds
/// either (decisions 0040, 0044): neither is a cursor.
/// </summary>
public sealed class ClientCursorTests
{
    private static string Text(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""["name","\ud800",1]""", "name")]
    [InlineData("""["name","a\udfffb",1]""", "name")]
    [InlineData("""["name","\udc00\ud800",1]""", "name")]
    [InlineData("""["description","\ud800x",3]""", "description")]
    [InlineData("""["f7","x\ud800",3]""", "f7")]
    [InlineData("""["name","a\u0000b",1]""", "name")]
    [InlineData("""["description","\u0000",1]""", "description")]
    [InlineData("""["f7","\u0000",1]""", "f7")]
    public void AKeyNoClientCanHold_IsNotACursor(string json, string sort)
    {
        Assert.Null(ClientCursor.Decode(Text(json), ClientSort.Parse(sort, [7]) ?? ClientSort.Name));
    }

    [Theory]
    [InlineData("""["name","pc-\ud83d\ude00",1]""", "pc-\U0001F600")]
    [InlineData("""["description","Übergabe",1]""", "Übergabe")]
    public void AKeyWithSurrogatePairsOrAccents_StaysACursor(string json, string key)
    {
        var sort = ClientSort.Parse(json.Split('"')[1], []) ?? ClientSort.Name;
        Assert.Equal(new ClientCursor(key, 1), ClientCursor.Decode(Text(json), sort));
    }
}
