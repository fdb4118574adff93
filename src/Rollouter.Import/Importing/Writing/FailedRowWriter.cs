using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Rules;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// Records an import's failed rows batch by batch, as the check finds them, each batch in one bulk statement of the
/// provider's store (COPY on PostgreSQL), on the context's connection, held open until disposed. A batch is sent while
/// the check goes on; the next waits for it. (Adding them through EF Core's change tracker took 28 s for 20,000 rows,
/// growing with the square of their number.)
/// </summary>
internal sealed class FailedRowWriter : IAsyncDisposable
{
    private readonly RolloutDbContext _db;
    private readonly ClientStore _store;
    private readonly int _importId;
    private Task _sending = Task.CompletedTask;

    private FailedRowWriter(RolloutDbContext db, int importId)
    {
        _db = db;
        _importId = importId;
        _store = ClientStore.For(db);
    }

    public static async Task<FailedRowWriter> OpenAsync(RolloutDbContext db, int importId, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return new FailedRowWriter(db, importId);
    }

    /// <summary>Starts sending <paramref name="errors"/> once the batch before is stored.</summary>
    public async Task AddAsync(IReadOnlyList<RowError> errors, CancellationToken cancellationToken)
    {
        await _sending;
        _sending = _store.InsertRowErrorsAsync(_importId, errors, cancellationToken);
    }

    /// <summary>Waits until every batch is stored.</summary>
    public async Task CompleteAsync()
    {
        await _sending;
        _sending = Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _sending;
        }
        catch (Exception)
        {
            // Only after a failure elsewhere (CompleteAsync reports a batch's own failure).
        }

        await _store.DisposeAsync();
        await _db.Database.CloseConnectionAsync();
    }
}
