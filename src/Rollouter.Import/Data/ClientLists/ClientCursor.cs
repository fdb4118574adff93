using System.Buffers.Text;
using System.Text.Json;

namespace Rollouter.Import.Data.ClientLists;

/// <summary>
/// A position in a sorted client list: the sort key of a client (the name key, the status or user id, the description's
/// or a custom field's sort text; null where the client has none) and its id. Written into URLs as an opaque text
/// (<see cref="Encode"/>) that also names its sort, so that a cursor of one sort is never read as another's.
/// </summary>
public sealed record ClientCursor(string? Key, int Id)
{
    public string Encode(ClientSort sort)
    {
        ArgumentNullException.ThrowIfNull(sort);
        var json = JsonSerializer.SerializeToUtf8Bytes(new object?[] { sort.Key, Key, Id });
        return Base64Url.EncodeToString(json);
    }

    /// <summary>The cursor, or null when <paramref name="text"/> is not one of <paramref name="sort"/>'s.</summary>
    public static ClientCursor? Decode(string? text, ClientSort sort)
    {
        ArgumentNullException.ThrowIfNull(sort);
        if (string.IsNullOrEmpty(text) || text.Length > 4096)
        {
            return null;
        }

        try
        {
            var parts = JsonSerializer.Deserialize<JsonElement[]>(Base64Url.DecodeFromChars(text));
            return parts is [{ ValueKind: JsonValueKind.String } name, { ValueKind: JsonValueKind.String or JsonValueKind.Null } key,
                             { ValueKind: JsonValueKind.Number } id]
                   && name.GetString() == sort.Key && id.TryGetInt32(out var value)
                ? new ClientCursor(key.ValueKind == JsonValueKind.Null ? null : key.GetString(), value)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public override string ToString() => $"({Key ?? "null"}, {Id})";
}
