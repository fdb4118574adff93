namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// A cell's text as a reader builds it: at most <paramref name="cap"/> characters are kept, the rest only counted, so
/// a cell of a gigabyte of text costs a few kilobytes and <see cref="Length"/> still says how long it was (for the row
/// error "cell A2 holds … characters"). The .xlsx and .ods readers each reuse one for every cell.
/// </summary>
internal sealed class CappedText(int cap)
{
    private char[] kept = new char[Math.Clamp(cap, 16, 256)];

    /// <summary>Characters kept (at most the cap).</summary>
    public int Count { get; private set; }

    /// <summary>Characters appended since <see cref="Clear"/>, all of them, also those beyond the cap.</summary>
    public long Length { get; private set; }

    /// <summary>Whether more characters are kept (the cap is not reached).</summary>
    public bool HasRoom => Count < cap;

    public void Clear()
    {
        Count = 0;
        Length = 0;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        Length += text.Length;
        var take = Math.Min(text.Length, cap - Count);
        if (take > 0)
        {
            Reserve(take);
            text[..take].CopyTo(kept.AsSpan(Count));
            Count += take;
        }
    }

    /// <summary>Appends <paramref name="c"/> <paramref name="repeat"/> times; only what fits below the cap is written.</summary>
    public void Append(char c, long repeat)
    {
        if (repeat <= 0)
        {
            return;
        }

        Length = Length > long.MaxValue - repeat ? long.MaxValue : Length + repeat;
        var take = (int)Math.Min(repeat, cap - Count);
        if (take > 0)
        {
            Reserve(take);
            kept.AsSpan(Count, take).Fill(c);
            Count += take;
        }
    }

    /// <summary>
    /// The free room below the cap (at least one character while <see cref="HasRoom"/>), for a reader to read into in
    /// place; <see cref="Commit"/> then keeps what it wrote there.
    /// </summary>
    public (char[] Buffer, int Offset, int Size) Room()
    {
        Reserve(1);
        return (kept, Count, Math.Min(kept.Length, cap) - Count);
    }

    /// <summary>Keeps <paramref name="read"/> characters written into <see cref="Room"/>.</summary>
    public void Commit(int read)
    {
        Count += read;
        Length += read;
    }

    public override string ToString() => Count == 0 ? "" : new string(kept, 0, Count);

    /// <summary>Makes room for <paramref name="more"/> characters (never beyond the cap).</summary>
    private void Reserve(int more)
    {
        if (Count + more > kept.Length && kept.Length < cap)
        {
            Array.Resize(ref kept, (int)Math.Min(Math.Max(kept.Length * 2L, Count + more), cap));
        }
    }
}
