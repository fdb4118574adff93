using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// One run of an import: the approval that started it and how it ended. <see cref="Latest"/> is the run the import
/// carries itself (its status, counts and failed rows are that run's); the others are the earlier runs kept in
/// <see cref="RolloutDbContext.ImportRuns"/> (decision 0083). <see cref="Outcome"/> is In Progress while the run runs, and
/// Completed also for an import reverted since (the revert is not a run).
/// </summary>
public sealed record ImportRunEntry(int Number, bool Latest, User? ApprovedBy, DateTimeOffset? ApprovedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, ImportStatus Outcome, int? RowCount, int Created, int Updated, int FailedRows, string? FailureMessage,
    int Attempts)
{
    public TimeSpan? Duration => StartedAt is { } started && FinishedAt is { } finished ? finished - started : null;
}

/// <summary>
/// The runs of an import, newest first: the latest (on the import, when it is approved) and the last
/// <see cref="EarlierShown"/> earlier ones kept; runs are numbered 1, 2, … without gaps, so the oldest shown tells how many
/// older ones are not (<see cref="NotShown"/>).
/// </summary>
public static class ImportRunHistory
{
    /// <summary>How many earlier runs a page or the API lists at most, newest first (decision 0093).</summary>
    public const int EarlierShown = 20;

    /// <summary>How many earlier runs are older than those listed in <paramref name="runs"/> (as read by <see cref="ReadAsync"/>).</summary>
    public static int NotShown(IReadOnlyList<ImportRunEntry> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return runs.Count > 0 && !runs[^1].Latest ? runs[^1].Number - 1 : 0;
    }

    /// <param name="latestApprover">Whether to read the latest run's approver when the import does not carry it; false for
    /// a caller that names the approver itself (the API, from the users it has read already).</param>
    public static async Task<IReadOnlyList<ImportRunEntry>> ReadAsync(RolloutDbContext db, ClientImport import,
        CancellationToken cancellationToken, bool latestApprover = true)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(import);
        // A run is kept only when a later approval, or a changed mapping after a run, replaces it: either leaves the
        // approval time different from the first one. An import on its first approval (what a script polls while it
        // runs) has none, and its page or status is read without asking (GET /api/imports/{id} is a fifth of the load
        // benchmark's requests).
        var mayHaveEarlier = import.FirstApprovedAt is { } first && import.ApprovedAt != first;
        var earlier = !mayHaveEarlier ? [] : await db.ImportRuns.AsNoTracking().Include(r => r.ApprovedBy)
            .Where(r => r.ImportId == import.Id)
            .OrderByDescending(r => r.Number)
            .Take(EarlierShown)
            .ToListAsync(cancellationToken);
        var runs = new List<ImportRunEntry>(earlier.Count + 1);
        if (import.ApprovedAt is not null && import.Status is ImportStatus.InProgress or ImportStatus.Failed
                or ImportStatus.Completed or ImportStatus.Reverted)
        {
            var approvedBy = import.ApprovedBy;
            if (approvedBy is null && latestApprover && import.ApprovedById is { } approverId)
            {
                approvedBy = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == approverId, cancellationToken);
            }

            runs.Add(new ImportRunEntry((earlier.Count > 0 ? earlier[0].Number : 0) + 1, true, approvedBy, import.ApprovedAt,
                import.StartedAt, import.FinishedAt, import.Status == ImportStatus.Reverted ? ImportStatus.Completed : import.Status,
                import.RowCount, import.CreatedCount, import.UpdatedCount, import.FailedRowCount, import.FailureMessage, import.Attempt));
        }

        runs.AddRange(earlier.Select(r => new ImportRunEntry(r.Number, false, r.ApprovedBy, r.ApprovedAt, r.StartedAt, r.FinishedAt,
            r.Outcome, r.RowCount, r.CreatedCount, r.UpdatedCount, r.FailedRowCount, r.FailureMessage, r.Attempts)));
        return runs;
    }
}
