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
    private readonly CappedText kept = new(cap);

    /// <summary>Characters of the text so far, all of them, also those beyond the cap.</summary>
    public long Length => kept.Length;

    public void Clear() => kept.Clear();

    /// <summary>Appends <paramref name="c"/> <paramref name="repeat"/> times; only what fits below the cap is written.</summary>
    public void Append(char c, long repeat = 1) => kept.Append(c, repeat);

    /// <summary>Appends the current text node's value, chunk by chunk: the whole of a long text is never built.</summary>
    public void AppendValue(XmlReader xml)
    {
        if (!xml.CanReadValueChunk)
        {
            kept.Append(xml.Value);
            return;
        }

        while (true)
        {
            if (kept.HasRoom)
            {
                var (buffer, at, size) = kept.Room();
                var read = xml.ReadValueChunk(buffer, at, size);
                if (read == 0)
                {
                    return;
                }

                kept.Commit(read);
            }
            else
            {
                var read = xml.ReadValueChunk(chunk, 0, chunk.Length);
                if (read == 0)
                {
                    return;
                }

                kept.Append(chunk.AsSpan(0, read));
            }
        }
    }

    public override string ToString() => kept.ToString();
}
