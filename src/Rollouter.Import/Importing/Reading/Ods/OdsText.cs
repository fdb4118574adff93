using System.Xml;

namespace Rollouter.Import.Importing.Reading.Ods;

/// <summary>
/// The text of an .ods cell as it is built from its paragraphs, keeping at most <paramref name="cap"/> characters and
/// counting the rest: text nodes are read in chunks (<see cref="XmlReader.ReadValueChunk"/>) and repeated spaces
/// (<c>text:s text:c="N"</c>) are only counted beyond the cap, so a cell of a gigabyte of text, or one asking for two
/// billion spaces, costs a few kilobytes, and <see cref="Length"/> still says how long it was (for the row error
/// "cell A2 holds … characters"). One instance is reused for every cell of a reader.
/// </summary>
internal sealed class OdsText(int cap)
{
    private readonly char[] chunk = new char[8192];
    private char[] kept = new char[Math.Clamp(cap, 16, 256)];
    private int count;

    /// <summary>Characters of the text so far, all of them, also those beyond the cap.</summary>
    public long Length { get; private set; }

    public void Clear()
    {
        count = 0;
        Length = 0;
    }

    /// <summary>Appends <paramref name="c"/> <paramref name="repeat"/> times; only what fits below the cap is written.</summary>
    public void Append(char c, long repeat = 1)
    {
        if (repeat <= 0)
        {
            return;
        }

        Length = Length > long.MaxValue - repeat ? long.MaxValue : Length + repeat;
        var take = (int)Math.Min(repeat, cap - count);
        if (take <= 0)
        {
            return;
        }

        Reserve(take);
        kept.AsSpan(count, take).Fill(c);
        count += take;
    }

    /// <summary>Appends the current text node's value, chunk by chunk: the whole of a long text is never built.</summary>
    public void AppendValue(XmlReader xml)
    {
        if (!xml.CanReadValueChunk)
        {
            Append(xml.Value);
            return;
        }

        while (true)
        {
            int read;
            if (count < cap)
            {
                if (count == kept.Length)
                {
                    Reserve(1);
                }

                read = xml.ReadValueChunk(kept, count, kept.Length - count);
                count += read;
            }
            else
            {
                read = xml.ReadValueChunk(chunk, 0, chunk.Length);
            }

            if (read == 0)
            {
                return;
            }

            Length += read;
        }
    }

    public override string ToString() => count == 0 ? "" : new string(kept, 0, count);

    private void Append(ReadOnlySpan<char> text)
    {
        Length += text.Length;
        var take = Math.Min(text.Length, cap - count);
        if (take <= 0)
        {
            return;
        }

        Reserve(take);
        text[..take].CopyTo(kept.AsSpan(count));
        count += take;
    }

    /// <summary>Makes room for <paramref name="more"/> characters (the caller never asks beyond the cap).</summary>
    private void Reserve(int more)
    {
        if (count + more > kept.Length)
        {
            Array.Resize(ref kept, (int)Math.Min(Math.Max(kept.Length * 2L, count + more), cap));
        }
    }
}
