using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// Zip packages (.xlsx, .xlsb, .ods) with one part changed after it was written, so that its bytes no longer have the
/// CRC-32 the zip records: as one damaged byte on a disk or in a transfer leaves them.
/// </summary>
public static class DamagedZip
{
    /// <summary>
    /// The package with <paramref name="part"/> stored (not deflated, as <c>zip -0</c> writes it) and the bytes of
    /// <paramref name="text"/> in it changed to <paramref name="changed"/> (as long) in place; its CRC stays the one of
    /// the text written.
    /// </summary>
    /// <param name="encoding">How the part writes its text: UTF-8 (XML), UTF-16 (.xlsb).</param>
    public static byte[] StoredPartChanged(byte[] package, string part, string text, string changed, Encoding? encoding = null)
    {
        encoding ??= Encoding.UTF8;
        Assert.Equal(encoding.GetByteCount(text), encoding.GetByteCount(changed));
        var stored = Rezip(package, part, content => content, CompressionLevel.NoCompression);
        var found = encoding.GetBytes(text);
        var at = stored.AsSpan().IndexOf(found);
        Assert.True(at >= 0, $"\"{text}\" is not in the stored part {part}.");
        Assert.True(stored.AsSpan(at + 1).IndexOf(found) < 0, $"\"{text}\" is in the package more than once.");
        encoding.GetBytes(changed).CopyTo(stored, at);
        return stored;
    }

    /// <summary>
    /// The package with <paramref name="text"/> in <paramref name="part"/> changed to <paramref name="changed"/> and
    /// the part deflated again, while the zip records the CRC of the part as it was: a deflated part that still
    /// inflates, to other text.
    /// </summary>
    public static byte[] DeflatedPartChanged(byte[] package, string part, string text, string changed, Encoding? encoding = null)
    {
        encoding ??= Encoding.UTF8;
        uint original;
        using (var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read))
        {
            original = (zip.GetEntry(part) ?? throw new ArgumentException($"No part {part}.", nameof(part))).Crc32;
        }

        var rewritten = Rezip(package, part, content =>
        {
            var found = encoding.GetBytes(text);
            var at = content.AsSpan().IndexOf(found);
            Assert.True(at >= 0, $"\"{text}\" is not in the part {part}.");
            return [.. content.AsSpan(0, at), .. encoding.GetBytes(changed), .. content.AsSpan(at + found.Length)];
        }, CompressionLevel.Optimal);
        SetCrc(rewritten, part, original);
        return rewritten;
    }

    private static byte[] Rezip(byte[] package, string part, Func<byte[], byte[]> change, CompressionLevel level)
    {
        using var input = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                using var source = new MemoryStream();
                using (var read = entry.Open())
                {
                    read.CopyTo(source);
                }

                var isPart = entry.FullName == part;
                var bytes = isPart ? change(source.ToArray()) : source.ToArray();
                using var write = zip.CreateEntry(entry.FullName, isPart ? level : CompressionLevel.Optimal).Open();
                write.Write(bytes);
            }
        }

        return output.ToArray();
    }

    /// <summary>Writes <paramref name="crc"/> into the part's local header and its central directory entry.</summary>
    private static void SetCrc(byte[] zip, string part, uint crc)
    {
        var name = Encoding.UTF8.GetBytes(part);
        var patched = 0;
        for (var i = 0; i + 46 + name.Length <= zip.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, name.Length).SequenceEqual(name)
                && BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 26)) == name.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 14), crc);
                patched++;
            }
            else if (signature == 0x02014b50 && zip.AsSpan(i + 46, name.Length).SequenceEqual(name)
                && BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28)) == name.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 16), crc);
                patched++;
            }
        }

        Assert.Equal(2, patched);
    }
}
