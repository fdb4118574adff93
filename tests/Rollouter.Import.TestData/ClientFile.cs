using System.Text;

namespace Rollouter.Import.TestData;

/// <summary>
/// A client file: a header row and rows of cells, written as CSV (any delimiter, line end and encoding) or as .xlsx.
/// Rows given by a function are made while the file is written, so a million-row file needs no memory.
/// <code>
/// var csv = new ClientFile("Name", "Location").Rows(500, i => [$"PC-{i:000}", $"Room {i % 50}"]).ToCsv();
/// </code>
/// </summary>
public sealed class ClientFile(params string[] headers)
{
    private readonly List<IEnumerable<string[]>> _rows = [];

    public IReadOnlyList<string> Headers { get; } = headers;

    /// <summary>The rows after the header, each made when it is read.</summary>
    public IEnumerable<string[]> AllRows => _rows.SelectMany(r => r);

    public ClientFile Row(params string[] cells)
    {
        _rows.Add([cells]);
        return this;
    }

    /// <summary>Rows <paramref name="first"/> to first + count - 1, each made by <paramref name="row"/> from its number.</summary>
    public ClientFile Rows(int count, Func<int, string[]> row, int first = 1)
    {
        _rows.Add(Enumerable.Range(first, count).Select(row));
        return this;
    }

    /// <summary>
    /// The file as CSV text. A cell holding the delimiter, a quote or a line break is quoted, its quotes doubled.
    /// </summary>
    public string ToCsv(char delimiter = ',', string lineEnd = "\n")
    {
        var text = new StringWriter();
        WriteCsv(text, delimiter, lineEnd);
        return text.ToString();
    }

    /// <summary>The file as CSV bytes: UTF-8 without a byte order mark unless another encoding is given (then with its preamble).</summary>
    public byte[] ToCsvBytes(char delimiter = ',', string lineEnd = "\n", Encoding? encoding = null)
    {
        using var output = new MemoryStream();
        using (var writer = new StreamWriter(output, encoding ?? Utf8, leaveOpen: true))
        {
            WriteCsv(writer, delimiter, lineEnd);
        }

        return output.ToArray();
    }

    /// <summary>Streams the file to <paramref name="path"/> as CSV (UTF-8 without a byte order mark by default).</summary>
    public void WriteCsv(string path, char delimiter = ',', string lineEnd = "\n", Encoding? encoding = null)
    {
        using var writer = new StreamWriter(path, false, encoding ?? Utf8, 1 << 16);
        WriteCsv(writer, delimiter, lineEnd);
    }

    public void WriteCsv(TextWriter writer, char delimiter = ',', string lineEnd = "\n")
    {
        WriteCsvRow(writer, Headers, delimiter, lineEnd);
        foreach (var row in AllRows)
        {
            WriteCsvRow(writer, row, delimiter, lineEnd);
        }
    }

    /// <summary>Streams the file to <paramref name="path"/> as .xlsx, with shared strings as Excel writes it.</summary>
    public void WriteXlsx(string path, string sheetName = "Clients") =>
        XlsxFile.Write(path, sheetName, Headers, AllRows);

    public byte[] ToXlsx(string sheetName = "Clients")
    {
        using var output = new MemoryStream();
        XlsxFile.Write(output, sheetName, Headers, AllRows);
        return output.ToArray();
    }

    private static readonly UTF8Encoding Utf8 = new(false);

    private static void WriteCsvRow(TextWriter writer, IReadOnlyList<string> cells, char delimiter, string lineEnd)
    {
        for (var c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                writer.Write(delimiter);
            }

            writer.Write(Quote(cells[c], delimiter));
        }

        writer.Write(lineEnd);
    }

    private static string Quote(string value, char delimiter) =>
        value.Contains(delimiter) || value.AsSpan().IndexOfAny("\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"") + "\""
            : value;
}
