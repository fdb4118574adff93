namespace Rollouter.Import.Importing.Writing;

/// <summary>A row whose name another client of the rollout took while this import was running.</summary>
public sealed record NameConflict(int RowNumber, string Name);

/// <summary>
/// The database's unique index refused a name during the write: another import or user created a client with
/// that name after the rows were checked. Nothing was written; <see cref="RowCount"/> counts every row of the file whose
/// name is now taken in the rollout, and <see cref="Conflicts"/> names the first <see cref="Rules.ImportChecker.MaxListedRows"/>
/// of them (decision 0054's bound). Both are empty when no client has such a name once the write is rolled back: one
/// removed meanwhile, or a database that compares names differently from <see cref="Data.Entities.Client.KeyOf(string)"/>.
/// </summary>
public sealed class ClientNameConflictException : Exception
{
    public ClientNameConflictException(IReadOnlyList<NameConflict> conflicts, int rowCount, Exception innerException)
        : base(Describe(conflicts, rowCount), innerException)
    {
        Conflicts = conflicts;
        RowCount = rowCount;
    }

    /// <summary>The rows listed, one a row, in row order.</summary>
    public IReadOnlyList<NameConflict> Conflicts { get; }

    /// <summary>Every row whose name is taken, listed or not.</summary>
    public int RowCount { get; }

    private static string Describe(IReadOnlyList<NameConflict> conflicts, int rowCount) => conflicts.Count == 0
        ? "The database refused a client name as taken, but no client of the rollout has a name of the file; nothing was written."
        : $"{rowCount} client name(s) were taken by another import while this import was being written " +
          $"(first: row {conflicts[0].RowNumber}, '{conflicts[0].Name}'); nothing was written.";
}
