using System.Buffers.Binary;
using System.Text;

namespace Rollouter.Import.Importing.Reading.Xls;

/// <summary>
/// The error cells of a legacy .xls (BIFF8) workbook, which ExcelDataReader 3.6 reads as empty cells: a BOOLERR
/// record holding an error (#N/A typed in) and a FORMULA record whose cached result is an error. A light scan: the
/// compound file's directory and allocation table, then the record headers of each sheet, reading only the bodies of
/// these two records, and the row of every cell record. It also notes the formulas that give text but whose stored
/// result is a number (<see cref="BiffSheet.TextFormulas"/>), reading the bodies of FORMULA records and of the shared
/// and array formulas (SHRFMLA, ARRAY) they point to. Anything it does not understand (an encrypted workbook, an
/// older BIFF version, a damaged compound file) gives no error cells, never a refusal: ExcelDataReader decides whether
/// the file is readable. One kind of damage it does report: a record whose length runs past the end of its sheet (the
/// next sheet's start, or the end of the workbook stream). ExcelDataReader skips such a record and ends the sheet
/// there without a word, so every row below it would be lost silently.
/// </summary>
internal static class BiffErrorCells
{
    private const uint EndOfChain = 0xFFFFFFFE;
    private const int Bof = 0x0809, Eof = 0x000A, BoundSheet = 0x0085, FilePass = 0x002F, BoolErr = 0x0205, Formula = 0x0006,
        SharedFormula = 0x04BC, ArrayFormula = 0x0221;

    /// <summary>The records that hold a cell, each starting with its row (0-based) and column.</summary>
    private static readonly HashSet<int> CellRecords =
    [
        0x0006, // FORMULA
        0x00BD, // MULRK
        0x00BE, // MULBLANK
        0x00D6, // RSTRING
        0x00FD, // LABELSST
        0x0201, // BLANK
        0x0203, // NUMBER
        0x0204, // LABEL
        0x0205, // BOOLERR
        0x027E, // RK
    ];

    /// <summary>Per sheet name, what the scan found in it; null when unknown.</summary>
    public static Dictionary<string, BiffSheet>? Read(Stream file)
    {
        try
        {
            return file.CanSeek ? Scan(file) : null;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or IndexOutOfRangeException or OverflowException or NotSupportedException)
        {
            return null;
        }
    }

    public static long Key(int row, int column) => ((long)row << 16) | (uint)column;

    private static Dictionary<string, BiffSheet>? Scan(Stream file)
    {
        using var workbook = CompoundStream.OpenWorkbook(file);
        if (workbook is null)
        {
            return null;
        }

        var header = new byte[4];
        var body = new byte[8224];

        // The globals: BIFF8 only, not encrypted; the sheets' names and where their records start.
        var sheets = new List<(string Name, long Offset)>();
        if (!Next(workbook, workbook.Length, header, body, out var type, out var length, out _) || type != Bof || length < 2 || BinaryPrimitives.ReadUInt16LittleEndian(body) != 0x0600)
        {
            return null;
        }

        while (Next(workbook, workbook.Length, header, body, out type, out length, out _) && type != Eof)
        {
            if (type == FilePass)
            {
                return null;
            }

            if (type == BoundSheet && length >= 8)
            {
                var count = body[6];
                var wide = (body[7] & 1) != 0;
                var name = wide ? Encoding.Unicode.GetString(body, 8, Math.Min(count * 2, length - 8)) : Encoding.Latin1.GetString(body, 8, Math.Min(count, length - 8));
                sheets.Add((name, BinaryPrimitives.ReadUInt32LittleEndian(body)));
            }
        }

        var result = new Dictionary<string, BiffSheet>(StringComparer.Ordinal);
        foreach (var (name, offset) in sheets)
        {
            // A sheet's records end where the next sheet's begin, or with the workbook stream.
            var end = sheets.Select(s => s.Offset).Where(o => o > offset).DefaultIfEmpty(workbook.Length).Min();
            var errors = new Dictionary<long, string>();
            var textFormulas = new Dictionary<long, FormulaResultType>();
            var sharedTypes = new Dictionary<long, FormulaResultType>();
            var pointing = new List<(long Cell, long Base)>();
            int? damagedAfterRow = null;
            workbook.Position = offset;
            if (Next(workbook, end, header, body, out type, out _, out _) && type == Bof)
            {
                var lastRow = -1;
                bool pastEnd;
                while (Next(workbook, end, header, body, out type, out length, out pastEnd) && type != Eof)
                {
                    if (CellRecords.Contains(type) && length >= 2)
                    {
                        lastRow = Math.Max(lastRow, BinaryPrimitives.ReadUInt16LittleEndian(body));
                    }

                    var error = type switch
                    {
                        BoolErr when length >= 8 && body[7] == 1 => Text(body[6]),
                        Formula when length >= 14 && body[6] == 2 && body[12] == 0xFF && body[13] == 0xFF => Text(body[8]),
                        _ => null,
                    };
                    if (error is not null)
                    {
                        errors[Key(BinaryPrimitives.ReadUInt16LittleEndian(body), BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(2)))] = error;
                    }
                    else if (type == Formula && length >= 22 && (body[12] != 0xFF || body[13] != 0xFF))
                    {
                        // A number stored as the result: a text formula's result is lost so (LibreOffice Calc writes 0).
                        var cell = Key(BinaryPrimitives.ReadUInt16LittleEndian(body), BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(2)));
                        var tokens = Tokens(body, length, 20);
                        if (tokens.Length == 5 && tokens[0] == 0x01)
                        {
                            pointing.Add((cell, Key(BinaryPrimitives.ReadUInt16LittleEndian(tokens[1..]), BinaryPrimitives.ReadUInt16LittleEndian(tokens[3..]))));
                        }
                        else if (BiffFormulaResult.Of(tokens) is var formulaType && formulaType is FormulaResultType.Text or FormulaResultType.MaybeText)
                        {
                            textFormulas[cell] = formulaType;
                        }
                    }
                    else if (type == SharedFormula && length >= 10)
                    {
                        sharedTypes[Key(BinaryPrimitives.ReadUInt16LittleEndian(body), body[4])] = BiffFormulaResult.Of(Tokens(body, length, 8));
                    }
                    else if (type == ArrayFormula && length >= 14)
                    {
                        sharedTypes[Key(BinaryPrimitives.ReadUInt16LittleEndian(body), body[4])] = BiffFormulaResult.Of(Tokens(body, length, 12));
                    }
                }

                foreach (var (cell, shared) in pointing)
                {
                    if (sharedTypes.GetValueOrDefault(shared) is var sharedType && sharedType is FormulaResultType.Text or FormulaResultType.MaybeText)
                    {
                        textFormulas[cell] = sharedType;
                    }
                }

                if (pastEnd)
                {
                    // Cells come in row order: when the damaged record names a later row than the last cell read, that
                    // row was read whole; otherwise (the same row, or a row that cannot be trusted) it may miss cells.
                    var damagedRow = CellRecords.Contains(type) && length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(body) : -1;
                    damagedAfterRow = damagedRow > lastRow ? lastRow + 1 : Math.Max(lastRow, 0);
                }
            }

            result[name] = new BiffSheet(errors, damagedAfterRow, textFormulas);
        }

        return result;
    }

    /// <summary>
    /// The next record before <paramref name="end"/>; only the bodies of the records the scan looks at are read (of a
    /// cell record, its row and column), the others skipped. A record whose length runs past the end is not read:
    /// false, with <paramref name="pastEnd"/> set, and of a cell record the start of its body when it lies before the end.
    /// </summary>
    private static bool Next(Stream stream, long end, byte[] header, byte[] body, out int type, out int length, out bool pastEnd)
    {
        type = length = 0;
        pastEnd = false;
        if (stream.Position + 4 > end || stream.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4)
        {
            return false;
        }

        type = BinaryPrimitives.ReadUInt16LittleEndian(header);
        length = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2));
        if (stream.Position + length > end)
        {
            pastEnd = true;
            var available = (int)Math.Min(Math.Min(length, 4), end - stream.Position);
            if (!CellRecords.Contains(type) || available < 2 || stream.ReadAtLeast(body.AsSpan(0, available), available, throwOnEndOfStream: false) < available)
            {
                length = 0;
            }

            return false;
        }

        var wanted = type is Bof or BoundSheet or FilePass or BoolErr or Formula or SharedFormula or ArrayFormula ? length
            : CellRecords.Contains(type) ? Math.Min(length, 14) : 0;
        if (wanted > 0 && wanted <= body.Length)
        {
            if (stream.ReadAtLeast(body.AsSpan(0, wanted), wanted, throwOnEndOfStream: false) < wanted)
            {
                return false;
            }

            stream.Position += length - wanted;
            return true;
        }

        stream.Position += length;
        return true;
    }

    /// <summary>A formula's tokens: the count (cce) at <paramref name="at"/>, the tokens after it, cut at the record's end.</summary>
    private static ReadOnlySpan<byte> Tokens(byte[] body, int length, int at)
    {
        var count = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(at));
        return body.AsSpan(at + 2, Math.Min(count, length - at - 2));
    }

    private static string Text(byte code) => code switch
    {
        0x00 => "#NULL!",
        0x07 => "#DIV/0!",
        0x0F => "#VALUE!",
        0x17 => "#REF!",
        0x1D => "#NAME?",
        0x24 => "#NUM!",
        0x2A => "#N/A",
        0x2B => "#GETTING_DATA",
        _ => "#VALUE!",
    };

    /// <summary>One stream of an OLE compound file, read through its sector chain (or the mini stream's).</summary>
    private sealed class CompoundStream(Stream file, long[] offsets, int sectorSize, long length) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => position;
            set => position = value;
        }

        /// <summary>The Workbook (or Book) stream, in any case; null when the file holds none.</summary>
        public static CompoundStream? OpenWorkbook(Stream file)
        {
            var header = new byte[512];
            file.Position = 0;
            file.ReadExactly(header);
            var sectorSize = 1 << BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30));
            var miniSectorSize = 1 << BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            if (sectorSize is not (512 or 4096) || miniSectorSize != 64)
            {
                return null;
            }

            var sectors = (file.Length / sectorSize) + 1;

            // The allocation table: its first 109 sectors listed in the header, the rest in the DIFAT chain.
            var fatSectors = new List<uint>();
            for (var i = 0; i < 109; i++)
            {
                fatSectors.Add(BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(76 + (i * 4))));
            }

            var difat = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(68));
            var buffer = new byte[sectorSize];
            for (var guard = 0; difat < sectors && guard < sectors; guard++)
            {
                ReadSector(file, difat, sectorSize, buffer);
                for (var i = 0; i < (sectorSize / 4) - 1; i++)
                {
                    fatSectors.Add(BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i * 4)));
                }

                difat = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(sectorSize - 4));
            }

            var fatCount = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(44));
            var fat = new uint[Math.Min(fatCount, (uint)fatSectors.Count) * (sectorSize / 4)];
            for (var f = 0; f * (sectorSize / 4) < fat.Length; f++)
            {
                if (fatSectors[f] >= sectors)
                {
                    return null;
                }

                ReadSector(file, fatSectors[f], sectorSize, buffer);
                for (var i = 0; i < sectorSize / 4; i++)
                {
                    fat[(f * (sectorSize / 4)) + i] = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i * 4));
                }
            }

            long[] directorySectors = [.. Chain(fat, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(48)), sectors).Select(s => Offset(s, sectorSize))];
            using var directory = new CompoundStream(file, directorySectors, sectorSize, directorySectors.Length * (long)sectorSize);
            var entry = new byte[128];
            (uint Start, long Size)? root = null, workbook = null;
            while (directory.Read(entry) == 128)
            {
                var nameLength = Math.Clamp(BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(64)) - 2, 0, 62);
                var name = Encoding.Unicode.GetString(entry, 0, nameLength & ~1);
                var start = BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(116));
                var size = (long)BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(120));
                if (entry[66] == 5)
                {
                    root ??= (start, size);
                }
                else if (entry[66] == 2 && workbook is null && (name.Equals("Workbook", StringComparison.OrdinalIgnoreCase) || name.Equals("Book", StringComparison.OrdinalIgnoreCase)))
                {
                    workbook = (start, size);
                }
            }

            if (workbook is not { } found)
            {
                return null;
            }

            var cutoff = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(56));
            if (found.Size >= cutoff)
            {
                return new CompoundStream(file, [.. Chain(fat, found.Start, sectors).Select(s => Offset(s, sectorSize))], sectorSize, found.Size);
            }

            // A small stream lives in the mini stream (the root entry's), in 64-byte sectors listed by the mini table.
            if (root is not { } mini)
            {
                return null;
            }

            var miniStream = Chain(fat, mini.Start, sectors).Select(s => Offset(s, sectorSize)).ToArray();
            var miniFatChain = Chain(fat, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(60)), sectors);
            var miniFat = new List<uint>();
            foreach (var sector in miniFatChain)
            {
                ReadSector(file, sector, sectorSize, buffer);
                for (var i = 0; i < sectorSize / 4; i++)
                {
                    miniFat.Add(BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i * 4)));
                }
            }

            var perSector = sectorSize / miniSectorSize;
            var offsets = Chain([.. miniFat], found.Start, miniFat.Count)
                .Select(m => m / perSector < miniStream.Length ? miniStream[m / perSector] + (m % perSector * miniSectorSize) : throw new InvalidDataException("A mini sector lies outside the mini stream."))
                .ToArray();
            return new CompoundStream(file, offsets, miniSectorSize, found.Size);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var total = 0;
            while (buffer.Length > 0 && position < length)
            {
                var index = position / sectorSize;
                if (index >= offsets.Length)
                {
                    break;
                }

                var within = (int)(position % sectorSize);
                var count = (int)Math.Min(Math.Min(buffer.Length, sectorSize - within), length - position);
                file.Position = offsets[index] + within;
                var read = file.Read(buffer[..count]);
                if (read == 0)
                {
                    break;
                }

                position += read;
                total += read;
                buffer = buffer[read..];
            }

            return total;
        }

        public override long Seek(long offset, SeekOrigin origin) => position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static long Offset(uint sector, int sectorSize) => (sector + 1L) * sectorSize;

        private static void ReadSector(Stream file, uint sector, int sectorSize, byte[] buffer)
        {
            file.Position = Offset(sector, sectorSize);
            file.ReadExactly(buffer);
        }

        /// <summary>The sectors of a chain; a chain longer than the file has sectors (a loop) is damaged.</summary>
        private static List<uint> Chain(uint[] table, uint start, long limit)
        {
            var chain = new List<uint>();
            for (var sector = start; sector != EndOfChain; sector = table[sector])
            {
                if (sector >= table.Length || chain.Count > limit)
                {
                    throw new InvalidDataException("A sector chain of the compound file is damaged.");
                }

                chain.Add(sector);
            }

            return chain;
        }
    }
}

/// <summary>What <see cref="BiffErrorCells"/> found in one sheet.</summary>
/// <param name="Errors">The error cells by <see cref="BiffErrorCells.Key"/>, the error as Excel shows it.</param>
/// <param name="TextFormulas">
/// Formulas that give text (<see cref="FormulaResultType.Text"/>) or may (<see cref="FormulaResultType.MaybeText"/>) but
/// whose stored result is a number, by <see cref="BiffErrorCells.Key"/>: LibreOffice Calc saves the text result of a
/// formula it did not recalculate as the number 0.
/// </param>
/// <param name="DamagedAfterRow">
/// When a record runs past the sheet's end: the rows above the damaged record, which are whole (as the spreadsheet
/// numbers them; 0 when the damage comes before any cell); null for a sheet whose records are intact.
/// </param>
internal sealed record BiffSheet(Dictionary<long, string> Errors, int? DamagedAfterRow, Dictionary<long, FormulaResultType> TextFormulas);
