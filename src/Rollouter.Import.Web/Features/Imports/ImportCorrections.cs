using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The corrections of an import as the import's page, the review and the API show them: who, when, old → new. An import
/// holds up to 10,000 corrected cells (<c>CorrectionChanges.MaxCells</c>), so neither the page nor the API lists them
/// all at once: the page shows the newest (<see cref="NewestAsync"/>, <see cref="PageSize"/> a page) and the corrections
/// of the failing cells it lists (<see cref="OfRowsAsync"/>); the API pages them in row order (<see cref="RowPageAsync"/>).
/// </summary>
public static class ImportCorrections
{
    /// <summary>The corrected cells the import's page lists at a time, newest first.</summary>
    public const int PageSize = 50;

    /// <summary>The corrected cells an API answer holds unless <c>pageSize</c> says otherwise.</summary>
    public const int ApiDefaultPageSize = 1_000;

    /// <summary>
    /// The API's page of corrected cells in row order (then column: B before AA), after <paramref name="after"/> (a
    /// <see cref="RowCursor"/>), and the cursor of the next page (null on the last). Null for a cursor that is not one.
    /// </summary>
    public static async Task<(List<CellCorrectionDto> Cells, string? Next)?> RowPageAsync(RolloutDbContext db, int importId,
        string? after, int size, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var cells = db.ImportCellCorrections.AsNoTracking().Where(c => c.ImportId == importId);
        if (after is not null)
        {
            if (ParseRowCursor(after) is not var (row, column))
            {
                return null;
            }

            // The unique index on (import, row, column) serves the row bound; a row's few columns are sorted as letters are.
            cells = cells.Where(c => c.Row > row || (c.Row == row && (c.Column.Length > column.Length
                || (c.Column.Length == column.Length && string.Compare(c.Column, column) > 0))));
        }

        var read = await cells.OrderBy(c => c.Row).ThenBy(c => c.Column.Length).ThenBy(c => c.Column)
            .Take(size + 1)
            .Select(c => new CellCorrectionDto(c.Row, c.Column, c.Value, c.Original, c.By.DisplayName, c.At, c.ById))
            .ToListAsync(cancellationToken);
        var page = read.Take(size).ToList();
        return (page, read.Count > size ? RowCursor(page[^1]) : null);
    }

    /// <summary>
    /// The page's list of corrected cells: the newest first (by when each was last changed), <see cref="PageSize"/> of
    /// them older than <paramref name="after"/> (a <see cref="NewestCursor"/>; the newest for none or a cursor that is
    /// not one), the cursor of the older ones (null when there are none) and the cursor the list starts after (null for the newest).
    /// </summary>
    public static async Task<(List<CellCorrectionDto> Cells, string? Older, string? After)> NewestAsync(RolloutDbContext db,
        int importId, string? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var cells = db.ImportCellCorrections.AsNoTracking().Where(c => c.ImportId == importId);
        if (after is not null && ParseNewestCursor(after) is var (at, id))
        {
            cells = cells.Where(c => c.At < at || (c.At == at && c.Id < id));
        }
        else
        {
            after = null;
        }

        var read = await cells.OrderByDescending(c => c.At).ThenByDescending(c => c.Id)
            .Take(PageSize + 1)
            .Select(c => new { c.Id, Cell = new CellCorrectionDto(c.Row, c.Column, c.Value, c.Original, c.By.DisplayName, c.At, c.ById) })
            .ToListAsync(cancellationToken);
        var page = read.Take(PageSize).ToList();
        return ([.. page.Select(c => c.Cell)],
            read.Count > PageSize ? NewestCursor(page[^1].Cell.At, page[^1].Id) : null, page.Count > 0 ? after : null);
    }

    /// <summary>The corrections of the cells in <paramref name="rows"/> (the failing cells a page lists), by row and column letter.</summary>
    public static async Task<IReadOnlyDictionary<(int Row, string Column), CellCorrectionDto>> OfRowsAsync(RolloutDbContext db,
        int importId, IReadOnlyCollection<int> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return new Dictionary<(int, string), CellCorrectionDto>();
        }

        var wanted = rows.Distinct().ToList();
        return (await db.ImportCellCorrections.AsNoTracking()
                .Where(c => c.ImportId == importId && wanted.Contains(c.Row))
                .Select(c => new CellCorrectionDto(c.Row, c.Column, c.Value, c.Original, c.By.DisplayName, c.At, c.ById))
                .ToListAsync(cancellationToken))
            .ToDictionary(c => (c.Row, c.Column.ToUpperInvariant()));
    }

    /// <summary>The value replacements (at most 1,000 an import), by column and value.</summary>
    public static Task<List<ReplacementDto>> ReplacementsAsync(RolloutDbContext db, int importId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.ImportValueReplacements.AsNoTracking()
            .Where(r => r.ImportId == importId)
            .OrderBy(r => r.Column.Length).ThenBy(r => r.Column).ThenBy(r => r.From)
            .Select(r => new ReplacementDto(r.Column, r.From, r.To, r.By.DisplayName, r.At, r.ById))
            .ToListAsync(cancellationToken);
    }

    public static async Task<CorrectionCountsDto> CountAsync(RolloutDbContext db, int importId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return new CorrectionCountsDto(
            await db.ImportCellCorrections.CountAsync(c => c.ImportId == importId, cancellationToken),
            await db.ImportValueReplacements.CountAsync(r => r.ImportId == importId, cancellationToken));
    }

    /// <summary>The API's position of a corrected cell: "row.column" ("12.B").</summary>
    public static string RowCursor(CellCorrectionDto cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return string.Create(CultureInfo.InvariantCulture, $"{cell.Row}.{cell.Column}");
    }

    /// <summary>The page's position of a corrected cell: when it was corrected (UTC ticks) and its id.</summary>
    public static string NewestCursor(DateTimeOffset at, long id) =>
        string.Create(CultureInfo.InvariantCulture, $"{at.UtcTicks}.{id}");

    private static (int Row, string Column)? ParseRowCursor(string cursor) =>
        cursor.Split('.') is [var row, var column]
        && int.TryParse(row, NumberStyles.None, CultureInfo.InvariantCulture, out var r)
        && column.Length is > 0 and <= 8 && column.All(char.IsAsciiLetterUpper)
            ? (r, column) : null;

    private static (DateTimeOffset At, long Id)? ParseNewestCursor(string cursor) =>
        cursor.Split('.') is [var ticks, var id]
        && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
        && t >= DateTimeOffset.MinValue.UtcTicks && t <= DateTimeOffset.MaxValue.UtcTicks
        && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            ? (new DateTimeOffset(t, TimeSpan.Zero), i) : null;
}
