namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// The name keys seen so far in a file, each with the row it first appeared in. A million names cost about 50 MB
/// here rather than twice that as a dictionary of strings: the keys' characters are packed into large shared blocks
/// (<see cref="CharBlocks"/>) and the table holds only numbers, so the garbage collector sees a few dozen objects
/// instead of a million.
/// </summary>
internal sealed class NameIndex
{
    private const double MaxLoad = 0.7;

    private readonly CharBlocks _chars = new();
    private Slot[] _slots;
    private int _count;

    /// <param name="expectedCount">How many names will likely come: the table is made big enough once, since every
    /// growth leaves the old table on the large object heap until a full collection.</param>
    public NameIndex(int expectedCount = 0)
    {
        var capacity = 1 << 10;
        while (capacity * MaxLoad < Math.Min(expectedCount, 1 << 26))
        {
            capacity <<= 1;
        }

        _slots = new Slot[capacity];
    }

    public int Count => _count;

    /// <summary>Adds <paramref name="key"/> first seen in <paramref name="row"/> (a row number above zero), or gives the row it was first seen in.</summary>
    public bool TryAdd(ReadOnlySpan<char> key, int row, out int firstRow)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(row, 1);
        var hash = string.GetHashCode(key);
        var mask = _slots.Length - 1;
        var index = hash & mask;
        while (_slots[index].Row != 0)
        {
            ref var slot = ref _slots[index];
            if (slot.Hash == hash && slot.Length == key.Length &&
                _chars.Get(slot.Block, slot.Offset, slot.Length).SequenceEqual(key))
            {
                firstRow = slot.Row;
                return false;
            }

            index = (index + 1) & mask;
        }

        var (block, offset) = _chars.Append(key);
        _slots[index] = new Slot(hash, row, offset, block, (ushort)key.Length);
        if (++_count > _slots.Length * MaxLoad)
        {
            Grow();
        }

        firstRow = row;
        return true;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot.Row == 0)
            {
                continue;
            }

            var index = slot.Hash & mask;
            while (_slots[index].Row != 0)
            {
                index = (index + 1) & mask;
            }

            _slots[index] = slot;
        }
    }

    private readonly record struct Slot(int Hash, int Row, int Offset, ushort Block, ushort Length);
}
