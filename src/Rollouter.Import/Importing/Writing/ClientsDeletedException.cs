namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// A row of the file whose client was deleted after the check matched it: <paramref name="Partner"/> is null when it is
/// the client the row itself updates (<see cref="ResolvedRow.ExistingClientId"/>), else the name of the client an
/// advanced link ties to it, whose shared value the row imposes.
/// </summary>
public sealed record DeletedClient(int RowNumber, string Name, string? Partner = null);

/// <summary>
/// Thrown by the writer when clients that "Update existing clients" matched are gone once it holds the rollout's write
/// lock: a revert or an inventory's deletion removed them between the check's reading of the rollout's clients and the
/// write. Nothing was written (the transaction is rolled back); <see cref="Rows"/> names every row of the file that
/// updates, or imposes a shared value on, a client that no longer exists. Checked again, those rows create new clients.
/// </summary>
public sealed class ClientsDeletedException : Exception
{
    public ClientsDeletedException(IReadOnlyList<DeletedClient> rows)
        : base(rows.Count == 0
            ? "Clients this import updates were deleted while it was being written; nothing was written."
            : $"{rows.Count} row(s) update clients that were deleted while this import was being written " +
              $"(first: row {rows[0].RowNumber}, '{rows[0].Partner ?? rows[0].Name}'); nothing was written.")
    {
        Rows = rows;
    }

    public IReadOnlyList<DeletedClient> Rows { get; }
}
