namespace Rollouter.Import.Importing;

/// <summary>
/// What failed an import's rows (<see cref="ImportProcessor.CauseOf"/>): the advice to a user differs. Rows the check
/// failed are corrected; rows whose names were taken, or whose clients were deleted, between the check and the write
/// need nothing corrected first: the next Check reads every row against the rollout's clients as they are then.
/// </summary>
public enum FailedRowsCause
{
    /// <summary>The check found each row's errors: correct them and approve again.</summary>
    Check,

    /// <summary>Another import or user created clients with names of the file while it was being written.</summary>
    NamesTaken,

    /// <summary>Clients the file updates were deleted (by a revert or a user) while it was being written.</summary>
    ClientsDeleted,
}
