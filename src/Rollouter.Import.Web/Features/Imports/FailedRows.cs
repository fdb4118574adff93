using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>The failed rows of an import's last run, as the import's page and the API list them.</summary>
public static class FailedRows
{
    /// <summary>A column letter as the filter compares it ("b " → "B"); null for no filter.</summary>
    public static string? Column(string? column) =>
        string.IsNullOrWhiteSpace(column) ? null : column.Trim().ToUpperInvariant();

    /// <summary>The import's failed rows in row order, only those of <paramref name="column"/> (see <see cref="Column"/>) when given.</summary>
    public static IQueryable<ImportRowError> Query(RolloutDbContext db, int importId, string? column)
    {
        ArgumentNullException.ThrowIfNull(db);
        var errors = db.ImportRowErrors.AsNoTracking().Where(e => e.ImportId == importId);
        if (Column(column) is { } letter)
        {
            errors = errors.Where(e => e.Column == letter);
        }

        return errors.OrderBy(e => e.Row).ThenBy(e => e.Id);
    }
}
