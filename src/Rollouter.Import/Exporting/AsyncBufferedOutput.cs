namespace Rollouter.Import.Exporting;

/// <summary>
/// A write-only stream in front of one that must be written asynchronously (an HTTP response refuses synchronous
/// writes). <see cref="ZipArchive"/> writes an entry's trailer and the central directory synchronously, even when
/// disposed asynchronously: those few bytes, like everything else, collect in a buffer that is passed on
/// asynchronously whenever it grows past <see cref="FlushThreshold"/> and at <see cref="DrainAsync"/>.
/// </summary>
internal sealed class AsyncBufferedOutput(Stream inner) : Stream
{
    public const int FlushThreshold = 64 * 1024;

    private readonly MemoryStream _buffer = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => _buffer.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _buffer.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _buffer.Write(buffer.Span);
        if (_buffer.Length >= FlushThreshold)
        {
            await DrainAsync(cancellationToken);
        }
    }

    /// <summary>Passes everything buffered on to the inner stream.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Length > 0)
        {
            await inner.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken);
            _buffer.SetLength(0);
        }

        await inner.FlushAsync(cancellationToken);
    }

    // Synchronous flushes (the zip's) keep the bytes for the next asynchronous drain.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
