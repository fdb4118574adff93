namespace Rollouter.Import.Importing.Writing;

/// <summary>A row whose name another client of the rollout took while this import was running.</summary>
public sealed record NameConflict(int RowNumber, string Name);

/// <summary>
/// The database's unique index refused a name during the write: another import or user created a client with
/// that name after the rows were checked. Nothing was written; <see cref="Conflicts"/> names every row of the file
/// whose name is now taken in the rollout (it may be empty if the other writer has since rolled back).
/// </summary>
public sealed class ClientNameConflictException : Exception
{
    public ClientNameConflictException(IReadOnlyList<NameConflict> conflicts, Exception innerException)
        : base(Describe(conflicts), innerException)
    {
        Conflicts = conflicts;
    }

    public IReadOnlyList<NameConflict> Conflicts { get; }

    private static string Describe(IReadOnlyList<NameConflict> conflicts) => conflicts.Count == 0
        ? "A client name was taken by another import while this import was being written; nothing was written."
        : $"{conflicts.Count} client name(s) were taken by another import while this import was being written " +
          $"(first: row {conflicts[0].RowNumber}, '{conflicts[0].Name}'); nothing was written.";
}
