namespace Rollouter.Import.Data.Entities;

/// <summary>
/// An earlier run of an import, as it ended: kept when a new approval (or a changed mapping or file settings of a Failed
/// import) replaces the last run's approver, times, counts and failure message on the import. The latest run stays on
/// the import itself (<see cref="ClientImport.ApprovedAt"/> and the fields after it), where the job, the recovery and
/// the lists read it; its failed rows are the only ones kept (decision 0083).
/// </summary>
public class ImportRun
{
    public long Id { get; set; }

    public int ImportId { get; set; }

    public ClientImport Import { get => field ?? throw Navigation.NotLoaded(this, nameof(Import)); set; }

    /// <summary>1 for the import's first approval's run, one more for each approval after it.</summary>
    public int Number { get; set; }

    public int? ApprovedById { get; set; }

    public User? ApprovedBy { get; set; }

    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>The key a script sent with the run's approval (<see cref="ClientImport.ApprovalIdempotencyKey"/>), or null.</summary>
    public string? ApprovalIdempotencyKey { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>How the run ended: Failed for every run a later approval replaced (only a Failed import is approved again).</summary>
    public ImportStatus Outcome { get; set; }

    /// <summary>The rows of the file as the run read them (the file settings of that run).</summary>
    public int? RowCount { get; set; }

    public int CreatedCount { get; set; }

    public int UpdatedCount { get; set; }

    public int FailedRowCount { get; set; }

    /// <summary>The run's problem with the import as a whole, or its "N of M rows could not be imported".</summary>
    public string? FailureMessage { get; set; }

    /// <summary>How many times the run was started (more than 1 after an interruption).</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// The last run <paramref name="import"/> carries (its approval and what the run left), as run <paramref name="number"/>
    /// that ended <paramref name="outcome"/>.
    /// </summary>
    public static ImportRun Of(ClientImport import, int number, ImportStatus outcome, int? rowCount)
    {
        ArgumentNullException.ThrowIfNull(import);
        return new ImportRun
        {
            ImportId = import.Id,
            Number = number,
            ApprovedById = import.ApprovedById,
            ApprovedAt = import.ApprovedAt,
            ApprovalIdempotencyKey = import.ApprovalIdempotencyKey,
            StartedAt = import.StartedAt,
            FinishedAt = import.FinishedAt,
            Outcome = outcome,
            RowCount = rowCount,
            CreatedCount = import.CreatedCount,
            UpdatedCount = import.UpdatedCount,
            FailedRowCount = import.FailedRowCount,
            FailureMessage = import.FailureMessage,
            Attempts = import.Attempt,
        };
    }
}
