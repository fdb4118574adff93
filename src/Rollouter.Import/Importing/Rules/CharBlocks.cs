namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// The characters of many short strings packed into large shared blocks: a million names are a few dozen arrays for
/// the garbage collector instead of a million strings, and each costs its characters and no object header.
/// </summary>
internal sealed class CharBlocks
{
    private const int BlockSize = 1 << 20;

    private readonly List<char[]> _blocks = [];
    private int _used = BlockSize;

    /// <summary>Keeps <paramref name="chars"/> (at most 65,535) and says where: pass both to <see cref="Get"/>.</summary>
    public (ushort Block, int Offset) Append(ReadOnlySpan<char> chars)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chars.Length, ushort.MaxValue);
        if (_blocks.Count == 0 || BlockSize - _used < chars.Length)
        {
            if (_blocks.Count > ushort.MaxValue)
            {
                throw new InvalidOperationException("Too many characters for one index.");
            }

            _blocks.Add(new char[BlockSize]);
            _used = 0;
        }

        var offset = _used;
        chars.CopyTo(_blocks[^1].AsSpan(offset));
        _used += chars.Length;
        return ((ushort)(_blocks.Count - 1), offset);
    }

    public ReadOnlySpan<char> Get(ushort block, int offset, int length) => _blocks[block].AsSpan(offset, length);
}
