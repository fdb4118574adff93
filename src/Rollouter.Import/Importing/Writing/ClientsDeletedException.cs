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
/// write. Nothing was written (the transaction is rolled back). <see cref="RowCount"/> counts every row of the file that
/// updates, or imposes a shared value on, a client that no longer exists; <see cref="Rows"/> names those of the first
/// <see cref="Rules.ImportChecker.MaxListedRows"/> of them, whole, as a failed check lists its rows (decision 0054).
/// Checked again, those rows create new clients.
/// </summary>
public sealed class ClientsDeletedException : Exception
{
    public ClientsDeletedException(IReadOnlyList<DeletedClient> rows, int rowCount, int errorCount)
        : base(rows.Count == 0
            ? "Clients this import updates were deleted while it was being written; nothing was written."
            : $"{rowCount} row(s) update clients that were deleted while this import was being written " +
              $"(first: row {rows[0].RowNumber}, '{rows[0].Partner ?? rows[0].Name}'); nothing was written.")
    {
        Rows = rows;
        RowCount = rowCount;
        ErrorCount = errorCount;
    }

    /// <summary>The deleted clients of the rows listed, every one of each such row.</summary>
    public IReadOnlyList<DeletedClient> Rows { get; }

    /// <summary>Every row that names a deleted client, listed or not.</summary>
    public int RowCount { get; }

    /// <summary>Every deleted client named by a row (a row's own client and each linked one), listed or not.</summary>
    public int ErrorCount { get; }

    /// <summary>The rows listed in <see cref="Rows"/>.</summary>
    public int ListedRowCount => Rows.Select(r => r.RowNumber).Distinct().Count();

    /// <summary>Whether <see cref="Rows"/> names every row counted.</summary>
    public bool ListsEveryRow => ListedRowCount >= RowCount;
}

/// <summary>
/// Gathers the rows that name deleted clients as the writer reads them to their end: counts every one, and lists the
/// first <c>maxListedRows</c>, no further row once <c>maxListedErrors</c> deleted clients are listed, each listed row whole
/// (its own client and each linked one), as <see cref="Rules.ErrorCollector"/> lists a failed check's rows. So a million
/// rows whose clients a revert removed keep at most the bound in memory, not a million.
/// </summary>
internal sealed class DeletedRows(int maxListedRows, int maxListedErrors)
{
    private readonly List<DeletedClient> _listed = [];
    private readonly HashSet<int> _listedRows = [];
    // Rows in an advanced link already counted: their link's update comes again after the last row (with the row's number).
    private readonly HashSet<int> _linkedRows = [];

    public int RowCount { get; private set; }

    public int ErrorCount { get; private set; }

    /// <summary>A row read by the writer; <paramref name="existing"/> holds those of its clients that still exist.</summary>
    public void Add(ResolvedRow row, IReadOnlySet<int> existing)
    {
        // A link's update after the last row (it carries LinkedUpdates) updates its file row's own client, which that
        // row has named already if it was deleted: only the linked clients are its own.
        var own = row.LinkedUpdates.Count == 0 && row.ExistingClientId is { } id && !existing.Contains(id);
        var partners = row.LinkedUpdates.Where(l => !existing.Contains(l.ClientId)).DistinctBy(l => l.ClientId).ToList();
        if (!own && partners.Count == 0)
        {
            return;
        }

        bool listed;
        if (row.InAdvancedLink && !_linkedRows.Add(row.RowNumber))
        {
            listed = _listedRows.Contains(row.RowNumber);
        }
        else
        {
            RowCount++;
            listed = _listedRows.Count < maxListedRows && _listed.Count < maxListedErrors && _listedRows.Add(row.RowNumber);
        }

        ErrorCount += (own ? 1 : 0) + partners.Count;
        if (!listed)
        {
            return;
        }

        if (own)
        {
            _listed.Add(new DeletedClient(row.RowNumber, row.Name));
        }

        foreach (var partner in partners)
        {
            _listed.Add(new DeletedClient(row.RowNumber, row.Name,
                partner.ClientName ?? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"#{partner.ClientId}")));
        }
    }

    public ClientsDeletedException ToException() => new([.. _listed.OrderBy(d => d.RowNumber)], RowCount, ErrorCount);
}
