using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>The corrections of an import as the import's page, the review and the API show them: who, when, old → new.</summary>
public static class ImportCorrections
{
    public static async Task<CorrectionsDto> LoadAsync(RolloutDbContext db, int importId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var cells = await db.ImportCellCorrections.AsNoTracking()
            .Where(c => c.ImportId == importId)
            .OrderBy(c => c.Row).ThenBy(c => c.Column.Length).ThenBy(c => c.Column)
            .Select(c => new CellCorrectionDto(c.Row, c.Column, c.Value, c.Original, c.By.DisplayName, c.At, c.ById))
            .ToListAsync(cancellationToken);
        var replacements = await db.ImportValueReplacements.AsNoTracking()
            .Where(r => r.ImportId == importId)
            .OrderBy(r => r.Column.Length).ThenBy(r => r.Column).ThenBy(r => r.From)
            .Select(r => new ReplacementDto(r.Column, r.From, r.To, r.By.DisplayName, r.At, r.ById))
            .ToListAsync(cancellationToken);
        return new CorrectionsDto(cells, replacements);
    }

    public static async Task<CorrectionCountsDto> CountAsync(RolloutDbContext db, int importId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return new CorrectionCountsDto(
            await db.ImportCellCorrections.CountAsync(c => c.ImportId == importId, cancellationToken),
            await db.ImportValueReplacements.CountAsync(r => r.ImportId == importId, cancellationToken));
    }
}
