using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing;

/// <summary>How far a running import is: rows checked, rows written, of the file's rows.</summary>
public readonly record struct ImportProgress(int Checked, int Written, int Total);

/// <summary>
/// Runs one import from its kept file: opens it with the import's parse options, checks every row against the
/// mapping (the dry run stops there), then writes all rows in one transaction or none, and records the outcome on
/// the import. This is the code the background job and the benchmark call; it knows nothing of HTTP or Hangfire.
/// </summary>
public sealed class ImportProcessor(
    RolloutDbContext db,
    ImportFileStore files,
    ReaderLimits limits,
    TimeProvider clock,
    ILogger<ImportProcessor> logger)
{
    // Reading, checking or resolving, and writing each run on their own thread, this many rows apart at most.
    private const int PrefetchRows = 1_024;

    /// <summary>
    /// Runs of one approval before the import fails instead: an import that brings its server down each time (memory,
    /// a bug) would otherwise take every instance down in turn.
    /// </summary>
    public const int MaxAttempts = 5;

    /// <summary>Checks every row and writes nothing: exactly the errors a real run would record.</summary>
    public async Task<Result<CheckResult>> CheckAsync(int importId, IProgress<int>? rowsChecked, CancellationToken ct)
    {
        var import = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId, ct);
        var opened = await files.OpenAsync(import, limits, ct);
        if (!opened.Succeeded)
        {
            return Problem.FromFile(opened.Problem);
        }

        using var file = opened.File;
        try
        {
            var checker = await ImportChecker.LoadAsync(db, import.InventoryId, ReadMapping(import), file.Columns, ct);
            return checker.Check(file.ReadRows(), rowsChecked, import.RowCount ?? 0, ct);
        }
        catch (ImportFileException e)
        {
            return Problem.FromFile(e.Problem);
        }
    }

    /// <summary>
    /// Processes an import whose status is In Progress and leaves it Completed or Failed. Cancellation (the host
    /// stopping) leaves it In Progress with nothing written, to be run again.
    /// </summary>
    public async Task<ClientImport> RunAsync(int importId, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var import = await db.Imports.SingleAsync(i => i.Id == importId, ct);
        if (!ImportStatusRules.CanRun(import.Status))
        {
            logger.LogInformation("Import {ImportId} is {Status}, not In Progress: nothing to run", importId, import.Status);
            return import;
        }

        // A run again after an interruption starts from the beginning (the interrupted write left nothing) but keeps
        // the first run's start and counts the attempt.
        import.StartedAt ??= clock.GetUtcNow();
        import.Attempt++;
        import.RowsChecked = 0;
        import.RowsWritten = 0;
        await db.ImportRowErrors.Where(e => e.ImportId == importId).ExecuteDeleteAsync(ct);
        if (import.Attempt > MaxAttempts)
        {
            logger.LogError("Import {ImportId} was interrupted {Runs} times; it is not run again", importId, MaxAttempts);
            return await FailAsync(import,
                $"The import was interrupted {MaxAttempts} times (the server running it stopped each time); nothing " +
                "was written. Approve it again to retry, or ask your administrator to look for import " +
                $"{importId} in the log.");
        }

        await db.SaveChangesAsync(ct);
        logger.LogInformation("Import {ImportId} starts its run, attempt {Attempt}", importId, import.Attempt);

        try
        {
            return await RunCheckedAsync(import, progress, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogWarning("Import {ImportId} was interrupted; nothing was written and it stays In Progress", importId);
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Import {ImportId} failed unexpectedly; nothing was written", importId);
            db.ChangeTracker.Clear();
            import = await db.Imports.SingleAsync(i => i.Id == importId, CancellationToken.None);
            return await FailAsync(import,
                "An unexpected error stopped the import; nothing was written. Approve it again to retry, or ask " +
                $"your administrator to look for import {importId} in the log.");
        }
    }

    private async Task<ClientImport> RunCheckedAsync(
        ClientImport import, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var opened = await files.OpenAsync(import, limits, ct);
        if (!opened.Succeeded)
        {
            return await FailAsync(import, opened.Problem.Message);
        }

        using var file = opened.File;
        var total = import.RowCount ?? 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var checker = await ImportChecker.LoadAsync(db, import.InventoryId, ReadMapping(import), file.Columns, ct);
        var running = new RunProgress(progress, total);
        WriteResult result;
        try
        {
            // One pass: the rows are checked while they are written in one transaction; a failure anywhere rolls it
            // all back, so nothing is written, and the rows are read only once.
            var rows = checker.CheckAndResolve(Prefetch.Ahead(file.ReadRows(), PrefetchRows, ct),
                new Reporter(running.Checked), total, ct);
            result = await new ClientWriter().WriteAsync(db, checker.CreateWriteContext(import.Id, import.ApprovedById),
                Prefetch.Ahead(rows, PrefetchRows, ct), new Reporter(running.Written), ct);
        }
        catch (ImportFileException e)
        {
            return await FailAsync(await ReloadAsync(import.Id, ct), e.Problem.Message);
        }
        catch (ClientNameConflictException e)
        {
            return await NameConflictAsync(import, checker, file, e, ct);
        }
        catch (ImportCheckFailedException e)
        {
            var check = e.Result;
            import = await ReloadAsync(import.Id, ct);
            import.RowsChecked = check.RowCount;
            logger.LogInformation("Import {ImportId} checked {Rows} rows in {Seconds:0.00} s: {FailedRows} failed",
                import.Id, check.RowCount, watch.Elapsed.TotalSeconds, check.FailedRowCount);
            await SaveErrorsAsync(import.Id, check.Errors.Select(error => ToEntity(import.Id, error)), ct);
            import.FailedRowCount = check.FailedRowCount;
            var message = check.ImportErrors.Count > 0
                ? string.Join(" ", check.ImportErrors)
                : $"{check.FailedRowCount:N0} of {check.RowCount:N0} rows could not be imported. The import was " +
                  "cancelled and no clients have been created or changed.";
            if (check.ErrorsTruncated)
            {
                message += $" The first {check.Errors.Count:N0} of {check.ErrorCount:N0} errors are listed.";
            }

            return await FailAsync(import, message);
        }

        import = await ReloadAsync(import.Id, ct);
        var checkedRows = checker.LastResult!.RowCount;
        import.CreatedCount = result.Created;
        import.UpdatedCount = result.Updated;
        import.RowsChecked = checkedRows;
        import.RowsWritten = checkedRows;
        await db.Inventories.Where(i => i.Id == import.InventoryId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastImportMapping, import.Mapping), ct);
        logger.LogInformation(
            "Import {ImportId} checked and wrote {Rows} rows ({Created} new, {Updated} updated clients) in {Seconds:0.00} s",
            import.Id, checkedRows, result.Created, result.Updated, watch.Elapsed.TotalSeconds);
        return await FinishAsync(import, written: true, null);
    }

    private async Task<ClientImport> ReloadAsync(int importId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.Imports.SingleAsync(i => i.Id == importId, ct);
    }

    private async Task<ClientImport> NameConflictAsync(
        ClientImport import, ImportChecker checker, SpreadsheetFile file, ClientNameConflictException e, CancellationToken ct)
    {
        import = await ReloadAsync(import.Id, ct);
        var nameColumn = checker.Mapping.NameColumn;
        var header = nameColumn is null ? null : file.Columns.FirstOrDefault(c => c.Letter == nameColumn.Letter)?.Header;
        await SaveErrorsAsync(import.Id, e.Conflicts.Select(c => new ImportRowError
        {
            ImportId = import.Id,
            Row = c.RowNumber,
            Column = nameColumn?.Letter,
            Header = header,
            Value = c.Name,
            Message = $"Name \"{c.Name}\" was taken by another import or user while this import was running.",
        }), ct);
        import.FailedRowCount = e.Conflicts.Select(c => c.RowNumber).Distinct().Count();
        return await FailAsync(import,
            "Another import or user created clients with names from this file while it was being written. " +
            "The import was cancelled and no clients have been created or changed.");
    }

    private static ImportMapping ReadMapping(ClientImport import) => ImportMapping.FromJson(import.Mapping);

    private async Task SaveErrorsAsync(int importId, IEnumerable<ImportRowError> errors, CancellationToken ct)
    {
        foreach (var chunk in errors.Chunk(5_000))
        {
            db.ImportRowErrors.AddRange(chunk);
            await db.SaveChangesAsync(ct);
            foreach (var error in chunk)
            {
                db.Entry(error).State = EntityState.Detached;
            }
        }

        logger.LogInformation("Import {ImportId} recorded its failed rows", importId);
    }

    private static ImportRowError ToEntity(int importId, RowError error) => new()
    {
        ImportId = importId,
        Row = error.Row,
        Column = error.Column,
        Header = error.Header,
        Value = error.Value,
        Message = error.Message,
    };

    private Task<ClientImport> FailAsync(ClientImport import, string failure) => FinishAsync(import, written: false, failure);

    /// <summary>Ends the run in the status <see cref="ImportStatusRules.AfterRun"/> gives: Completed, or Failed with nothing written.</summary>
    private async Task<ClientImport> FinishAsync(ClientImport import, bool written, string? failure)
    {
        import.Status = ImportStatusRules.AfterRun(written);
        import.FailureMessage = failure;
        import.FinishedAt = clock.GetUtcNow();
        import.ConcurrencyStamp = Guid.NewGuid();
        await db.SaveChangesAsync(CancellationToken.None);
        return import;
    }

    /// <summary>
    /// The figures of a run, reported by checking and by writing from their own threads: each report carries the
    /// other's latest count, and one lock around counting and reporting keeps either figure from ever going back.
    /// </summary>
    private sealed class RunProgress(IProgress<ImportProgress>? progress, int total)
    {
        private readonly Lock _gate = new();
        private int _checked;
        private int _written;

        public void Checked(int rows)
        {
            lock (_gate)
            {
                _checked = Math.Max(_checked, rows);
                progress?.Report(new ImportProgress(_checked, _written, total));
            }
        }

        public void Written(int rows)
        {
            lock (_gate)
            {
                _written = Math.Max(_written, rows);
                _checked = Math.Max(_checked, rows);
                progress?.Report(new ImportProgress(_checked, _written, total));
            }
        }
    }

    /// <summary>Calls back synchronously on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Reporter(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
