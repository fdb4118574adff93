using System.Xml;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// The workbook's shared strings, read only as far as cells ask for them: the mapping step, which shows a few rows,
/// reads a few strings; a full read reads them all once, and later reads reuse them. Each item is kept up to the cell
/// length limit (a longer one with its full length, for the row error), and all of them together within
/// <see cref="ReaderLimits.MaxSharedStringsBytes"/>: beyond it the workbook is refused.
/// </summary>
internal sealed class SharedStrings(Func<Stream> openStream, ReaderLimits limits, string? part) : IDisposable
{
    /// <summary>What holding an item costs besides its characters: the string's header and the list's slot.</summary>
    internal const int ItemOverheadBytes = 32;

    private readonly List<string> items = [];
    private readonly Dictionary<int, int> cutLengths = [];
    private readonly XlsxText text = new(limits.MaxCellLength);
    private long heldBytes;
    private XlsxPackage? package;
    private XmlReader? xml;
    private string? si;
    private bool complete = part is null;

    /// <summary>The text of item <paramref name="index"/> (cut at the cell length limit) and its full length; false
    /// when the workbook holds no such item.</summary>
    public bool TryGet(int index, out string value, out int length)
    {
        while (index >= items.Count && !complete)
        {
            ReadNext();
        }

        value = (uint)index < (uint)items.Count ? items[index] : "";
        length = cutLengths.Count > 0 && cutLengths.TryGetValue(index, out var full) ? full : value.Length;
        return (uint)index < (uint)items.Count;
    }

    /// <summary>
    /// Reads the items no cell has asked for yet, to the part's end, so that its checksum is compared: after a sheet's
    /// last row, a damaged byte in the strings refuses the file (decision 0052). Excel keeps only the strings its cells
    /// use, so there is nearly always nothing left to read.
    /// </summary>
    public void ReadToEnd()
    {
        while (!complete)
        {
            ReadNext();
        }
    }

    public void Dispose() => Close();

    private void ReadNext()
    {
        if (xml is null)
        {
            if (part is null)
            {
                // A workbook without shared strings: there is nothing to read (TryGet does not ask then).
                complete = true;
                return;
            }

            package = new XlsxPackage(openStream(), limits);
            xml = package.OpenXml(part);
            si = xml.NameTable.Add("si");
            xml.MoveToContent();
        }

        while (!xml.EOF)
        {
            if (xml.NodeType == XmlNodeType.Element && ReferenceEquals(xml.LocalName, si))
            {
                var item = text.ReadStringItem(xml);
                if (text.Length > item.Length)
                {
                    cutLengths[items.Count] = text.Length;
                }

                heldBytes += 2L * item.Length + ItemOverheadBytes;
                if (heldBytes > limits.MaxSharedStringsBytes)
                {
                    throw TooMuchText(limits);
                }

                items.Add(item);
                return;
            }

            xml.Read();
        }

        complete = true;
        Close();
    }

    private static ImportFileException TooMuchText(ReaderLimits limits) => new(FileProblemKind.TooLarge,
        $"The workbook holds more text than can be read safely: its shared strings (the text of its cells) take more than {ByteSizes.Format(limits.MaxSharedStringsBytes)} to read; at most {ByteSizes.Format(limits.MaxSharedStringsBytes)} are allowed. Delete the sheets and columns the import does not need, or save the sheet as .csv, and upload it again.");

    private void Close()
    {
        xml?.Dispose();
        package?.Dispose();
        xml = null;
        package = null;
    }
}
