namespace Rollouter.Import.Importing.Writing;

/// <summary>A row whose name another client of the rollout took while this import was running.</summary>
public sealed record NameConflict(int RowNumber, string Name);

/// <summary>
/// The database's unique index refused a name during the write: another import or user created a client with
/// that name after the rows were checked. Nothing was written; <see cref="Conflicts"/> names every row of the file
/// whose name is now taken in the rollout. It is empty when no client has such a name once the write is rolled back: one
/// removed meanwhile, or a database that compares names differently from <see cref="Data.Entities.Client.KeyOf(string)"/>.
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
        ? "The database refused a client name as taken, but no client of the rollout has a name of the file; nothing was written."
        : $"{conflicts.Count} client name(s) were taken by another import while this import was being written " +
          $"(first: row {conflicts[0].RowNumber}, '{conflicts[0].Name}'); nothing was written.";
}
