namespace Rollouter.Import.Importing.Reading.Csv;

/// <summary>
/// A UTF-8 file's bytes with every encoded surrogate (ED A0–BF 80–BF: half a surrogate pair written as if it were a
/// character, as Java's modified UTF-8, CESU-8 and Python's surrogatepass do) replaced by U+FFFD's bytes (EF BF BD), so
/// the file decodes as UTF-8 with U+FFFD there (decision 0044). Both are three bytes: offsets and lines stay the same.
/// No valid UTF-8 holds ED followed by A0–BF, so nothing else changes; other bytes UTF-8 cannot decode stay as they are.
/// </summary>
internal sealed class EncodedSurrogatesReplaced(Stream inner) : Stream
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _ready;
    private int _end;
    private bool _eof;

    public static Func<Stream> Wrap(Func<Stream> openStream) => () => new EncodedSurrogatesReplaced(openStream());

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position - (_end - _start);
        set
        {
            inner.Position = value;
            _start = _ready = _end = 0;
            _eof = false;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // Every read of the CSV reader comes here: the base class would rent and copy a buffer for each.
    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        while (_ready == _start && !(_eof && _start == _end))
        {
            Fill();
        }

        var n = Math.Min(buffer.Length, _ready - _start);
        _buffer.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        return n;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _ready -= _start;
            _start = 0;
        }

        var read = inner.Read(_buffer, _end, _buffer.Length - _end);
        _eof = read == 0;
        _end += read;

        // The last two bytes may begin a sequence whose rest is not read yet: they wait for the next read, or the end.
        var limit = _eof ? _end : _end - 2;
        var i = _ready;
        while (i < limit)
        {
            // A vectorised search for the lead byte: almost every file holds none (a million rows cost nothing here).
            var found = _buffer.AsSpan(i, limit - i).IndexOf((byte)0xED);
            if (found < 0)
            {
                i = limit;
                break;
            }

            i += found;
            if (i + 2 < _end && _buffer[i + 1] is >= 0xA0 and <= 0xBF && (_buffer[i + 2] & 0xC0) == 0x80)
            {
                _buffer[i] = 0xEF;
                _buffer[i + 1] = 0xBF;
                _buffer[i + 2] = 0xBD;
                i += 3;
            }
            else
            {
                i++;
            }
        }

        _ready = Math.Max(_ready, Math.Min(i, _end));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };
        return Position;
    }

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
}
