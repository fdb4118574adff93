using System.IO.Hashing;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// A zip part as it is read, its CRC-32 computed on the way and compared with the one the zip's directory records as
/// soon as the part's last byte has passed (its recorded size read, or the end of the data). .NET's
/// <see cref="System.IO.Compression.ZipArchive"/> does not compare them: a byte changed in a stored part, or in a
/// deflated one that still inflates, reads as other text without a word. A part that does not match throws
/// <paramref name="damaged"/>'s exception, so the file is refused before anything read from it is written. A reader
/// that stops before the part's end (the rows of a sheet end before the part does) calls <see cref="ReadToEnd"/>.
/// </summary>
internal sealed class CheckedPartStream(Stream inner, uint expectedCrc, long expectedLength, Func<ImportFileException> damaged) : Stream
{
    private readonly Crc32 crc = new();
    private long total;
    private bool checkedAtLength;
    private bool ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => total; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Take(buffer[..read], askedFor: buffer.Length);
        return read;
    }

    /// <summary>Reads what is left of the part, only to compare its CRC-32; for a reader that has what it needs.</summary>
    public void ReadToEnd()
    {
        if (ended)
        {
            return;
        }

        var buffer = new byte[1 << 16];
        while (Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }

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

    private void Take(ReadOnlySpan<byte> bytes, int askedFor)
    {
        if (bytes.Length > 0)
        {
            if (checkedAtLength)
            {
                // More than the directory says the part holds: it is not what was written.
                throw damaged();
            }

            crc.Append(bytes);
            total += bytes.Length;
            if (total == expectedLength)
            {
                checkedAtLength = true;
                Compare();
            }
        }
        else if (askedFor > 0 && !ended)
        {
            ended = true;
            if (!checkedAtLength)
            {
                // Fewer bytes than the directory says (or a CRC over what there is that cannot match).
                Compare();
                if (total != expectedLength)
                {
                    throw damaged();
                }
            }
        }
    }

    private void Compare()
    {
        if (crc.GetCurrentHashAsUInt32() != expectedCrc)
        {
            throw damaged();
        }
    }
}
