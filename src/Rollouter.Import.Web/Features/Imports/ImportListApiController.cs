using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// An import in the rollout's list (<c>GET /api/rollouts/{id}/imports</c>): what the imports page shows of it, with the
/// file's size and SHA-256 (hex, as stored at the upload), so that a script can find the import an upload made when its
/// answer was lost; who reverted it and when (null unless Reverted); and the rows its Completed run skipped, in the shape
/// of <c>GET /api/imports/{id}</c>'s <c>skipped</c> (null before the run completed, or for a run completed before they
/// were recorded; decision 0081), read in the list's one query.
/// </summary>
public sealed record ImportSummaryDto(int Id, ImportStatus Status, string FileName, long FileSize, string? FileSha256,
    int InventoryId, string Inventory, UserRefDto CreatedBy, DateTimeOffset CreatedAt, UserRefDto? ApprovedBy,
    DateTimeOffset? ApprovedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int? RowCount, CountsDto Counts,
    UserRefDto? RevertedBy = null, DateTimeOffset? RevertedAt = null, SkippedDto? Skipped = null);

/// <summary>
/// The rollout's imports for scripts, newest first, as the imports page lists them: the import history per rollout.
/// Rollout Manager or higher, or a key account manager, who are members (as <c>GET /api/imports/{id}</c>).
/// </summary>
[Route("api")]
public sealed class ImportListApiController(RolloutDbContext db, RolloutAccess access) : ApiControllerBase(db, access)
{
    /// <summary>
    /// The rollout's imports, newest first, <paramref name="pageSize"/> (1–1,000; 50 unless given) a page by keyset:
    /// <c>next</c> of an answer is the <c>after</c> of the next page. <paramref name="status"/> keeps the imports of one
    /// status (Incomplete, WaitingForApproval, InProgress, Failed, Completed, Reverted), <paramref name="fileName"/> those
    /// of one file name, as the upload kept it (without folders), <paramref name="inventoryId"/> those of one inventory
    /// (an import's later imports: the ids above it).
    /// </summary>
    [HttpGet("rollouts/{id:int}/imports")]
    [ProducesResponseType<PageDto<ImportSummaryDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Imports(int id, string? status = null, string? fileName = null, int? inventoryId = null,
        string? after = null, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        var rollout = await Access.RolloutAsync(User, id, RolloutRequirement.ImportReader, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        var imports = Db.Imports.AsNoTracking().Where(i => i.RolloutId == id);
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.GetNames<ImportStatus>().FirstOrDefault(n => string.Equals(n, status.Trim(), StringComparison.OrdinalIgnoreCase)) is not { } name)
            {
                return Refuse(Import.Problem.Invalid($"There is no status \"{status}\": {string.Join(", ", Enum.GetNames<ImportStatus>())}.",
                    "status"));
            }

            var chosen = Enum.Parse<ImportStatus>(name);
            imports = imports.Where(i => i.Status == chosen);
        }

        if (!string.IsNullOrEmpty(fileName))
        {
            // As the upload keeps it: "C:\Users\bob\inv.csv" finds inv.csv.
            var kept = ImportLifecycle.KeptFileName(fileName);
            imports = imports.Where(i => i.FileName == kept);
        }

        if (inventoryId is { } inventory)
        {
            imports = imports.Where(i => i.InventoryId == inventory);
        }

        int? before = null;
        if (!string.IsNullOrEmpty(after))
        {
            if (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return Refuse(Import.Problem.Invalid("after is not a position in this list: take next from an answer.", "after"));
            }

            before = last;
        }

        var size = Paging.Of(1, pageSize, PageDto.MaxPageSize).PageSize;
        var total = await imports.CountAsync(cancellationToken);
        if (before is { } below)
        {
            imports = imports.Where(i => i.Id < below);
        }

        var rows = await imports.OrderByDescending(i => i.Id).Take(size + 1)
            .Select(i => new
            {
                i.Id, i.Status, i.FileName, i.FileSize, i.FileSha256, i.InventoryId, Inventory = i.Inventory.Name,
                CreatedBy = new UserRefDto(i.CreatedById, i.CreatedBy.DisplayName, i.CreatedBy.Email), i.CreatedAt,
                ApprovedBy = i.ApprovedBy == null ? null : new UserRefDto(i.ApprovedBy.Id, i.ApprovedBy.DisplayName, i.ApprovedBy.Email),
                i.ApprovedAt, i.StartedAt, i.FinishedAt, i.RowCount, i.CreatedCount, i.UpdatedCount, i.FailedRowCount,
                RevertedBy = i.Status != ImportStatus.Reverted || i.RevertedBy == null
                    ? null
                    : new UserRefDto(i.RevertedBy.Id, i.RevertedBy.DisplayName, i.RevertedBy.Email),
                i.RevertedAt, i.SkippedRowCount, i.SkippedRows,
            })
            .ToListAsync(cancellationToken);
        var items = rows.Take(size).Select(i => new ImportSummaryDto(i.Id, i.Status, i.FileName, i.FileSize, i.FileSha256,
            i.InventoryId, i.Inventory, i.CreatedBy, i.CreatedAt, i.ApprovedBy, i.ApprovedAt, i.StartedAt, i.FinishedAt, i.RowCount,
            new CountsDto(i.CreatedCount, i.UpdatedCount, i.FailedRowCount), i.RevertedBy, i.RevertedAt,
            SkippedDto.Of(i.SkippedRowCount, i.SkippedRows))).ToList();
        var next = rows.Count > size ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return Ok(new PageDto<ImportSummaryDto>(total, before is null ? 1 : null, size, items, next));
    }
}
