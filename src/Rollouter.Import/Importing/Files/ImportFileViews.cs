using Microsoft.Extensions.Caching.Memory;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Files;

/// <summary>
/// What the import's page and the API show of an import's kept file, opened once per file and parse options and then
/// kept in memory (at most 64 MB of them, each for 10 minutes after its last use). A script polling an import's state,
/// or a page reloaded while a large import runs, no longer reads the file again each time: opening a million-row
/// .xlsx scans the whole sheet for hidden rows and merged cells.
/// </summary>
public sealed class ImportFileViews : IDisposable
{
    private const long SizeLimit = 64L * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = SizeLimit });

    /// <summary>
    /// The view of the import's file, or the reader's problem with it (cached alike, but for a full disk and a file no
    /// longer on the server, which the next request looks for again).
    /// </summary>
    public async Task<Result<ImportFileView>> GetAsync(
        ClientImport import, Func<CancellationToken, Task<OpenResult>> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(open);
        var key = (import.Id, import.FileSha256, import.ParseOptions);
        // A file deleted under the retention of uploaded files (decision 0136) is said so at once, not shown from memory.
        if (import.FileDeletedAt is null && _cache.TryGetValue(key, out Result<ImportFileView>? known) && known is not null)
        {
            return known;
        }

        var opened = await open(cancellationToken);
        Result<ImportFileView> result;
        if (opened.Succeeded)
        {
            using (opened.File)
            {
                result = ImportFileView.From(opened.File);
            }
        }
        else
        {
            result = Problem.FromFile(opened.Problem);
        }

        if (opened.Problem?.Kind is FileProblemKind.NoRoom or FileProblemKind.Missing)
        {
            // The server's disk or data, not the file: read again on the next request, once there may be room or the file
            // was restored.
            return result;
        }

        _cache.Set(key, result, new MemoryCacheEntryOptions
        {
            Size = result.Value?.EstimatedBytes ?? 1024,
            SlidingExpiration = TimeSpan.FromMinutes(10),
        });
        return result;
    }

    public void Dispose() => _cache.Dispose();
}

/// <summary>An import's file as the mapping step shows it: format, sheets, options, columns, sample rows, warnings.</summary>
public sealed record ImportFileView(
    SpreadsheetFormat Format,
    IReadOnlyList<SheetInfo> Sheets,
    string? Sheet,
    ParseOptions Options,
    IReadOnlyList<SheetColumn> Columns,
    IReadOnlyList<SourceRow> SampleRows,
    IReadOnlyList<FileWarning> Warnings)
{
    /// <summary>The rows the mapping step shows as a grid below the header: enough to recognise the data.</summary>
    public const int PreviewRows = 10;

    /// <summary>
    /// The view of an opened file. Its sample values are shown as the check reads a mapped cell
    /// (<see cref="PlainText.AsSeen"/>: without a NUL, an .xlsx's <c>_x0000_</c>, and the other characters that do not
    /// show), as its column headers are (<see cref="SpreadsheetFile.Columns"/>), so the mapping step never shows a
    /// character (a NUL as "�") that the import will not store.
    /// </summary>
    public static ImportFileView From(SpreadsheetFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new ImportFileView(file.Format, file.Sheets, file.Sheet, file.Options, file.Columns,
            [.. file.SampleRows.Select(AsSeen)], file.Warnings);
    }

    private static SourceRow AsSeen(SourceRow row) =>
        row.Cells.All(c => c is null || PlainText.IsAsSeen(c))
            ? row
            : row with { Cells = [.. row.Cells.Select(PlainText.AsSeen)] };

    /// <summary>About the memory the view holds: its texts, two bytes a character, and some for each object.</summary>
    public long EstimatedBytes =>
        1024 + 2L * (Columns.Sum(c => 64 + c.Header.Length) +
                     SampleRows.Sum(r => r.Cells.Sum(c => 16 + (c?.Length ?? 0))) +
                     Warnings.Sum(w => 64 + w.Message.Length));
}
