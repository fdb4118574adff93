using System.Buffers.Text;
using System.Globalization;
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

    /// <summary>
    /// The cursor, or null when <paramref name="text"/> is not one of <paramref name="sort"/>'s: not this encoding, of
    /// another sort, or with a key no client of this sort has (<see cref="Fits"/>), e.g. a made-up
    /// <c>["status","x",2]</c>, which the status walk would otherwise take for "from the start"; or a key no stored text
    /// can hold (a hand-made <c>"\ud800"</c> or <c>"\u0000"</c>: decisions 0040 and 0044 keep both out of every client's
    /// values), which the JSON reader or PostgreSQL would otherwise refuse with an exception.
    /// </summary>
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
                   && new ClientCursor(key.ValueKind == JsonValueKind.Null ? null : key.GetString(), value) is var cursor
                   && Fits(cursor.Key, sort)
                ? cursor
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="key"/> is a sort key a client of <paramref name="sort"/> can have, as the pages write it:
    /// a status id (every client has a status), a user id or null (a client without one), a name's key (every client
    /// has a name); any text or null for the description and custom fields.
    /// </summary>
    private static bool Fits(string? key, ClientSort sort) => (key is null || IsStorable(key)) && sort.Column switch
    {
        ClientSortColumn.Status => IsId(key),
        ClientSortColumn.Assignee or ClientSortColumn.ClientUser => key is null || IsId(key),
        ClientSortColumn.Name => key is not null,
        _ => true,
    };

    /// <summary>Whether <paramref name="key"/> is well-formed UTF-16 without U+0000: a text a database column can hold.</summary>
    private static bool IsStorable(string key)
    {
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= key.Length || !char.IsLowSurrogate(key[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }

    /// <summary>An id as the pages write it (<c>ClientListSql.Number</c>): digits, without sign, spaces or leading zeros.</summary>
    private static bool IsId(string? key) =>
        int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
        && string.Equals(id.ToString(CultureInfo.InvariantCulture), key, StringComparison.Ordinal);

    public override string ToString() => $"({Key ?? "null"}, {Id})";
}
