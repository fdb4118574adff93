using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The failed rows of an import's last run, as the import's page and the API list them: in row order, by keyset on
/// (row, id) through the index on (import, row, id), so a page deep in 100,000 failed rows costs what the first does.
/// </summary>
public static class FailedRows
{
    /// <summary>
    /// How many of the import's failed rows are listed (have their errors kept): every one, or the first
    /// <see cref="ImportChecker.MaxListedRows"/> (fewer when <see cref="ImportChecker.MaxListedErrors"/> came first).
    /// Counted through the index on (import, row, id).
    /// </summary>
    public static async Task<FailedRowsListed> ListedAsync(RolloutDbContext db, ClientImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(import);
        var listed = await db.ImportRowErrors.Where(e => e.ImportId == import.Id).Select(e => e.Row).Distinct()
            .CountAsync(cancellationToken);
        return new FailedRowsListed(Math.Max(import.FailedRowCount, listed), listed, ImportProcessor.CauseOf(import.FailureMessage));
    }

    /// <summary>A column letter as the filter compares it ("b " → "B"); null for no filter.</summary>
    public static string? Column(string? column) =>
        string.IsNullOrWhiteSpace(column) ? null : column.Trim().ToUpperInvariant();

    /// <summary>Whether <paramref name="column"/> can be a column letter (one to three letters, as A to XFD).</summary>
    public static bool IsColumnLetter(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var letters = column.Trim();
        return letters.Length is >= 1 and <= 3 && letters.All(char.IsAsciiLetter);
    }

    /// <summary>The import's failed rows in row order, only those of <paramref name="column"/> (see <see cref="Column"/>) when given.</summary>
    public static IQueryable<ImportRowError> Query(RolloutDbContext db, int importId, string? column) =>
        Filtered(db, importId, column).OrderBy(e => e.Row).ThenBy(e => e.Id);

    /// <summary>The position of a failed row in the list, for after= and before=.</summary>
    public static string Cursor(ImportRowError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return string.Create(CultureInfo.InvariantCulture, $"{error.Row}.{error.Id}");
    }

    /// <summary>Why a cursor of the failed rows of a run the import replaced since is refused (decision 0109).</summary>
    public const string RanAgain = "The import ran again since this page was read: start again from the first page of its failed rows.";

    /// <summary>
    /// Whether the after= or before= of <paramref name="position"/> names a failed row of a run that is no longer the
    /// import's last (decision 0109): each run deletes the errors of the one before and writes its own with new ids, so
    /// the walk would go on among the new run's rows from an id none of them has, listing the boundary row again. One
    /// lookup by key; a <see cref="From"/> position (id 0) and a cursor that is not one are never stale.
    /// </summary>
    public static async Task<bool> RanAgainAsync(RolloutDbContext db, int importId, ListPosition position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(position);
        var cursor = !string.IsNullOrEmpty(position.After) ? position.After : position.Before;
        return !string.IsNullOrEmpty(cursor) && Parse(cursor) is (_, > 0 and var id)
            && !await db.ImportRowErrors.AnyAsync(e => e.Id == id && e.ImportId == importId, cancellationToken);
    }

    /// <summary>The after= that lists the failed rows from <paramref name="row"/> on (its errors first).</summary>
    public static string From(int row) => string.Create(CultureInfo.InvariantCulture, $"{row}.0");

    /// <summary>The row an after= made by <see cref="From"/> names; null for a pager's cursor or none.</summary>
    public static int? FromRow(string? after) => after is not null && Parse(after) is (var row, 0) ? row : null;

    /// <summary>How many failed rows (of <paramref name="column"/>, see <see cref="Column"/>) come before <paramref name="row"/>.</summary>
    public static Task<int> RowsBeforeAsync(RolloutDbContext db, int importId, string? column, int row, CancellationToken cancellationToken) =>
        Filtered(db, importId, column).Where(e => e.Row < row).Select(e => e.Row).Distinct().CountAsync(cancellationToken);

    public static Task<KeysetPage<ImportRowError>> PageAsync(RolloutDbContext db, int importId, string? column, ListPosition position,
        int size, CancellationToken cancellationToken) =>
        KeysetPage<ImportRowError>.ReadAsync(position, size, Cursor, async (read, count) =>
        {
            var errors = Filtered(db, importId, column);
            if (read.Cursor is not null)
            {
                if (Parse(read.Cursor) is not var (row, id))
                {
                    return null;
                }

                // The row bound is what the index seeks to; the id only sorts out the rest of that row's errors.
                errors = read.Forward
                    ? errors.Where(e => e.Row >= row && (e.Row > row || e.Id > id))
                    : errors.Where(e => e.Row <= row && (e.Row < row || e.Id < id));
            }

            var ordered = read.Forward
                ? errors.OrderBy(e => e.Row).ThenBy(e => e.Id)
                : errors.OrderByDescending(e => e.Row).ThenByDescending(e => e.Id);
            return await ordered.Take(count).ToListAsync(cancellationToken);
        });

    private static IQueryable<ImportRowError> Filtered(RolloutDbContext db, int importId, string? column)
    {
        ArgumentNullException.ThrowIfNull(db);
        var errors = db.ImportRowErrors.AsNoTracking().Where(e => e.ImportId == importId);
        if (Column(column) is { } letter)
        {
            errors = errors.Where(e => e.Column == letter);
        }

        return errors;
    }

    private static (int Row, long Id)? Parse(string cursor) =>
        cursor.Split('.') is [var row, var id]
        && int.TryParse(row, NumberStyles.None, CultureInfo.InvariantCulture, out var r)
        && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            ? (r, i) : null;
}

/// <summary>
/// An import's failed rows (<see cref="FailedRows"/>), how many of them are listed, and what failed them (the advice
/// given when the list is partial differs: rows the check failed are corrected, rows of a write's race are checked again).
/// </summary>
public sealed record FailedRowsListed(int FailedRows, int ListedRows, FailedRowsCause Cause = FailedRowsCause.Check)
{
    /// <summary>Whether the list holds every failed row.</summary>
    public bool Complete => ListedRows >= FailedRows;

    /// <summary>"the first 100,000 of the 150,000 failed rows".</summary>
    public string Part => string.Create(CultureInfo.InvariantCulture, $"the first {ListedRows:N0} of the {FailedRows:N0} failed rows");

    /// <summary>Why the list is partial, and what to do, for the page.</summary>
    public string Note => string.Create(CultureInfo.InvariantCulture,
        $"Only {Part} are listed: an import lists at most {ImportChecker.MaxListedRows:N0} failed rows and " +
        $"{ImportChecker.MaxListedErrors:N0} errors. ") + Cause switch
    {
        FailedRowsCause.ClientsDeleted => "The others failed the same way, and nothing in the file needs correcting: check the " +
            "import again to see which rows now create new clients, then approve it if that is what you want.",
        FailedRowsCause.NamesTaken => "The others failed the same way: check the import again, which reads every row against " +
            "the clients as they are now and lists each name that is taken.",
        _ => "Correct these and approve again to see the rest.",
    };

    /// <summary>The same, as the first row of the error report of import <paramref name="importId"/> says it.</summary>
    public string ReportNote(int importId) => string.Create(CultureInfo.InvariantCulture,
        $"This report holds {Part} of import {importId}: an import lists at most {ImportChecker.MaxListedRows:N0} failed rows and {ImportChecker.MaxListedErrors:N0} errors. ") + Cause switch
    {
        FailedRowsCause.ClientsDeleted => "The other rows failed the same way: the clients they update were deleted (by a revert " +
            "or a user) while the import ran, and nothing in the file needs correcting. Check the import again on its page to " +
            "see which rows now create new clients, then approve it if that is what you want.",
        FailedRowsCause.NamesTaken => "The other rows failed the same way: another import or user took their names while the " +
            "import ran. Check the import again on its page: it reads every row against the clients as they are now and " +
            "lists each name that is taken.",
        _ => "The other rows failed too: correct these (on the import's page or in your file) and import again, and the next run lists the rest.",
    };
}
