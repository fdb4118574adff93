using System.Globalization;
using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// Reads the text of a cell (a value, an inline string or a shared string item) in chunks, keeping at most
/// <paramref name="cap"/> characters and counting the rest: a cell of a gigabyte of text costs a few kilobytes, and
/// <see cref="Length"/> still says how long it was (for the row error "cell A2 holds … characters"). One instance is
/// reused for every cell of a reader.
/// </summary>
/// <remarks>
/// Text is decoded from its OOXML escapes (ECMA-376 Part 1, 22.9.2.19 ST_Xstring) as it streams: <c>_xHHHH_</c> is
/// the UTF-16 code unit HHHH. Excel writes a carriage return in a cell as <c>_x000D_</c> (so "\r\n" arrives as
/// <c>_x000D_</c> and a line feed), XlsxWriter and others write control characters so, and a literal "_x" that could
/// be taken for an escape is written <c>_x005F_x</c>. An escape may span chunks and the runs of rich text; the
/// leftmost candidate wins, as when the whole text is searched for "_x" from the start.
/// </remarks>
internal sealed class XlsxText(int cap)
{
    private readonly char[] chunk = new char[8192];
    private readonly char[] pending = new char[7];
    private readonly CappedText kept = new(cap);
    private int pendingCount;
    private bool decode;

    /// <summary>Characters of the text last read, all of them (decoded), also those beyond the cap.</summary>
    public int Length { get; private set; }

    /// <summary>The text of a simple element (&lt;v&gt;, &lt;t&gt;), leaving the reader after its end tag.</summary>
    public string ReadElement(XmlReader xml, bool unescape)
    {
        Begin(unescape);
        AppendElement(xml);
        return Finish();
    }

    /// <summary>The text of a shared string item or inline string (plain or rich text; phonetic runs left out),
    /// unescaped, leaving the reader after its end tag.</summary>
    public string ReadStringItem(XmlReader xml)
    {
        Begin(unescape: true);
        if (xml.IsEmptyElement)
        {
            xml.Read();
            return Finish();
        }

        var depth = xml.Depth;
        xml.Read();
        while (xml.Depth > depth)
        {
            if (xml.NodeType == XmlNodeType.Element)
            {
                if (xml.LocalName == "t")
                {
                    AppendElement(xml);
                    continue;
                }

                if (xml.LocalName == "rPh")
                {
                    xml.Skip();
                    continue;
                }
            }

            if (!xml.Read())
            {
                throw new XmlException("The text of a cell is cut off.");
            }
        }

        xml.Read();
        return Finish();
    }

    private void Begin(bool unescape)
    {
        decode = unescape;
        kept.Clear();
        pendingCount = 0;
    }

    private string Finish()
    {
        // An escape begun but not finished is text as it stands.
        if (pendingCount > 0)
        {
            var rest = pendingCount;
            pendingCount = 0;
            Emit(pending.AsSpan(0, rest));
        }

        Length = (int)Math.Min(kept.Length, int.MaxValue);
        return kept.ToString();
    }

    /// <summary>Appends the text of the element the reader is on and leaves the reader after its end tag; an element
    /// inside it (there should be none) is passed over.</summary>
    private void AppendElement(XmlReader xml)
    {
        if (xml.IsEmptyElement)
        {
            xml.Read();
            return;
        }

        var depth = xml.Depth;
        xml.Read();
        while (xml.Depth > depth)
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace or XmlNodeType.CDATA:
                    AppendValue(xml);
                    break;
                case XmlNodeType.Element:
                    xml.Skip();
                    continue;
            }

            if (!xml.Read())
            {
                throw new XmlException("The worksheet ends inside a value.");
            }
        }

        xml.Read();
    }

    /// <summary>The current text node's value, chunk by chunk: the reader never builds the whole of a long text.
    /// While there is room below the cap, chunks are read straight into the kept text (and decoded in place, as
    /// decoding only shortens); beyond it they are only counted.</summary>
    private void AppendValue(XmlReader xml)
    {
        if (!xml.CanReadValueChunk)
        {
            Feed(xml.Value);
            return;
        }

        while (true)
        {
            if (kept.HasRoom && pendingCount == 0)
            {
                var (buffer, at, size) = kept.Room();
                var read = xml.ReadValueChunk(buffer, at, size);
                if (read == 0)
                {
                    return;
                }

                var value = buffer.AsSpan(at, read);
                if (!decode || !value.Contains('_'))
                {
                    kept.Commit(read);
                }
                else
                {
                    // Emit writes at the kept text's end, never beyond what Feed has read: in place is safe.
                    Feed(value);
                }
            }
            else
            {
                var read = xml.ReadValueChunk(chunk, 0, chunk.Length);
                if (read == 0)
                {
                    return;
                }

                Feed(chunk.AsSpan(0, read));
            }
        }
    }

    private void Feed(ReadOnlySpan<char> text)
    {
        if (!decode)
        {
            Emit(text);
            return;
        }

        while (text.Length > 0)
        {
            if (pendingCount == 0)
            {
                var underscore = text.IndexOf('_');
                if (underscore < 0)
                {
                    Emit(text);
                    return;
                }

                Emit(text[..underscore]);
                pending[pendingCount++] = '_';
                text = text[(underscore + 1)..];
                continue;
            }

            var c = text[0];
            text = text[1..];
            pending[pendingCount++] = c;
            if (!IsEscapeStart(pending.AsSpan(0, pendingCount)))
            {
                // Not an escape from this underscore: it is text, and a later underscore held may begin one.
                var start = 1;
                Emit(pending.AsSpan(0, 1));
                while (true)
                {
                    var next = pending.AsSpan(start, pendingCount - start).IndexOf('_');
                    if (next < 0)
                    {
                        Emit(pending.AsSpan(start, pendingCount - start));
                        pendingCount = 0;
                        break;
                    }

                    Emit(pending.AsSpan(start, next));
                    start += next;
                    if (IsEscapeStart(pending.AsSpan(start, pendingCount - start)))
                    {
                        pending.AsSpan(start, pendingCount - start).CopyTo(pending);
                        pendingCount -= start;
                        break;
                    }

                    Emit(pending.AsSpan(start, 1));
                    start++;
                }
            }
            else if (pendingCount == 7)
            {
                pendingCount = 0;
                Span<char> decoded = [(char)ushort.Parse(pending.AsSpan(2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)];
                Emit(decoded);
            }
        }
    }

    /// <summary>Whether the text is the beginning (or the whole) of an escape <c>_xHHHH_</c>.</summary>
    private static bool IsEscapeStart(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var fits = i switch
            {
                0 => text[i] == '_',
                1 => text[i] == 'x',
                6 => text[i] == '_',
                _ => char.IsAsciiHexDigit(text[i]),
            };
            if (!fits)
            {
                return false;
            }
        }

        return true;
    }

    private void Emit(ReadOnlySpan<char> text) => kept.Append(text);
}
