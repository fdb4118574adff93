using System.Buffers;

namespace Rollouter.Import.Importing.Reading.Csv;

/// <summary>What a CSV broke of the bounds <see cref="CsvBoundsStream"/> holds it to.</summary>
internal enum CsvBound
{
    /// <summary>A cell longer than <see cref="ReaderLimits.MaxCsvCellBytes"/>.</summary>
    Cell,

    /// <summary>A record longer than <see cref="ReaderLimits.MaxCsvRecordBytes"/>.</summary>
    Record,

    /// <summary>A record of more than <see cref="ReaderLimits.MaxCsvRecordColumns"/> columns.</summary>
    Columns,
}

/// <summary>
/// Thrown by <see cref="CsvBoundsStream"/> while CsvHelper reads: <see cref="Record"/> is the record's number in the
/// file (1-based, Excel's <c>sep=</c> line counted), <see cref="Column"/> the cell's (0-based), <see cref="Quoted"/>
/// whether the cell opened with a quote.
/// </summary>
internal sealed class CsvBoundException(CsvBound bound, long record, int column, bool quoted, bool separatorLine)
    : Exception($"CSV record {record} broke its {bound} bound at column {column}.")
{
    /// <summary>Whether the file's first line is Excel's <c>sep=</c> line, which is not a row.</summary>
    public bool SeparatorLine { get; } = separatorLine;

    public CsvBound Bound { get; } = bound;

    public long Record { get; } = record;

    public int Column { get; } = column;

    public bool Quoted { get; } = quoted;
}

/// <summary>
/// A CSV file's bytes as CsvHelper reads them, looked at on the way through: a cell, a record or a record's columns
/// past their bounds stop the read at once (<see cref="CsvBoundException"/>), before CsvHelper has buffered the record or
/// found its fields. CsvHelper has no bound on a field's length or a record's field count, and holds a whole record
/// (up to its <c>MaxRecordSize</c>, growing its buffer to twice that) and a position for each of its fields: a 60 MB
/// cell cost 775 MB, a record of 31 million columns 920 MB (decision 0169's "Not done").
/// <para>
/// It follows RFC 4180 as the reader does: a quote at the start of a cell opens a quoted value, in which the delimiter
/// and line breaks are text and two quotes are one; a quote elsewhere is text. CR, LF and CR LF end a record outside
/// quotes. Lengths are counted in the file's bytes, so a bound in bytes holds for every encoding; UTF-16 is read two
/// bytes a unit (<paramref name="unitBytes"/> 2), the others byte by byte (their delimiters, quotes and line breaks
/// are single ASCII bytes, never part of a longer character).
/// </para>
/// </summary>
internal sealed class CsvBoundsStream(Stream inner, char delimiter, int unitBytes, bool bigEndian, ReaderLimits limits) : Stream
{
    private readonly SearchValues<byte> special = SearchValues.Create([(byte)delimiter, (byte)'"', (byte)'\r', (byte)'\n']);
    private readonly long maxCell = limits.MaxCsvCellBytes;
    private readonly long maxRecord = limits.MaxCsvRecordBytes;
    private readonly int maxColumns = limits.MaxCsvRecordColumns;

    private long record = 1;
    private int column;
    private long cellBytes;
    private long recordBytes;
    private bool inQuotes;
    private bool quotePending;
    private bool cellQuoted;
    private bool atCellStart = true;
    private bool afterCr;
    private int oddByte = -1;
    private readonly byte[] head = new byte[6];
    private int headLength;
    private bool headDecided;
    private bool separatorLine;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Look(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Look(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Look(ReadOnlySpan<byte> bytes)
    {
        if (!headDecided && unitBytes == 1)
        {
            Head(bytes);
        }

        if (unitBytes == 2)
        {
            LookUtf16(bytes);
            return;
        }

        var i = 0;
        while (i < bytes.Length)
        {
            if (!quotePending && !afterCr)
            {
                // Text up to the next delimiter, quote or line break (a quoted value's delimiters and line breaks stop
                // here too, and are counted as its text below).
                var next = bytes[i..].IndexOfAny(special);
                var run = next < 0 ? bytes.Length - i : next;
                if (run > 0)
                {
                    Text(run);
                    i += run;
                    continue;
                }
            }

            Unit(bytes[i], 1);
            i++;
        }
    }

    private void LookUtf16(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (oddByte < 0)
            {
                oddByte = b;
                continue;
            }

            var unit = bigEndian ? (oddByte << 8) | b : oddByte | (b << 8);
            oddByte = -1;
            if (unit is '"' or '\r' or '\n' || unit == delimiter)
            {
                Unit(unit, 2);
            }
            else
            {
                if (quotePending || afterCr)
                {
                    Unit(unit, 2);
                }
                else
                {
                    Text(2);
                }
            }
        }
    }

    /// <summary>
    /// Whether the first line is Excel's <c>sep=;</c> (as <see cref="CsvSource"/> skips it): the rows a refusal names
    /// are then counted below it, also when the bound breaks before the reader has handed over the first line.
    /// </summary>
    private void Head(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                headDecided = true;
                separatorLine = headLength == 5 && head.AsSpan(0, 4).SequenceEqual("sep="u8) && CsvSource.Delimiters.Contains((char)head[4]);
                return;
            }

            if (headLength == head.Length)
            {
                headDecided = true;
                return;
            }

            head[headLength++] = b;
        }
    }

    /// <summary>One delimiter, quote, line break, or (after a quote or a CR) any unit, of <paramref name="size"/> bytes.</summary>
    private void Unit(int unit, int size)
    {
        if (afterCr)
        {
            afterCr = false;
            if (unit == '\n')
            {
                return;
            }
        }

        if (quotePending)
        {
            quotePending = false;
            if (unit == '"')
            {
                // Two quotes in a quoted value are one.
                Text(size);
                return;
            }

            // The quote closed the value; what follows is read as outside quotes (text after the closing quote is
            // kept by the reader's recovery, as Excel does).
            inQuotes = false;
        }

        if (inQuotes)
        {
            if (unit == '"')
            {
                quotePending = true;
                Count(size);
            }
            else
            {
                Text(size);
            }

            return;
        }

        if (unit == delimiter)
        {
            Count(size);
            column++;
            cellBytes = 0;
            cellQuoted = false;
            atCellStart = true;
            if (column >= maxColumns)
            {
                throw new CsvBoundException(CsvBound.Columns, record, column, false, separatorLine);
            }

            return;
        }

        if (unit is '\r' or '\n')
        {
            afterCr = unit == '\r';
            record++;
            column = 0;
            cellBytes = 0;
            recordBytes = 0;
            cellQuoted = false;
            atCellStart = true;
            return;
        }

        if (unit == '"' && atCellStart)
        {
            inQuotes = true;
            cellQuoted = true;
            atCellStart = false;
            Count(size);
            return;
        }

        Text(size);
    }

    /// <summary><paramref name="size"/> bytes of a cell's text.</summary>
    private void Text(int size)
    {
        atCellStart = false;
        cellBytes += size;
        if (cellBytes > maxCell)
        {
            throw new CsvBoundException(CsvBound.Cell, record, column, cellQuoted, separatorLine);
        }

        Count(size);
    }

    private void Count(int size)
    {
        recordBytes += size;
        if (recordBytes > maxRecord)
        {
            throw new CsvBoundException(CsvBound.Record, record, column, inQuotes, separatorLine);
        }
    }
}
