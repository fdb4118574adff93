using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rollouter.Import.Data.ClientLists;

/// <summary>
/// A position in a sorted client list: the sort key of a client (the name key, the status or user id, the description's
/// or a custom field's sort text; null where the client has none) and its id. Written into URLs as an opaque text
/// (<see cref="Encode"/>) that also names its sort, so that a cursor of one sort is never read as another's.
/// <see cref="Place"/> is where the key stood when the page was read, for the sorts whose order is not the key's own
/// (decision 0108): the user's display name for the user sorts (the walk goes on after that name, not the user's
/// current one), the fingerprint of the workflow's status order for the status sort (<see cref="StatusOrderPlace"/>: a
/// reordered workflow refuses the cursor). Cursors written before it have none and walk as they did.
/// </summary>
public sealed record ClientCursor(string? Key, int Id, string? Place = null)
{
    public string Encode(ClientSort sort)
    {
        ArgumentNullException.ThrowIfNull(sort);
        var json = JsonSerializer.SerializeToUtf8Bytes(Place is null ? new object?[] { sort.Key, Key, Id } : new object?[] { sort.Key, Key, Id, Place });
        return Base64Url.EncodeToString(json);
    }

    /// <summary>
    /// The status sort's <see cref="Place"/>: a fingerprint of the workflow's status ids in order (the first 12
    /// characters of their SHA-256 in base64url), which changes when a status is moved, added or removed.
    /// </summary>
    public static string StatusOrderPlace(IEnumerable<int> statusOrder)
    {
        ArgumentNullException.ThrowIfNull(statusOrder);
        var text = string.Join(",", statusOrder.Select(id => id.ToString(CultureInfo.InvariantCulture)));
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
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
            if (parts is not [{ ValueKind: JsonValueKind.String } name, { ValueKind: JsonValueKind.String or JsonValueKind.Null } key,
                    { ValueKind: JsonValueKind.Number } id, .. var rest]
                || rest is not ([] or [{ ValueKind: JsonValueKind.String }])
                || name.GetString() != sort.Key || !id.TryGetInt32(out var value))
            {
                return null;
            }

            var cursor = new ClientCursor(key.ValueKind == JsonValueKind.Null ? null : key.GetString(), value,
                rest is [var place] ? place.GetString() : null);
            return Fits(cursor.Key, sort) && FitsPlace(cursor, sort) ? cursor : null;
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

    /// <summary>
    /// Whether the cursor's <see cref="Place"/> is one its sort writes: a status order's fingerprint, a user's name (a
    /// text a column can hold, for a cursor that names a user), none for the other sorts (and the clients without a user).
    /// </summary>
    private static bool FitsPlace(ClientCursor cursor, ClientSort sort) => cursor.Place is not { } place || sort.Column switch
    {
        ClientSortColumn.Status => place.Length == 12 && place.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'),
        ClientSortColumn.Assignee or ClientSortColumn.ClientUser => cursor.Key is not null && IsStorable(place),
        _ => false,
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
