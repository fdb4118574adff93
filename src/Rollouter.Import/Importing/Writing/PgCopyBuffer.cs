using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// Rows in PostgreSQL's binary COPY format, built in one reused buffer and handed to a raw COPY stream when it fills:
/// no per-value async call, parameter or type resolution as with <c>NpgsqlBinaryImporter</c>, and JSON written as
/// UTF-8 straight into the buffer, never as a string. Values are encoded as Npgsql would (big-endian integers,
/// strict UTF-8 text, timestamptz as microseconds since 2000-01-01 UTC).
/// </summary>
internal sealed class PgCopyBuffer : IBufferWriter<byte>
{
    private const int FlushAt = 256 * 1024;

    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // One array per write, reused by every COPY of it (a large array per batch would bring full garbage collections):
    // a quarter megabyte per send means few system calls and server wake-ups.
    private byte[] _data = new byte[FlushAt + 8 * 1024];
    private Stream _stream = Stream.Null;
    private int _count;

    /// <summary>Starts the rows of one COPY into <paramref name="stream"/>.</summary>
    public PgCopyBuffer Start(Stream stream)
    {
        _stream = stream;
        Header.CopyTo(_data, 0);
        _count = Header.Length;
        return this;
    }

    public void StartRow(short columns)
    {
        if (_count >= FlushAt)
        {
            Flush();
        }

        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), columns);
        _count += 2;
    }

    public void WriteNull()
    {
        BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1);
        _count += 4;
    }

    public void WriteInt32(int value)
    {
        var span = Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], value);
        _count += 8;
    }

    public void WriteInt32(int? value)
    {
        if (value is { } v)
        {
            WriteInt32(v);
        }
        else
        {
            WriteNull();
        }
    }

    public void WriteTimestampTz(DateTimeOffset value)
    {
        var span = Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], (value.UtcTicks - PostgresEpochTicks) / 10);
        _count += 12;
    }

    public void WriteText(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }

        var span = Reserve(4 + Utf8.GetMaxByteCount(value.Length));
        var length = Utf8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        _count += 4 + length;
    }

    /// <summary>The name's <see cref="Client.KeyOf(string)"/>, without making it a string.</summary>
    public void WriteNameKey(string name)
    {
        Span<char> key = name.Length <= 512 ? stackalloc char[name.Length] : new char[name.Length];
        var span = Reserve(4 + Utf8.GetMaxByteCount(name.Length));
        var length = Utf8.GetBytes(key[..Client.KeyOf(name, key)], span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        _count += 4 + length;
    }

    /// <summary>A value whose bytes a writer appends to this buffer (e.g. a <see cref="System.Text.Json.Utf8JsonWriter"/>): returns the length's position.</summary>
    public int BeginValue()
    {
        Reserve(4);
        var at = _count;
        _count += 4;
        return at;
    }

    public void EndValue(int at) => BinaryPrimitives.WriteInt32BigEndian(_data.AsSpan(at), _count - at - 4);

    public void Complete()
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), -1);
        _count += 2;
        Flush();
    }

    private void Flush()
    {
        _stream.Write(_data, 0, _count);
        _count = 0;
    }

    /// <summary>Forgets the rows not yet sent (the COPY failed or was cancelled).</summary>
    public void Clear()
    {
        _count = 0;
        _stream = Stream.Null;
    }

    private Span<byte> Reserve(int size)
    {
        if (_data.Length - _count < size)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _count + size));
        }

        return _data.AsSpan(_count);
    }

    void IBufferWriter<byte>.Advance(int count) => _count += count;

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        Reserve(Math.Max(sizeHint, 256));
        return _data.AsMemory(_count);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => Reserve(Math.Max(sizeHint, 256));
}
