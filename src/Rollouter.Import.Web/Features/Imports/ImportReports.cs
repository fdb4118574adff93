using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Exporting;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>A download: its content (read from the start; the response disposes it), the file name to offer, its type.</summary>
public sealed record Download(Stream Content, string FileName, string ContentType = XlsxStreamWriter.ContentType)
{
    /// <summary>The answer that streams it, pages and API alike.</summary>
    public Microsoft.AspNetCore.Mvc.FileStreamResult ToResult() => new(Content, ContentType) { FileDownloadName = FileName };
}

/// <summary>Builds the downloads of the pages and the API: an import's error report and an inventory's template.</summary>
public static class ImportReports
{
    /// <summary>
    /// The error report of an import (where <see cref="ImportStatusRules.CanDownloadErrorReport"/> allows it): the
    /// kept file re-read with the import's parse options, only the rows that have row errors. A problem (no failed
    /// rows, the file no longer readable) comes back instead.
    /// </summary>
    public static async Task<Result<Download>> ErrorReportAsync(RolloutDbContext db, ImportLifecycle imports,
        ReportFiles reports, ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(imports);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(import);
        if (ImportStatusRules.RefuseErrorReport(import) is { } refused)
        {
            return refused;
        }

        if (!await db.ImportRowErrors.AnyAsync(e => e.ImportId == import.Id, cancellationToken))
        {
            return Problem.Conflict($"Import {import.Id} has no failed rows.");
        }

        // A report of only some of the failed rows says so, lest the rest be taken for imported once these are.
        var listed = await FailedRows.ListedAsync(db, import, cancellationToken);
        var note = listed.Complete ? null : listed.ReportNote(import.Id);
        var opened = await imports.OpenFileAsync(import, cancellationToken);
        if (!opened.Succeeded)
        {
            return Problem.FromFile(opened.Problem);
        }

        var file = opened.File;

        // Written whole to a file of the data folder first (deleted when the response closes it): a report that cannot
        // be finished is an error answer, never half a download, and memory holds only the current row.
        using (file)
        {
            var output = reports.Create();
            try
            {
                // The rows as the run checked them: with the corrections made in the browser, each one marked.
                var corrections = await CellCorrections.LoadAsync(db, import.Id, file.Columns, ImportMapping.FromJson(import.Mapping),
                    cancellationToken);
                await ErrorReport.WriteAsync(file, FailedRowsInOrder(db, import.Id, cancellationToken), output, cancellationToken, note,
                    corrections, new ErrorReportMark(import.Id, import.RolloutId));
                output.Position = 0;
                return new Download(output, ErrorReport.FileName(import.FileName, import.Id));
            }
            catch
            {
                await output.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>The failed rows' errors read per batch of this many, the next after the last one read.</summary>
    internal const int ErrorBatch = 5_000;

    /// <summary>
    /// The import's row errors in the order of their rows (then ids), read <see cref="ErrorBatch"/> at a time through the
    /// index on (import, row, id), each batch after the last one read: the report holds one batch, never all of them,
    /// and no query stays open while the report is written.
    /// </summary>
    private static async IAsyncEnumerable<ImportRowError> FailedRowsInOrder(RolloutDbContext db, int importId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var errors = db.ImportRowErrors.AsNoTracking().Where(e => e.ImportId == importId);
        var batch = await errors.OrderBy(e => e.Row).ThenBy(e => e.Id).Take(ErrorBatch).ToListAsync(cancellationToken);
        while (true)
        {
            foreach (var error in batch)
            {
                yield return error;
            }

            if (batch.Count < ErrorBatch)
            {
                yield break;
            }

            var (row, id) = (batch[^1].Row, batch[^1].Id);
            // The row bound is what the index seeks to; the id only sorts out the rest of that row's errors.
            batch = await errors.Where(e => e.Row >= row && (e.Row > row || e.Id > id))
                .OrderBy(e => e.Row).ThenBy(e => e.Id).Take(ErrorBatch).ToListAsync(cancellationToken);
        }
    }

    public static async Task<Download> TemplateAsync(RolloutDbContext db, int inventoryId, CancellationToken cancellationToken)
    {
        var definition = await InventoryDefinition.LoadAsync(db, inventoryId, cancellationToken);
        var output = new MemoryStream();
        ImportTemplate.Write(definition, output);
        output.Position = 0;
        return new Download(output, ImportTemplate.FileName(definition.InventoryName));
    }
}
