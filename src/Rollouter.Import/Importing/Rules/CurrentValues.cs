using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// What the inventory's clients hold now in the columns an update maps, for the dry run to tell a matched row that
/// would change its client from one whose client already has the file's values (decision 0091), compared as the writer
/// compares (<c>ClientWriter.HistoryLabels.Apply</c>): the status by id, the users by id (<see cref="ExistingClient"/>),
/// description and flag as text (empty as none), a custom field's values as a set, texts without the white space around
/// them (<see cref="ClientValues"/>, decision 0164). The texts are kept as a 64-bit
/// hash each, not as text: 8 bytes a mapped column and client instead of the values' characters (decision 0026's
/// 210 MB for a million clients). Filled from the query of the rollout's clients the check makes anyway.
/// </summary>
internal sealed class CurrentValues
{
    private readonly Dictionary<int, int> _slots;
    private readonly FieldPlan[] _fields;
    private readonly bool _description;
    private readonly bool _flag;
    private readonly int _width;
    private int[] _statuses;
    private ulong[] _hashes;
    private readonly XxHash3 _hash = new();

    /// <param name="fields">The custom fields the file maps.</param>
    public CurrentValues(int expectedCount, FieldPlan[] fields, bool description, bool flag)
    {
        _fields = fields;
        _description = description;
        _flag = flag;
        _width = 2 + fields.Length;
        var capacity = Math.Max(expectedCount, 16);
        _slots = new Dictionary<int, int>(capacity);
        _statuses = new int[capacity];
        _hashes = new ulong[capacity * _width];
    }

    public int Count => _slots.Count;

    /// <summary>Keeps one client of the inventory as it is now.</summary>
    public void Add(int clientId, int statusId, string? description, string? flag, Dictionary<int, string[]> values)
    {
        var slot = _slots.Count;
        if (!_slots.TryAdd(clientId, slot))
        {
            return;
        }

        if (slot == _statuses.Length)
        {
            Array.Resize(ref _statuses, slot * 2);
            Array.Resize(ref _hashes, slot * 2 * _width);
        }

        _statuses[slot] = statusId;
        var at = slot * _width;
        _hashes[at] = _description ? Hash(description) : 0;
        _hashes[at + 1] = _flag ? Hash(flag) : 0;
        for (var i = 0; i < _fields.Length; i++)
        {
            _hashes[at + 2 + i] = values.TryGetValue(_fields[i].Field.Id, out var value) ? Hash(value) : 0;
        }
    }

    /// <summary>
    /// Whether the update row in <paramref name="buffer"/> would change its client: a value it sets (not null) differs
    /// from the client's. A client not kept (none: the loader keeps every client of the inventory) counts as changed.
    /// </summary>
    public bool Changes(RowBuffer buffer)
    {
        if (buffer.Existing is not { } client || !_slots.TryGetValue(client.Id, out var slot))
        {
            return true;
        }

        if (buffer.StatusId is { } status && status != _statuses[slot]
            || buffer.AssigneeId is { } assignee && assignee != client.AssigneeId
            || buffer.ClientUserId is { } clientUser && clientUser != client.ClientUserId)
        {
            return true;
        }

        var at = slot * _width;
        if (buffer.Description is { Length: > 0 } description && Hash(description) != _hashes[at]
            || buffer.Flag is { Length: > 0 } flag && Hash(flag) != _hashes[at + 1])
        {
            return true;
        }

        var values = buffer.Values;
        for (var i = 0; i < _fields.Length; i++)
        {
            if (values[_fields[i].Index] is { } value && Hash(value) != _hashes[at + 2 + i])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the update row's client already holds <paramref name="value"/> in <paramref name="field"/>, as the writer
    /// compares (<see cref="ClientValues.Same"/>): such a cell is no change (decision 0165).
    /// </summary>
    public bool Holds(RowBuffer buffer, FieldPlan field, string[] value)
    {
        if (buffer.Existing is not { } client || !_slots.TryGetValue(client.Id, out var slot))
        {
            return false;
        }

        var i = Array.IndexOf(_fields, field);
        return i >= 0 && Hash(value) == _hashes[slot * _width + 2 + i];
    }

    /// <summary>
    /// A text's hash without the white space around it and with every line break as LF, as the writer compares (<see cref="ClientValues.SameText"/>);
    /// 0 for none or empty (the writer takes an empty text as none), never 0 otherwise.
    /// </summary>
    private static ulong Hash(string? text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Contains('\r'))
        {
            trimmed = ClientValues.Key(trimmed.ToString());
        }

        return trimmed.IsEmpty ? 0 : NonZero(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(trimmed)));
    }

    /// <summary>
    /// A value's hash as the writer compares it (<see cref="ClientValues.Same"/>): its parts trimmed, as a set (in
    /// ordinal order, each once); 0 for none (an empty value is no value).
    /// </summary>
    private ulong Hash(string[] value)
    {
        value = ClientValues.Normalized(value);
        if (value.Length == 0)
        {
            return 0;
        }

        _hash.Reset();
        Span<byte> length = stackalloc byte[sizeof(int)];
        foreach (var part in value)
        {
            // Each part's length first, so that ["a;b"] and ["a", ";b"] differ.
            BitConverter.TryWriteBytes(length, part.Length);
            _hash.Append(length);
            _hash.Append(MemoryMarshal.AsBytes(part.AsSpan()));
        }

        return NonZero(_hash.GetCurrentHashAsUInt64());
    }

    private static ulong NonZero(ulong hash) => hash == 0 ? 1 : hash;
}
