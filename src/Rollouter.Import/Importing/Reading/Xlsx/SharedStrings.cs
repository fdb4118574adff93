using System.Text;
using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// The workbook's shared strings, read only as far as cells ask for them: the mapping step, which shows a few rows,
/// reads a few strings; a full read reads them all once, and later reads reuse them.
/// </summary>
internal sealed class SharedStrings(Func<Stream> openStream, ReaderLimits limits, string? part) : IDisposable
{
    private readonly List<string> items = [];
    private readonly StringBuilder builder = new();
    private XlsxPackage? package;
    private XmlReader? xml;
    private string? si;
    private bool complete = part is null;

    /// <summary>The text of item <paramref name="index"/>; false when the workbook holds no such item.</summary>
    public bool TryGet(int index, out string text)
    {
        while (index >= items.Count && !complete)
        {
            ReadNext();
        }

        text = (uint)index < (uint)items.Count ? items[index] : "";
        return (uint)index < (uint)items.Count;
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
                items.Add(XlsxSheetSource.ReadStringItem(xml, builder));
                return;
            }

            xml.Read();
        }

        complete = true;
        Close();
    }

    private void Close()
    {
        xml?.Dispose();
        package?.Dispose();
        xml = null;
        package = null;
    }
}
