namespace Rollouter.Import.Data;

/// <summary>
/// The row of a custom field, locked until the caller's transaction ends (<see cref="RowLock"/>), so that whatever adds
/// options to the field (an import's "Create option if not exists", the settings' Add option) counts its options under
/// the lock and stays within <see cref="Entities.CustomField.MaxOptions"/> whatever runs at the same moment, on one
/// instance or several (decision 0098, amended by decision 0100). Whichever comes second waits for the first's commit
/// and then counts what it added. The options' foreign key checks of the row do not wait for it.
/// </summary>
public static class CustomFieldRowLock
{
    /// <summary>Locks the field's row for options added to it; false when the field no longer exists.</summary>
    public static Task<bool> ForNewOptionsAsync(RolloutDbContext db, int fieldId, CancellationToken cancellationToken) =>
        RowLock.LockAsync(db, "CustomFields", fieldId, RowLockMode.ExclusiveNoKey, cancellationToken);
}
