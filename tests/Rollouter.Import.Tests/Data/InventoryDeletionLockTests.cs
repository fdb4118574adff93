using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Inventories;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// Deleting an inventory takes the rollout's write lock, as an import's writer does: an import writing at that moment
/// finishes first and its clients go with the inventory, never left behind without one.
/// </summary>
public sealed class InventoryDeletionLockTests
{
    [Fact]
    public async Task DeletingAnInventory_WaitsForAWritingImport_AndDeletesWhatItWrote()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        var rollout = await TestRollout.AddAsync(database, "DEL");
        await rollout.AddClientsAsync(database, "BEFORE-1");

        // An import's writer: holds the rollout's lock in its transaction and writes a client there.
        await using var writer = database.CreateContext();
        await using var writing = await writer.Database.BeginTransactionAsync();
        await RolloutWriteLock.AcquireAsync(writer, rollout.RolloutId, CancellationToken.None);
        writer.Clients.Add(rollout.NewClient("WRITTEN-BY-IMPORT"));
        await writer.SaveChangesAsync();

        await using var deleter = database.CreateContext();
        var deletion = new InventoryService(deleter, TimeProvider.System)
            .DeleteAsync(rollout.RolloutId, rollout.InventoryId, null, CancellationToken.None);
        var finishedEarly = await Task.WhenAny(deletion, Task.Delay(TimeSpan.FromSeconds(1))) == deletion;

        await writing.CommitAsync();
        Assert.True((await deletion).Succeeded);
        Assert.False(finishedEarly, "the deletion did not wait for the writing import");

        await using var check = database.CreateContext();
        Assert.False(await check.Inventories.AnyAsync(i => i.Id == rollout.InventoryId));
        Assert.Empty(await check.Clients.Select(c => c.Name).ToListAsync());
    }
}
