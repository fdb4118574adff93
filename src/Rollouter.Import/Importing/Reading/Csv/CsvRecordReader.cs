namespace Rollouter.Import.Importing.Reading.Csv;

/// <summary>
/// RFC 4180 records from text: quoted fields may hold delimiters, doubled quotes and line breaks; a quote inside an
/// unquoted field is kept as is. Each field stores at most <c>maxCellLength</c> characters (its full length is still
/// reported), so a runaway quote cannot exhaust memory. Records are numbered from 1; blank lines count as records,
/// as a spreadsheet opening the file shows them.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, char delimiter, int maxCellLength)
{
    private readonly char[] buffer = new char[1 << 16];
    private char[] field = new char[256];
    private int pos;
    private int len;
    private int fieldLength;
    private int fieldTotal;
    private int number;

    private enum Terminator
    {
        Delimiter,
        NewLine,
        EndOfFile,
    }

    public bool Read(RawRow row)
    {
        if (pos >= len && !Fill())
        {
            return false;
        }

        number++;
        row.Reset(number, false);
        var column = 0;
        while (true)
        {
            var end = ReadField(out var text, out var length);
            row.Add(column, text, false, length);
            column++;
            if (end != Terminator.Delimiter)
            {
                return true;
            }
        }
    }

    private Terminator ReadField(out string text, out int length)
    {
        fieldLength = 0;
        fieldTotal = 0;
        var quoted = false;
        if (pos >= len && !Fill())
        {
            text = "";
            length = 0;
            return Terminator.EndOfFile;
        }

        if (buffer[pos] == '"')
        {
            quoted = true;
            pos++;
            while (true)
            {
                if (pos >= len && !Fill())
                {
                    throw new ImportFileException(FileProblemKind.Corrupt,
                        $"Row {number} opens a quoted value whose closing quote is missing, so the rest of the file would be one cell; check the quotes in row {number}.");
                }

                var span = buffer.AsSpan(pos, len - pos);
                var q = span.IndexOf('"');
                if (q < 0)
                {
                    Append(span);
                    pos = len;
                    continue;
                }

                Append(span[..q]);
                pos += q + 1;
                if (pos >= len && !Fill())
                {
                    (text, length) = Take();
                    return Terminator.EndOfFile;
                }

                if (buffer[pos] == '"')
                {
                    Append("\"");
                    pos++;
                    continue;
                }

                break;
            }
        }

        while (true)
        {
            var span = buffer.AsSpan(pos, len - pos);
            var i = span.IndexOfAny(delimiter, '\r', '\n');
            if (i < 0)
            {
                Append(span);
                pos = len;
                if (!Fill())
                {
                    (text, length) = Take();
                    return Terminator.EndOfFile;
                }

                continue;
            }

            if (!quoted && fieldTotal == 0)
            {
                text = i == 0 ? "" : i <= maxCellLength ? new string(span[..i]) : new string(span[..maxCellLength]);
                length = i;
            }
            else
            {
                Append(span[..i]);
                (text, length) = Take();
            }

            var c = span[i];
            pos += i + 1;
            if (c == delimiter)
            {
                return Terminator.Delimiter;
            }

            if (c == '\r' && (pos < len || Fill()) && buffer[pos] == '\n')
            {
                pos++;
            }

            return Terminator.NewLine;
        }
    }

    private bool Fill()
    {
        pos = 0;
        len = reader.Read(buffer, 0, buffer.Length);
        return len > 0;
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        fieldTotal += chars.Length;
        var room = maxCellLength - fieldLength;
        if (room <= 0 || chars.Length == 0)
        {
            return;
        }

        var take = Math.Min(room, chars.Length);
        if (fieldLength + take > field.Length)
        {
            Array.Resize(ref field, Math.Min(Math.Max(field.Length * 2, fieldLength + take), Math.Max(maxCellLength, 1)));
        }

        chars[..take].CopyTo(field.AsSpan(fieldLength));
        fieldLength += take;
    }

    private (string, int) Take() => (fieldLength == 0 ? "" : new string(field, 0, fieldLength), fieldTotal);
}
