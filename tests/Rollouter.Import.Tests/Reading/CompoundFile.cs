using System.Text;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// Writes an OLE compound file (version 3, 512-byte sectors) holding the given streams at the root, for the tests'
/// .xls workbooks and encrypted packages. The mini stream cutoff is 0, so every stream lives in ordinary sectors.
/// </summary>
public static class CompoundFile
{
    private const uint Free = 0xFFFFFFFF, EndOfChain = 0xFFFFFFFE, FatSector = 0xFFFFFFFD;

    public static byte[] Create(params (string Name, byte[] Data)[] streams)
    {
        var entries = streams.Length + 1;
        var directorySectors = (entries + 3) / 4;
        var streamSectors = streams.Select(s => (s.Data.Length + 511) / 512).ToArray();
        var used = directorySectors + streamSectors.Sum();
        var fatSectors = 1;
        while (fatSectors * 128 < used + fatSectors)
        {
            fatSectors++;
        }

        if (fatSectors > 109)
        {
            throw new ArgumentException("Too large for a test compound file.");
        }

        var total = fatSectors + used;
        var file = new byte[512 * (1 + total)];
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(file, 0);
        Put16(file, 24, 0x003E);
        Put16(file, 26, 0x0003);
        Put16(file, 28, 0xFFFE);
        Put16(file, 30, 9);
        Put16(file, 32, 6);
        Put32(file, 44, (uint)fatSectors);
        Put32(file, 48, (uint)fatSectors);
        Put32(file, 56, 0);
        Put32(file, 60, EndOfChain);
        Put32(file, 68, EndOfChain);
        for (var i = 0; i < 109; i++)
        {
            Put32(file, 76 + (i * 4), i < fatSectors ? (uint)i : Free);
        }

        var fat = new uint[fatSectors * 128];
        Array.Fill(fat, Free);
        for (var i = 0; i < fatSectors; i++)
        {
            fat[i] = FatSector;
        }

        var next = fatSectors;
        Chain(fat, next, directorySectors);
        var directoryStart = next;
        next += directorySectors;
        var starts = new int[streams.Length];
        for (var s = 0; s < streams.Length; s++)
        {
            starts[s] = streamSectors[s] == 0 ? -1 : next;
            Chain(fat, next, streamSectors[s]);
            streams[s].Data.CopyTo(file, 512 * (1 + next));
            next += streamSectors[s];
        }

        for (var i = 0; i < fat.Length; i++)
        {
            Put32(file, 512 + (i * 4), fat[i]);
        }

        var directory = 512 * (1 + directoryStart);
        Entry(file, directory, "Root Entry", 5, right: Free, child: 1, start: EndOfChain, length: 0);
        for (var s = 0; s < streams.Length; s++)
        {
            Entry(file, directory + ((s + 1) * 128), streams[s].Name, 2, right: s + 1 < streams.Length ? (uint)(s + 2) : Free, child: Free,
                start: starts[s] < 0 ? EndOfChain : (uint)starts[s], length: (uint)streams[s].Data.Length);
        }

        for (var e = entries; e < directorySectors * 4; e++)
        {
            Put32(file, directory + (e * 128) + 68, Free);
            Put32(file, directory + (e * 128) + 72, Free);
            Put32(file, directory + (e * 128) + 76, Free);
        }

        return file;
    }

    /// <summary>
    /// One small stream (under 4,096 bytes) kept in the mini stream, as a compound file's writer normally keeps it:
    /// sector 0 the allocation table, 1 the directory, 2 the mini table, then the mini stream (the root entry's).
    /// </summary>
    public static byte[] CreateSmall(string name, byte[] data)
    {
        var miniSectors = (data.Length + 63) / 64;
        if (miniSectors > 64 || miniSectors == 0)
        {
            throw new ArgumentException("Not a small stream.");
        }

        var containerSectors = ((miniSectors * 64) + 511) / 512;
        var file = new byte[512 * (1 + 3 + containerSectors)];
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(file, 0);
        Put16(file, 24, 0x003E);
        Put16(file, 26, 0x0003);
        Put16(file, 28, 0xFFFE);
        Put16(file, 30, 9);
        Put16(file, 32, 6);
        Put32(file, 44, 1);
        Put32(file, 48, 1);
        Put32(file, 56, 4096);
        Put32(file, 60, 2);
        Put32(file, 64, 1);
        Put32(file, 68, EndOfChain);
        for (var i = 0; i < 109; i++)
        {
            Put32(file, 76 + (i * 4), i == 0 ? 0 : Free);
        }

        var fat = new uint[128];
        Array.Fill(fat, Free);
        fat[0] = FatSector;
        fat[1] = EndOfChain;
        fat[2] = EndOfChain;
        Chain(fat, 3, containerSectors);
        for (var i = 0; i < fat.Length; i++)
        {
            Put32(file, 512 + (i * 4), fat[i]);
        }

        var miniFat = new uint[128];
        Array.Fill(miniFat, Free);
        Chain(miniFat, 0, miniSectors);
        for (var i = 0; i < miniFat.Length; i++)
        {
            Put32(file, (512 * 3) + (i * 4), miniFat[i]);
        }

        data.CopyTo(file, 512 * 4);
        var directory = 512 * 2;
        Entry(file, directory, "Root Entry", 5, right: Free, child: 1, start: 3, length: (uint)(miniSectors * 64));
        Entry(file, directory + 128, name, 2, right: Free, child: Free, start: 0, length: (uint)data.Length);
        for (var e = 2; e < 4; e++)
        {
            Put32(file, directory + (e * 128) + 68, Free);
            Put32(file, directory + (e * 128) + 72, Free);
            Put32(file, directory + (e * 128) + 76, Free);
        }

        return file;
    }

    private static void Chain(uint[] fat, int first, int count)
    {
        for (var i = 0; i < count; i++)
        {
            fat[first + i] = i == count - 1 ? EndOfChain : (uint)(first + i + 1);
        }
    }

    private static void Entry(byte[] file, int at, string name, byte type, uint right, uint child, uint start, uint length)
    {
        Encoding.Unicode.GetBytes(name).CopyTo(file, at);
        Put16(file, at + 64, (name.Length + 1) * 2);
        file[at + 66] = type;
        file[at + 67] = 1;
        Put32(file, at + 68, Free);
        Put32(file, at + 72, right);
        Put32(file, at + 76, child);
        Put32(file, at + 116, start);
        Put32(file, at + 120, length);
    }

    private static void Put16(byte[] file, int at, int value) => BitConverter.GetBytes((ushort)value).CopyTo(file, at);

    private static void Put32(byte[] file, int at, uint value) => BitConverter.GetBytes(value).CopyTo(file, at);
}
