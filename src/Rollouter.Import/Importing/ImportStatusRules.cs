using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Importing;

/// <summary>
/// The one place that decides what may be done to an import in each status and which status follows. The life cycle
/// (<see cref="ImportLifecycle"/>), the processor, the pages and the API all ask here, so a page never offers what the
/// API refuses, nor the other way round.
/// <code>
///   upload ─► Incomplete ◄──── mapping ────► Waiting for Approval ──┐
///                                               ▲                 approve
///                                               │ mapping           ▼
///                                             Failed ◄── run ── In Progress ── run ──► Completed ── revert ──► Reverted
///                                               └──── approve ──────┘
/// </code>
/// Mapping, file settings and corrections change while Incomplete, Waiting for Approval or Failed; Check and Approve
/// need Waiting for Approval or Failed; only an import In Progress runs; an abandoned import (Incomplete or Waiting
/// for Approval, never approved) can be discarded, with its file: one that has run is kept for the reviews, whatever
/// its status now (decision 0062). Corrections leave the status as it is: a Failed import stays Failed,
/// its failed rows the last run's verdict, until it is checked or approved again; so does saving the mapping or the file
/// settings it already has (only a changed one moves it on, decision 0025, and then without the last run's verdict:
/// <c>ImportLifecycle</c> clears its failed rows, counts, approver and times). Only a Completed import is reverted, once (a Reverted
/// import is final: nothing more is done to it).
/// </summary>
public static class ImportStatusRules
{
    /// <summary>The statuses an approval moves on from, for the one conditional UPDATE that lets one of two racing approvals win.</summary>
    public static IReadOnlyList<ImportStatus> Approvable { get; } = [ImportStatus.WaitingForApproval, ImportStatus.Failed];

    public static bool CanEditMapping(ImportStatus status) =>
        status is ImportStatus.Incomplete or ImportStatus.WaitingForApproval or ImportStatus.Failed;

    public static bool CanChangeFileSettings(ImportStatus status) => CanEditMapping(status);

    /// <summary>Cell corrections and value replacements: whenever the mapping may change, for the same reason.</summary>
    public static bool CanCorrect(ImportStatus status) => CanEditMapping(status);

    /// <summary>The dry run needs a complete mapping and an import that may still be approved.</summary>
    public static bool CanCheck(ImportStatus status) => Approvable.Contains(status);

    public static bool CanApprove(ImportStatus status) => Approvable.Contains(status);

    /// <summary>
    /// The statuses of an abandoned import, which can be discarded when it never ran (<see cref="HasRun"/>): nothing of it
    /// was ever written, and no review describes a run of it.
    /// </summary>
    public static IReadOnlyList<ImportStatus> Discardable { get; } = [ImportStatus.Incomplete, ImportStatus.WaitingForApproval];

    /// <summary>
    /// Approved at least once, so it ran (or runs): a Failed import moved back to Waiting for Approval or Incomplete by a
    /// changed mapping forgets its last run's approver and times, not its first approval.
    /// </summary>
    public static bool HasRun(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return import.FirstApprovedAt is not null || import.ApprovedAt is not null;
    }

    /// <summary>
    /// Only an abandoned import that never ran is discarded, with its file; one that has run is kept for the key account
    /// managers' reviews and the import history, whatever its status now (decision 0062).
    /// </summary>
    public static bool CanDiscard(ClientImport import) => Discardable.Contains(Status(import)) && !HasRun(import);

    /// <summary>Only an approved import runs; a run of any other (a second job, a retry after the end) does nothing.</summary>
    public static bool CanRun(ImportStatus status) => status == ImportStatus.InProgress;

    /// <summary>Only a Completed import is taken back; a Reverted one stays as it is.</summary>
    public static bool CanRevert(ImportStatus status) => status == ImportStatus.Completed;

    /// <summary>A revert asked for and not yet ended: the import stays Completed until the revert commits.</summary>
    public static bool IsReverting(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return import.Status == ImportStatus.Completed && import.RevertRequestedAt is not null;
    }

    /// <summary>The failed rows of the last run, as a workbook: a failed import that recorded some.</summary>
    public static bool CanDownloadErrorReport(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return import.Status == ImportStatus.Failed && import.FailedRowCount > 0 && import.FileSha256 is not null;
    }

    /// <summary>After a mapping is saved (or suggested): Incomplete until Name is mapped and the mapping holds no error.</summary>
    public static ImportStatus AfterMapping(MappingValidation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return validation.CanApprove ? ImportStatus.WaitingForApproval : ImportStatus.Incomplete;
    }

    /// <summary>
    /// After the mapping or the file settings are saved again: a changed one as <see cref="AfterMapping(MappingValidation)"/>;
    /// an unchanged one leaves a Failed import Failed (its failed rows, error report and cell editors stay the last
    /// run's verdict) as long as its mapping can still be approved.
    /// </summary>
    public static ImportStatus AfterMapping(MappingValidation validation, ImportStatus current, bool changed)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return !changed && current == ImportStatus.Failed && validation.CanApprove ? ImportStatus.Failed : AfterMapping(validation);
    }

    public static ImportStatus AfterApproval => ImportStatus.InProgress;

    public static ImportStatus AfterRevert => ImportStatus.Reverted;

    /// <summary>A run ends Completed when every row was written, else Failed with nothing written.</summary>
    public static ImportStatus AfterRun(bool written) => written ? ImportStatus.Completed : ImportStatus.Failed;

    /// <summary>Why the mapping cannot change now; null when it can.</summary>
    public static Problem? RefuseMappingChange(ClientImport import) => CanEditMapping(Status(import)) ? null
        : Problem.Conflict($"Import {import.Id} is {Name(import.Status)}: its mapping can no longer be changed.");

    public static Problem? RefuseFileSettingsChange(ClientImport import) => CanChangeFileSettings(Status(import)) ? null
        : Problem.Conflict($"Import {import.Id} is {Name(import.Status)}: its file settings can no longer be changed.");

    public static Problem? RefuseCorrection(ClientImport import) => CanCorrect(Status(import)) ? null
        : Problem.Conflict($"Import {import.Id} is {Name(import.Status)}: its cells can no longer be corrected.");

    /// <summary>
    /// Why the import cannot be checked now; null when it can. An Incomplete import is refused with
    /// <paramref name="mappingErrors"/>, the errors of its mapping as the mapping page shows them (see
    /// <c>ImportLifecycle.RefuseCheckAsync</c>).
    /// </summary>
    public static Problem? RefuseCheck(ClientImport import, IReadOnlyList<string>? mappingErrors = null) => CanCheck(Status(import))
        ? null
        : Problem.Conflict(import.Status switch
        {
            ImportStatus.Incomplete => $"Import {import.Id} is Incomplete: {Reasons(mappingErrors)} Correct the mapping and save it before checking.",
            _ => $"Import {import.Id} is {Name(import.Status)}: there is nothing to check.",
        });

    /// <summary>Why the import cannot be approved now; null when it can. As <see cref="RefuseCheck"/> for an Incomplete import.</summary>
    public static Problem? RefuseApproval(ClientImport import, IReadOnlyList<string>? mappingErrors = null) => CanApprove(Status(import))
        ? null
        : Problem.Conflict(import.Status switch
        {
            ImportStatus.InProgress => $"Import {import.Id} is already In Progress.",
            ImportStatus.Incomplete => $"Import {import.Id} is Incomplete: {Reasons(mappingErrors)} Correct the mapping and save it first.",
            _ => $"Import {import.Id} is {Name(import.Status)} and cannot be approved.",
        });

    /// <summary>The member of the problem details that lists a refused mapping's errors (<c>column</c>, <c>message</c>).</summary>
    public const string MappingErrorsMember = "mappingErrors";

    /// <summary>
    /// An import that may be approved whose saved mapping has errors against its inventory as it is now (a field taken
    /// off it since the mapping was saved): refused, naming them, with <c>field</c> the first one's column letter and
    /// <c>mappingErrors</c> all of them, as the import's <c>mappingErrors</c> give them; null when there are none.
    /// </summary>
    public static Problem? RefuseMappingErrors(ClientImport import, IReadOnlyList<MappingIssue> mappingErrors)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(mappingErrors);
        return mappingErrors.Count == 0 ? null
            : new Problem(ProblemKind.Conflict, $"Import {import.Id} cannot be approved: its column-field assignment has errors. " +
                $"{Reasons([.. mappingErrors.Select(e => e.Message)])} Correct the assignment and save it, then approve; nothing was changed.",
                mappingErrors.FirstOrDefault(e => e.Column is not null)?.Column)
            {
                Extensions = new Dictionary<string, object?>
                {
                    [MappingErrorsMember] = mappingErrors,
                },
            };
    }

    /// <summary>
    /// An import that may be approved whose kept file is no longer on the server, or cannot be read there (decision 0067):
    /// refused as the file's downloads are (410 Gone), with their words, before anything changes (decision 0073).
    /// </summary>
    public static Problem RefuseFileGone(ClientImport import, Problem gone)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(gone);
        return Problem.Gone($"Import {import.Id} cannot be approved: {gone.Message} Nothing was changed.");
    }

    /// <summary>The mapping's errors in one text; without them (the file could not be read) a general sentence.</summary>
    private static string Reasons(IReadOnlyList<string>? mappingErrors) => mappingErrors is { Count: > 0 }
        ? string.Join(" ", mappingErrors.Select(e => e.EndsWith('.') ? e : e + "."))
        : "its mapping has errors.";

    /// <summary>Why the import cannot be discarded, and what to do instead; null when it can.</summary>
    public static Problem? RefuseDiscard(ClientImport import) => CanDiscard(import) ? null
        : Problem.Conflict(import.Status switch
        {
            ImportStatus.InProgress => $"Import {import.Id} is In Progress and cannot be discarded: an import that has run is kept for " +
                                       "the reviews and the import history.",
            ImportStatus.Completed => $"Import {import.Id} is Completed and cannot be discarded: an import that has run is kept for the " +
                                      "reviews and the import history. To take back what it wrote, revert it.",
            ImportStatus.Reverted => $"Import {import.Id} is Reverted and cannot be discarded: an import that has run is kept for the " +
                                     "reviews and the import history.",
            ImportStatus.Failed => $"Import {import.Id} is Failed and cannot be discarded: an import that has run is kept for the " +
                                   "reviews and the import history. A failed import wrote nothing: correct it and approve it again, " +
                                   "or leave it as it is.",
            _ => $"Import {import.Id} has run before and cannot be discarded: an import that has run is kept for the reviews and " +
                 "the import history, also once its mapping or file settings changed. Its run failed and wrote nothing: correct " +
                 "it and approve it again, or leave it as it is.",
        });

    public static Problem? RefuseRevert(ClientImport import) => CanRevert(Status(import))
        ? IsReverting(import) ? Problem.Conflict($"Import {import.Id} is already being reverted.") : null
        : Problem.Conflict(import.Status switch
        {
            ImportStatus.Reverted => $"Import {import.Id} has already been reverted.",
            _ => $"Import {import.Id} is {Name(import.Status)}: only a Completed import can be reverted.",
        });

    public static Problem? RefuseErrorReport(ClientImport import) => CanDownloadErrorReport(import) ? null
        : Problem.Conflict($"Import {import.Id} has no failed rows.");

    /// <summary>The status as people read it ("Waiting for Approval").</summary>
    public static string Name(ImportStatus status) => status switch
    {
        ImportStatus.WaitingForApproval => "Waiting for Approval",
        ImportStatus.InProgress => "In Progress",
        _ => status.ToString(),
    };

    private static ImportStatus Status(ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return import.Status;
    }
}
