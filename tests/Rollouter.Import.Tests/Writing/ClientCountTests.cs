using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Writing;

/// <summary>
/// The client count kept with the inventory (what the client list shows unfiltered) matches its clients after every
/// kind of write: an import's creations and updates, an import that fails, clients added and removed on their own.
/// </summary>
public class ClientCountTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private static async Task<(int Kept, int Counted)> CountsAsync(WriterScenario s)
    {
        await using var db = s.CreateContext();
        return (await db.Inventories.Where(i => i.Id == s.InventoryId).Select(i => i.ClientCount).SingleAsync(),
            await db.Clients.CountAsync(c => c.InventoryId == s.InventoryId));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Import_CountsTheClientsItCreates_NotThoseItUpdates(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var existing = await s.AddClientAsync("PC-0001");

        await s.WriteAsync([s.NewRow(2, "PC-0002"), s.NewRow(3, "PC-0003"), s.NewRow(4, "PC-0004")], batchSize: 2);
        await s.WriteAsync([new ResolvedRow { RowNumber = 2, ExistingClientId = existing, Name = "PC-0001", Description = "Moved" },
            s.NewRow(3, "PC-0005")]);

        Assert.Equal((5, 5), await CountsAsync(s));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task FailedImport_LeavesTheCountAsItWas(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        await s.AddClientAsync("PC-0003");

        await Assert.ThrowsAsync<ClientNameConflictException>(() =>
            s.WriteAsync([s.NewRow(2, "PC-0001"), s.NewRow(3, "PC-0002"), s.NewRow(4, "pc-0003")], batchSize: 2));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            s.WriteAsync([s.NewRow(2, "PC-0004")], cancellationToken: cancelled.Token));

        Assert.Equal((1, 1), await CountsAsync(s));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ClientsAddedAndRemovedOnTheirOwn_AreCounted(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var first = await s.AddClientAsync("PC-0001");
        await s.AddClientAsync("PC-0002");
        await s.AddClientAsync("PC-0003");

        await using (var db = s.CreateContext())
        {
            db.Clients.Remove(await db.Clients.SingleAsync(c => c.Id == first));
            await db.SaveChangesAsync();
        }

        Assert.Equal((2, 2), await CountsAsync(s));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ASaveThatFails_DoesNotCount(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        await s.AddClientAsync("PC-0001");

        // The second client takes the first one's name: the unique index refuses the save, and the count stays.
        await Assert.ThrowsAsync<DbUpdateException>(() => s.AddClientAsync("pc-0001"));

        Assert.Equal((1, 1), await CountsAsync(s));
    }

    /// <summary>
    /// What a bulk removal (a revert) does: delete the clients and call <see cref="ClientCounts.AddAsync"/> with minus
    /// their number in the same transaction: the count follows the commit, and stays as it was when the removal rolls back.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ABulkRemoval_CountsInItsTransaction_AndNotWhenItRollsBack(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        await s.WriteAsync([s.NewRow(2, "PC-0001"), s.NewRow(3, "PC-0002"), s.NewRow(4, "PC-0003")]);

        async Task RemoveAsync(string name, bool commit)
        {
            await using var db = s.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var removed = await db.Clients.Where(c => c.InventoryId == s.InventoryId && c.Name == name).ExecuteDeleteAsync();
            await ClientCounts.AddAsync(db, s.InventoryId, -removed, default);
            if (commit)
            {
                await transaction.CommitAsync();
            }
        }

        await RemoveAsync("PC-0001", commit: false);
        Assert.Equal((3, 3), await CountsAsync(s));
        await RemoveAsync("PC-0002", commit: true);
        Assert.Equal((2, 2), await CountsAsync(s));
    }
}
