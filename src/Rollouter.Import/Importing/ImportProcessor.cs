using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing;

/// <summary>
/// How far a running import is: rows checked, rows written, of the file's rows, and the rows failed so far (once one
/// has failed nothing is written: the rest is checked and each failed row recorded).
/// </summary>
public readonly record struct ImportProgress(int Checked, int Written, int Total, int Failed = 0);

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

    // Failed rows are stored in batches of about this many errors while the check goes on.
    private const int RecordBatch = 5_000;

    /// <summary>
    /// Runs of one approval before the import fails instead: an import that brings its server down each time (memory,
    /// a bug) would otherwise take every instance down in turn.
    /// </summary>
    public const int MaxAttempts = 5;

    /// <summary>Checks of one run when the inventory's fields keep changing just before each write.</summary>
    private const int MaxSettingsRetries = 3;

    /// <summary>
    /// The failed rows listed when names are taken or clients deleted between the check and the write: the first this
    /// many, with at most <see cref="MaxListedErrors"/> errors (decision 0054's bounds; a test lowers them).
    /// </summary>
    internal int MaxListedRows { get; init; } = ImportChecker.MaxListedRows;

    /// <inheritdoc cref="MaxListedRows"/>
    internal int MaxListedErrors { get; init; } = ImportChecker.MaxListedErrors;

    /// <summary>Checks every row and writes nothing: exactly the errors a real run would record.</summary>
    public async Task<Result<CheckResult>> CheckAsync(int importId, IProgress<int>? rowsChecked, CancellationToken cancellationToken)
    {
        var import = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId, cancellationToken);
        var opened = await files.OpenAsync(import, limits, cancellationToken);
        if (!opened.Succeeded)
        {
            return Problem.FromFile(opened.Problem);
        }

        using var file = opened.File;
        try
        {
            var mapping = ReadMapping(import);
            var corrections = await CellCorrections.LoadAsync(db, import.Id, file.Columns, mapping, cancellationToken);
            // A small file's names are read first, and only their clients looked up (decision 0090): a check of a few
            // rows reads a few clients, however many the rollout has.
            var checker = import.RowCount is { } count && count <= ImportCheckerLoader.MaxRowsLookedUpByName
                ? await ImportCheckerLoader.LoadForRowsAsync(db, import.InventoryId, mapping, file.Columns,
                    corrections.Apply(file.ReadRows()), cancellationToken, compareValues: true)
                : await ImportCheckerLoader.LoadAsync(db, import.InventoryId, mapping, file.Columns, cancellationToken,
                    compareValues: true);
            checker.SingleByteEncoding = SingleByteEncoding(file);
            return checker.Check(corrections.Apply(file.ReadRows()), rowsChecked, import.RowCount ?? 0, cancellationToken);
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
    public async Task<ClientImport> RunAsync(int importId, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var import = await db.Imports.SingleAsync(i => i.Id == importId, cancellationToken);
        if (!ImportStatusRules.CanRun(import.Status))
        {
            logger.LogInformation("Import {ImportId} is {Status}, not In Progress: nothing to run", importId, import.Status);
            return import;
        }

        // A run again after an interruption: a version before 2026-12-05 committed the clients and then saved the
        // import's end in a second statement, so a crash between the two left it In Progress over its own clients.
        // Run again, every row would fail on its own name and the clients could not be reverted: it is completed.
        if (import.Attempt > 0 && await WrittenByAnEarlierRunAsync(import, cancellationToken))
        {
            return await CompleteWrittenEarlierAsync(import, cancellationToken);
        }

        // Otherwise the interrupted write left nothing (the import's end commits with its clients): the run starts from
        // the beginning but keeps the first run's start and counts the attempt.
        import.StartedAt ??= clock.GetUtcNow();
        import.Attempt++;
        import.RowsChecked = 0;
        import.RowsWritten = 0;
        await db.ImportRowErrors.Where(e => e.ImportId == importId).ExecuteDeleteAsync(cancellationToken);
        if (import.Attempt > MaxAttempts)
        {
            logger.LogError("Import {ImportId} was interrupted {Runs} times; it is not run again", importId, MaxAttempts);
            return await FailAsync(import,
                $"The import was interrupted {MaxAttempts} times (the server running it stopped each time); nothing " +
                "was written. Approve it again to retry, or ask your administrator to look for import " +
                $"{importId} in the log.");
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Import {ImportId} starts its run, attempt {Attempt}", importId, import.Attempt);

        try
        {
            return await RunCheckedAsync(import, progress, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Import {ImportId} was interrupted; nothing was written and it stays In Progress", importId);
            throw;
        }
        catch (Exception e)
        {
            db.ChangeTracker.Clear();
            if (UnavailableDatabase.Find(e) == DatabaseOutage.Damaged)
            {
                // The SQLite file is missing, damaged or not this application's (decision 0134): nothing was written,
                // and no failure can be recorded in it. The import stays In Progress in the file the app started on, run
                // again once that file is back (a restore and a restart), as after a crash.
                logger.LogError(e, "Import {ImportId} stopped: the database file is missing, damaged or not this " +
                                   "application's; nothing was written, and it stays In Progress to be run again once " +
                                   "the file is restored", importId);
                return import;
            }

            import = await db.Imports.SingleAsync(i => i.Id == importId, CancellationToken.None);
            if (!ImportStatusRules.CanRun(import.Status))
            {
                // The write committed, and the import's end with it: the error came after (a lost connection).
                logger.LogError(e, "Import {ImportId} is {Status}; an error came after its end", importId, import.Status);
                return import;
            }

            if (FullStorage.Is(e))
            {
                // The database's disk or the data folder's: not the file's fault, and nothing an approval alone mends.
                logger.LogError(e, "Import {ImportId} failed: the disk is full; nothing was written", importId);
                return await FailAsync(import, DiskFullFailure);
            }

            if (UnavailableDatabase.IsUnreachable(e))
            {
                // The connection broke (a restarted or failed-over server, the session ended, the network): as after a
                // crash, the write left nothing and the import stays In Progress, run again once its lease runs out
                // (ImportRecovery), up to MaxAttempts runs (decision 0115). Before, it failed "unexpectedly" when the
                // database was back by the time of this reload, and was run again when it was not.
                logger.LogWarning(e, "Import {ImportId} lost its database connection; nothing was written, and it stays " +
                                     "In Progress to be run again", importId);
                return import;
            }

            if (BusyDatabase.IsBusyOrUnavailable(e))
            {
                logger.LogError(e, "Import {ImportId} was stopped by the database; nothing was written", importId);
                return await FailAsync(import, DatabaseFailure(UnavailableDatabase.Find(e)));
            }

            logger.LogError(e, "Import {ImportId} failed unexpectedly; nothing was written", importId);
            return await FailAsync(import,
                "An unexpected error stopped the import; nothing was written. Approve it again to retry, or ask " +
                $"your administrator to look for import {importId} in the log.");
        }
    }

    /// <summary>
    /// Runs the check and write; should a custom field of the inventory change between the check's reading of it and
    /// the writer's lock (a settings change that held the lock), nothing is written and the rows are checked again
    /// against the field as it is now, up to <see cref="MaxSettingsRetries"/> times.
    /// </summary>
    private async Task<ClientImport> RunCheckedAsync(
        ClientImport import, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        for (var run = 1; ; run++)
        {
            try
            {
                return await RunPassAsync(import, progress, cancellationToken);
            }
            catch (ImportSettingsChangedException e)
            {
                import = await ReloadAsync(import.Id, cancellationToken);
                if (run == MaxSettingsRetries)
                {
                    logger.LogWarning("Import {ImportId}: the field {Field} changed before each of {Runs} writes; it fails",
                        import.Id, e.FieldName, run);
                    return await FailAsync(import,
                        $"The settings of the field \"{e.FieldName}\" changed while this import was being checked; " +
                        "nothing was written. Check it again, then approve it.");
                }

                logger.LogInformation("Import {ImportId}: the field {Field} changed before the write; its rows are checked again",
                    import.Id, e.FieldName);
            }
        }
    }

    private async Task<ClientImport> RunPassAsync(
        ClientImport import, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var opened = await files.OpenAsync(import, limits, cancellationToken);
        if (!opened.Succeeded)
        {
            return await FailAsync(import, opened.Problem.Message);
        }

        using var file = opened.File;
        var total = import.RowCount ?? 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var mapping = ReadMapping(import);
        var checker = await ImportCheckerLoader.LoadAsync(db, import.InventoryId, mapping, file.Columns, cancellationToken);
        checker.SingleByteEncoding = SingleByteEncoding(file);
        // The cells corrected in the browser replace the file's between the reader and the checker.
        var corrections = await CellCorrections.LoadAsync(db, import.Id, file.Columns, mapping, cancellationToken);
        // The rows are read once: the write takes them first, and should a row fail, the check goes on with the same
        // enumerator while the write rolls back.
        using var rows = Prefetch.Ahead(corrections.Apply(file.ReadRows(), record: true), PrefetchRows, cancellationToken).GetEnumerator();
        var running = new RunProgress(progress, total);
        CheckPass? pass = null;
        // The pass reports its first rows only after Start has returned it.
        pass = checker.Start(rows, new Reporter(n => running.Checked(n, pass?.FailedRowCount ?? 0)), total, cancellationToken);
        WriteResult result;
        try
        {
            // One pass: the rows are checked while they are written in one transaction; a failure anywhere rolls it
            // all back, so nothing is written.
            // The import's end commits with its clients: a crash or a lost connection after the commit cannot leave
            // the clients written and the import In Progress, to be run again and failed.
            // The corrections' history too: the import does not read Completed before its clients' history names them.
            var context = checker.CreateWriteContext(import.Id, import.ApprovedById) with
            {
                Corrections = corrections.IsEmpty ? null : corrections,
            };
            result = await new ClientWriter(clock, maxListedRows: MaxListedRows, maxListedErrors: MaxListedErrors).WriteAsync(db, context,
                Prefetch.Ahead(pass.ResolvedRows(), PrefetchRows, cancellationToken),
                // A skipped row (nothing in the columns imported) is done once it is read: the figures end at the total.
                new Reporter(n => running.Written(Math.Min(n + pass.EmptyRowCount, pass.RowsRead))), cancellationToken,
                (written, token) => CompleteInTransactionAsync(import.Id, import.InventoryId, pass.Result, written, mapping, token));
        }
        catch (ImportFileException e)
        {
            return await FailAsync(await ReloadAsync(import.Id, cancellationToken), e.Problem.Message);
        }
        catch (ClientNameConflictException e)
        {
            running.RolledBack(pass.RowsRead, e.RowCount);
            return await NameConflictAsync(import, checker, file, pass.RowsRead, e, cancellationToken);
        }
        catch (ClientsDeletedException e)
        {
            running.RolledBack(pass.RowsRead, 0);
            return await ClientsDeletedAsync(import, checker, file, pass.RowsRead, e, cancellationToken);
        }
        catch (ClientLimitExceededException e)
        {
            // Rolled back: another import filled the rollout meanwhile, or its limit was lowered.
            running.RolledBack(pass.RowsRead, 0);
            logger.LogInformation("Import {ImportId}: the rollout's client limit was reached while it ran; nothing was written",
                import.Id);
            return await FailAsync(await ReloadAsync(import.Id, cancellationToken), e.Message);
        }
        catch (OptionLimitExceededException e)
        {
            // Rolled back: another import or a rollout manager added options to the field meanwhile.
            running.RolledBack(pass.RowsRead, 0);
            logger.LogInformation("Import {ImportId}: a field's option limit was reached while it ran; nothing was written",
                import.Id);
            return await FailAsync(await ReloadAsync(import.Id, cancellationToken), e.Message);
        }
        catch (ImportCheckFailedException)
        {
            // Rolled back: nothing was written, and the progress says so from here on.
            running.RolledBack(pass.RowsRead, pass.FailedRowCount);
            return await RecordFailuresAsync(import.Id, pass, watch, cancellationToken);
        }

        // Committed: the import is Completed (CompleteInTransactionAsync), whatever happens from here on.
        import = await ReloadAsync(import.Id, CancellationToken.None);
        logger.LogInformation(
            "Import {ImportId} checked and wrote {Rows} rows ({Created} new, {Updated} updated clients) in {Seconds:0.00} s",
            import.Id, import.RowsWritten, result.Created, result.Updated, watch.Elapsed.TotalSeconds);
        if (result.CorrectionEntries > 0)
        {
            logger.LogInformation("Import {ImportId}: {Entries} history entries name the values corrected in the browser",
                import.Id, result.CorrectionEntries);
        }

        return import;
    }

    /// <summary>The newest clients read to tell whether an earlier run of an import wrote it (<see cref="WrittenByAnEarlierRunAsync"/>).</summary>
    internal const int NewestClientsRead = 1_000;

    /// <summary>
    /// How long before an import's approval a client may have been stamped and yet take its id after the import's
    /// write began: another import's write that started before and ran beside it, or instances' clocks apart.
    /// </summary>
    internal static readonly TimeSpan WriteOverlap = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether an earlier run of this approval committed its write (clients created by the import, or history entries
    /// naming it) without the import's end. Clients take their ids in the order they are written, so an import's
    /// clients are among the newest: the <see cref="NewestClientsRead"/> newest, by the primary key, are read, and the
    /// look ends there when one of them is the import's, or one was stamped before the import was approved (less
    /// <see cref="WriteOverlap"/>), since the import's clients would be newer still. Only when the newest were all written
    /// after the approval and none by it (other imports wrote that many since) are the inventory's clients asked.
    /// An import that updates existing clients asks the history too, through its index on the import. So nearly always
    /// one query, of one index.
    /// </summary>
    private async Task<bool> WrittenByAnEarlierRunAsync(ClientImport import, CancellationToken cancellationToken)
    {
        var importId = import.Id;
        var newest = await db.Clients.AsNoTracking().OrderByDescending(c => c.Id).Take(NewestClientsRead)
            .Select(c => new { c.CreatedByImportId, c.CreatedAt }).ToListAsync(cancellationToken);
        if (newest.Any(c => c.CreatedByImportId == importId))
        {
            return true;
        }

        var before = (import.ApprovedAt ?? import.CreatedAt) - WriteOverlap;
        if (newest.Count == NewestClientsRead && newest.All(c => c.CreatedAt >= before)
            && await db.Clients.AnyAsync(c => c.InventoryId == import.InventoryId && c.CreatedByImportId == importId, cancellationToken))
        {
            return true;
        }

        return ReadMapping(import).UpdateExisting
               && await db.ClientHistory.AnyAsync(h => h.ImportId == importId, cancellationToken);
    }

    /// <summary>
    /// Completes an import whose clients an earlier run wrote (<see cref="WrittenByAnEarlierRunAsync"/>), with the counts
    /// the database tells: the clients it created, and those whose history names it as having changed them; so it
    /// reads as it did for the run that wrote it, and can be reverted. It is not run again.
    /// </summary>
    private async Task<ClientImport> CompleteWrittenEarlierAsync(ClientImport import, CancellationToken cancellationToken)
    {
        var importId = import.Id;
        var created = await db.Clients.CountAsync(c => c.InventoryId == import.InventoryId && c.CreatedByImportId == importId,
            cancellationToken);
        var updated = await db.ClientHistory
            .Where(h => h.ImportId == importId && h.Action == ClientHistoryAction.Changed)
            .Select(h => h.ClientId).Distinct().CountAsync(cancellationToken);
        var rows = import.RowCount ?? 0;
        var remembered = ReadMapping(import).ToRemembered().ToJson();
        var completed = ImportStatusRules.AfterRun(written: true);
        var now = clock.GetUtcNow();
        var stamp = Guid.NewGuid();
        await db.ImportRowErrors.Where(e => e.ImportId == importId).ExecuteDeleteAsync(cancellationToken);
        var ended = await db.Imports.Where(i => i.Id == importId && i.Status == ImportStatus.InProgress)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, completed)
                .SetProperty(i => i.CreatedCount, created)
                .SetProperty(i => i.UpdatedCount, updated)
                .SetProperty(i => i.RowsChecked, rows)
                .SetProperty(i => i.RowsWritten, rows)
                .SetProperty(i => i.FailedRowCount, 0)
                .SetProperty(i => i.FailureMessage, (string?)null)
                .SetProperty(i => i.FinishedAt, now)
                .SetProperty(i => i.LastActivityAt, now)
                .SetProperty(i => i.ConcurrencyStamp, stamp), cancellationToken);
        if (ended == 0)
        {
            return await EndedByAnotherRunAsync(await ReloadAsync(importId, CancellationToken.None));
        }

        await db.Inventories.Where(i => i.Id == import.InventoryId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastImportMapping, remembered), cancellationToken);
        logger.LogWarning(
            "Import {ImportId} was In Progress, but an earlier run had written it: {Created} clients created, {Updated} " +
            "updated. A version before 2026-12-05 committed the clients and then recorded the import's end apart, and " +
            "stopped between the two. The import is marked Completed instead of run again (each row would fail on its " +
            "own name), and can be reverted",
            importId, created, updated);
        return await ReloadAsync(importId, CancellationToken.None);
    }

    /// <summary>
    /// Marks the import Completed, with its counts, and remembers its mapping for the inventory: in the writer's
    /// transaction, just before it commits, so that the clients and the import's end are one.
    /// </summary>
    private async Task CompleteInTransactionAsync(int importId, int inventoryId, CheckResult check, WriteResult written,
        ImportMapping mapping, CancellationToken cancellationToken)
    {
        var checkedRows = check.RowsRead;
        // The rows skipped, their values all in columns not imported: counted, and the first listed (decision 0081).
        var skippedRows = SkippedRows.Format(check.SkippedRows);
        var remembered = mapping.ToRemembered().ToJson();
        var completed = ImportStatusRules.AfterRun(written: true);
        var now = clock.GetUtcNow();
        var stamp = Guid.NewGuid();
        await db.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, completed)
            .SetProperty(i => i.CreatedCount, written.Created)
            .SetProperty(i => i.UpdatedCount, written.Updated)
            .SetProperty(i => i.RowsChecked, checkedRows)
            .SetProperty(i => i.RowsWritten, checkedRows)
            .SetProperty(i => i.SkippedRowCount, check.EmptyRowCount)
            .SetProperty(i => i.SkippedRows, skippedRows)
            .SetProperty(i => i.FailureMessage, (string?)null)
            .SetProperty(i => i.FinishedAt, now)
            .SetProperty(i => i.LastActivityAt, now)
            .SetProperty(i => i.ConcurrencyStamp, stamp), cancellationToken);
        await db.Inventories.Where(i => i.Id == inventoryId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastImportMapping, remembered), cancellationToken);
    }

    /// <summary>
    /// After a row failed: checks the rows left and records every failed row in bulk as the check finds them (a batch
    /// is stored while the next is checked), then fails the import.
    /// </summary>
    private async Task<ClientImport> RecordFailuresAsync(int importId, CheckPass pass, System.Diagnostics.Stopwatch watch,
        CancellationToken cancellationToken)
    {
        try
        {
            await using var recorder = await FailedRowWriter.OpenAsync(db, importId, cancellationToken);
            foreach (var errors in pass.Failures(RecordBatch))
            {
                await recorder.AddAsync(errors, cancellationToken);
            }

            await recorder.CompleteAsync();
        }
        catch (ImportFileException e)
        {
            // The file cannot be read to its end: its problem is the import's, not the rows recorded so far.
            await db.ImportRowErrors.Where(r => r.ImportId == importId).ExecuteDeleteAsync(cancellationToken);
            return await FailAsync(await ReloadAsync(importId, cancellationToken), e.Problem.Message);
        }

        var check = pass.Result;
        var import = await ReloadAsync(importId, cancellationToken);
        import.RowsChecked = check.RowsRead;
        import.FailedRowCount = check.FailedRowCount;
        logger.LogInformation("Import {ImportId} checked {Rows} rows in {Seconds:0.00} s: {FailedRows} failed, recorded",
            importId, check.RowCount, watch.Elapsed.TotalSeconds, check.FailedRowCount);
        var rows = string.Create(CultureInfo.InvariantCulture,
            $"{check.FailedRowCount:N0} of {check.RowCount:N0} {(check.RowCount == 1 ? "row" : "rows")} could not be imported") + check.SkippedNote();
        // The import as a whole (the client limit, a workflow without statuses) and, when rows failed too, those rows:
        // fixing one of the two alone would fail the next run on the other.
        var message = check.ImportErrors.Count == 0
            ? rows + ". The import was cancelled and no clients have been created or changed."
            : check.FailedRowCount == 0
                ? string.Join(" ", check.ImportErrors)
                : string.Join(" ", check.ImportErrors) + $" Besides, {rows}: correct them too.";
        if (!check.ListsEveryFailedRow)
        {
            message += " " + PartialList(check.ListedRowCount, check.FailedRowCount, check.ListedErrorCount, check.ErrorCount);
        }

        return await FailAsync(import, message);
    }

    /// <summary>
    /// What a failed import says when it lists only some of its failed rows (<see cref="ImportChecker.MaxListedRows"/>,
    /// <see cref="ImportChecker.MaxListedErrors"/>): how many of them, with how many of the errors, and what to do.
    /// </summary>
    public static string PartialList(int listedRows, int failedRows, int listedErrors, int errors) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Only the first {listedRows:N0} of the {failedRows:N0} failed rows are listed, with their {listedErrors:N0} of the {errors:N0} errors ")
        + string.Create(CultureInfo.InvariantCulture,
            $"(an import lists at most {ImportChecker.MaxListedRows:N0} failed rows and {ImportChecker.MaxListedErrors:N0} errors): ")
        + "correct them and approve again to see the rest.";

    private async Task<ClientImport> ReloadAsync(int importId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.Imports.SingleAsync(i => i.Id == importId, cancellationToken);
    }

    /// <summary>
    /// The failure of a run the database stopped: a lock it waited for past the database's lock timeout (null:
    /// PostgreSQL's lock_timeout, SQL Server's LOCK_TIMEOUT, SQLite's busy timeout of a job), a
    /// statement past its statement_timeout, or a database that accepts no writes (decision 0115).
    /// </summary>
    public static string DatabaseFailure(DatabaseOutage? outage) => outage switch
    {
        DatabaseOutage.ReadOnly => "The database accepts no changes (it is read-only), so the import could not be " +
                                   "written; nothing was written. Approve it again once the database accepts changes, or " +
                                   "ask your administrator.",
        DatabaseOutage.TimedOut => "The database stopped the import because a statement took longer than it allows " +
                                   "(its statement_timeout); nothing was written. Approve it again; if it happens again, ask " +
                                   "your administrator to allow imports more time.",
        _ => "The database stopped the import after it waited too long for another session's write (the database's " +
             "lock timeout); nothing was written. Approve it again; if it happens again, ask your administrator which " +
             "session holds the inventory's clients.",
    };

    /// <summary>The failure of a run the database's or the data folder's full disk stopped.</summary>
    public const string DiskFullFailure =
        "The server's disk is full, so the import could not be written; nothing was written. Ask your administrator to " +
        "free some space, then approve the import again.";

    /// <summary>The failure when the database refused a name that no client of the rollout has once rolled back.</summary>
    public const string UnexplainedNameConflict =
        "The database refused a client name of this file as taken, but no client in this rollout has that name now. " +
        "The import was cancelled and no clients have been created or changed. Approve the import again; if it fails " +
        "the same way, the database compares client names differently from this application: ask your administrator " +
        "to check the database's set-up.";

    private async Task<ClientImport> NameConflictAsync(
        ClientImport import, ImportChecker checker, SpreadsheetFile file, int rowsChecked, ClientNameConflictException e,
        CancellationToken cancellationToken)
    {
        import = await ReloadAsync(import.Id, cancellationToken);
        // Every row was checked: the progress says so, also on SQLite, where the run's figures were the process's own.
        import.RowsChecked = rowsChecked;
        if (e.RowCount == 0)
        {
            // The database refused a name, but no client of the rollout has any name of the file now: not another
            // import's doing (that client would be there), and no row of the file to blame. Either the client was
            // removed meanwhile (approving again succeeds), or the database takes two names for one that the
            // application holds apart (on SQL Server, a name key without the binary collation of decision 0043).
            logger.LogWarning(e, "Import {ImportId}: the database refused a client name as taken, but no client of the rollout has a name of the file",
                import.Id);
            return await FailAsync(import, UnexplainedNameConflict);
        }

        await RecordOnNameColumnAsync(import.Id, checker, file, e.Conflicts.Select(c => (c.RowNumber, c.Name,
            $"Name \"{c.Name}\" was taken by another import or user while this import was running.")), cancellationToken);

        import.FailedRowCount = e.RowCount;
        return await FailAsync(import, NamesTakenFailure +
            (e.Conflicts.Count < e.RowCount ? " " + PartialRace(e.Conflicts.Count, e.RowCount) : ""));
    }

    /// <summary>The failure when names of the file were taken between the run's check and its write.</summary>
    public const string NamesTakenFailure =
        "Another import or user created clients with names from this file while it was being written. " +
        "The import was cancelled and no clients have been created or changed.";

    /// <summary>The failure when clients the file updates were deleted between the run's check and its write.</summary>
    public const string ClientsDeletedFailure =
        "Clients this file updates were deleted (by a revert or a user) while it was being written; the rows that name " +
        "them are listed. The import was cancelled and no clients have been created or changed. Check the import again: " +
        "those rows then create new clients (Update existing clients creates a client whose name does not exist), and " +
        "approve it if that is what you want.";

    /// <summary>
    /// Fails the import naming each row whose client (or linked client) was deleted meanwhile, as a name taken meanwhile
    /// is named: nothing was written, and the next Check reads the rollout's clients as they are now.
    /// </summary>
    private async Task<ClientImport> ClientsDeletedAsync(
        ClientImport import, ImportChecker checker, SpreadsheetFile file, int rowsChecked, ClientsDeletedException e,
        CancellationToken cancellationToken)
    {
        import = await ReloadAsync(import.Id, cancellationToken);
        import.RowsChecked = rowsChecked;
        logger.LogWarning("Import {ImportId}: {Rows} rows update clients deleted after the check; nothing was written",
            import.Id, e.RowCount);
        await RecordOnNameColumnAsync(import.Id, checker, file, e.Rows.Select(r => (r.RowNumber, r.Name, r.Partner is null
            ? $"Client \"{r.Name}\" was deleted (by a revert or a user) while this import was running; check the import again to create it anew."
            : $"Client \"{r.Partner}\", which an advanced link ties to \"{r.Name}\" and whose shared value this row sets, was deleted (by a revert or a user) while this import was running; check the import again.")),
            cancellationToken);

        import.FailedRowCount = e.RowCount;
        return await FailAsync(import, e.ListsEveryRow
            ? ClientsDeletedFailure
            : ClientsDeletedFailure + " " + PartialRace(e.ListedRowCount, e.RowCount));
    }

    /// <summary>
    /// Records the failed rows of a write that found the rollout changed since its check (names taken, clients deleted),
    /// each on the file's Name column, with the row's name as its value.
    /// </summary>
    private async Task RecordOnNameColumnAsync(int importId, ImportChecker checker, SpreadsheetFile file,
        IEnumerable<(int Row, string Name, string Message)> rows, CancellationToken cancellationToken)
    {
        var nameColumn = checker.Mapping.NameColumn;
        var header = nameColumn is null ? null : file.Columns.FirstOrDefault(c => c.Letter == nameColumn.Letter)?.Header;
        await using var recorder = await FailedRowWriter.OpenAsync(db, importId, cancellationToken);
        await recorder.AddAsync([.. rows.Select(r => new RowError(r.Row, nameColumn?.Letter, header, r.Name, r.Message))], cancellationToken);
        await recorder.CompleteAsync();
    }

    /// <summary>
    /// What an import failed by names taken or clients deleted meanwhile says when it lists only some of those rows:
    /// the next Check reads the rollout's clients as they are now, for every row, so nothing needs correcting first.
    /// </summary>
    public static string PartialRace(int listedRows, int rows) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Only the first {listedRows:N0} of the {rows:N0} failed rows are listed (an import lists at most ")
        + string.Create(CultureInfo.InvariantCulture,
            $"{ImportChecker.MaxListedRows:N0} failed rows and {ImportChecker.MaxListedErrors:N0} errors); the others failed the same way.");

    /// <summary>
    /// What failed a Failed import's rows, by the message its run left (<see cref="NamesTakenFailure"/>,
    /// <see cref="ClientsDeletedFailure"/>, or anything else: the check), so that what the page and the error report
    /// advise fits it.
    /// </summary>
    public static FailedRowsCause CauseOf(string? failureMessage) =>
        failureMessage is null ? FailedRowsCause.Check
        : failureMessage.StartsWith(ClientsDeletedFailure, StringComparison.Ordinal) ? FailedRowsCause.ClientsDeleted
        : failureMessage.StartsWith(NamesTakenFailure, StringComparison.Ordinal) ? FailedRowsCause.NamesTaken
        : FailedRowsCause.Check;

    private static ImportMapping ReadMapping(ClientImport import) => ImportMapping.FromJson(import.Mapping);

    /// <summary>The CSV's single-byte encoding, in which a "?" may stand for a lost letter (decision 0184); else null.</summary>
    private static string? SingleByteEncoding(SpreadsheetFile file) =>
        file.Format == SpreadsheetFormat.Csv && LostLetterScan.IsSingleByte(file.Options.Encoding) ? file.Options.Encoding : null;

    /// <summary>
    /// Ends the run Failed (<see cref="ImportStatusRules.AfterRun"/>), nothing written. A run that wrote its clients is
    /// Completed in their transaction (<see cref="CompleteInTransactionAsync"/>).
    /// </summary>
    private async Task<ClientImport> FailAsync(ClientImport import, string failure)
    {
        if (!ImportStatusRules.CanRun(import.Status))
        {
            return await EndedByAnotherRunAsync(import);
        }

        import.Status = ImportStatusRules.AfterRun(written: false);
        import.FailureMessage = failure;
        // The heartbeat may have stored the rows written before the roll back: a failed import wrote none.
        import.RowsWritten = 0;
        import.FinishedAt = clock.GetUtcNow();
        import.LastActivityAt = import.FinishedAt.Value;
        import.ConcurrencyStamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another run ended it between this run's read of the import and this write.
            var now = await ReloadAsync(import.Id, CancellationToken.None);
            if (ImportStatusRules.CanRun(now.Status))
            {
                throw;
            }

            return await EndedByAnotherRunAsync(now);
        }

        return import;
    }

    /// <summary>
    /// A run about to fail an import that another run of it has ended meanwhile: an instance of a version before the
    /// SQLite instance lock running beside this one, a job handed out twice. Its outcome stands: a Completed import is
    /// not made Failed by this run's check, which found the other run's clients "already existing", and the failed rows
    /// this run recorded are removed from it (a Completed or Reverted import has none).
    /// </summary>
    private async Task<ClientImport> EndedByAnotherRunAsync(ClientImport import)
    {
        logger.LogWarning("Import {ImportId} was ended {Status} by another run while this one ran; this run's outcome is dropped",
            import.Id, import.Status);
        if (import.Status is ImportStatus.Completed or ImportStatus.Reverted)
        {
            await db.ImportRowErrors.Where(e => e.ImportId == import.Id).ExecuteDeleteAsync(CancellationToken.None);
        }

        return import;
    }

    /// <summary>Calls back synchronously on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Reporter(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    /// <summary>
    /// The figures of a run, reported by checking and by writing from their own threads: each report carries the
    /// other's latest count, and one lock around counting and reporting keeps either figure from ever going back while
    /// the write goes on. Once a row failed the write is rolled back: written is 0 from then on, and the failed rows
    /// are counted as the check goes on.
    /// </summary>
    private sealed class RunProgress(IProgress<ImportProgress>? progress, int total)
    {
        private readonly Lock _gate = new();
        private int _checked;
        private int _written;
        private int _failed;

        public void Checked(int rows, int failed)
        {
            lock (_gate)
            {
                _checked = Math.Max(_checked, rows);
                _failed = Math.Max(_failed, failed);
                progress?.Report(new ImportProgress(_checked, _written, total, _failed));
            }
        }

        public void Written(int rows)
        {
            lock (_gate)
            {
                _written = Math.Max(_written, rows);
                _checked = Math.Max(_checked, rows);
                progress?.Report(new ImportProgress(_checked, _written, total, _failed));
            }
        }

        public void RolledBack(int checkedRows, int failed)
        {
            lock (_gate)
            {
                _written = 0;
                _checked = Math.Max(_checked, checkedRows);
                _failed = Math.Max(_failed, failed);
                progress?.Report(new ImportProgress(_checked, 0, total, _failed));
            }
        }
    }
}
