using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Removing a status takes the write lock of every rollout with an inventory of the workflow, as an import's writer
/// holds it: a client an import is writing with that status is moved with the others, never left on a status that no
/// longer exists. PostgreSQL only: SQLite serialises writers anyway.
/// </summary>
public sealed class StatusRemovalLockTests(PostgresWebFactory factory) : IClassFixture<PostgresWebFactory>
{
    [Fact]
    public async Task RemovingAStatus_WaitsForAWritingImport_AndMovesTheClientItWrote()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (_, _, location) = await manager.SubmitAsync("/settings/workflows/new",
            new() { ["Name"] = "Lock swap", ["Statuses"] = "Waiting\nDone" });
        var workflowId = int.Parse(location!.Split('#')[0].Split('/')[^1], CultureInfo.InvariantCulture);
        var statuses = await factory.WithDbAsync(db => db.WorkflowStatuses.AsNoTracking().Where(s => s.WorkflowId == workflowId)
            .OrderBy(s => s.Position).Select(s => s.Id).ToListAsync());
        var inventoryId = await factory.AddInventoryAsync("Lock swap", workflowId, []);

        // An import's writer: holds the rollout's lock in its transaction and writes a client on "Waiting" there.
        using var scope = factory.Services.CreateScope();
        var writer = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var rolloutId = await writer.Inventories.Where(i => i.Id == inventoryId).Select(i => i.RolloutId).SingleAsync();
        await using (var writing = await writer.Database.BeginTransactionAsync())
        {
            await RolloutWriteLock.AcquireAsync(writer, rolloutId, CancellationToken.None);
            writer.Clients.Add(new Client { RolloutId = rolloutId, InventoryId = inventoryId, Name = "LOCK-1", StatusId = statuses[0] });
            await writer.SaveChangesAsync();

            var removal = manager.SubmitAsync($"/settings/workflows/{workflowId}/statuses/{statuses[0]}/remove",
                new() { ["TargetStatusId"] = statuses[1].ToString(CultureInfo.InvariantCulture) });
            var finishedEarly = await Task.WhenAny(removal, Task.Delay(TimeSpan.FromSeconds(1))) == removal;

            await writing.CommitAsync();
            var (_, page, _) = await removal;
            Assert.False(finishedEarly, "the removal did not wait for the writing import");
            Assert.Contains("its clients now have the status Done", page);
        }

        Assert.Equal(statuses[1], await factory.WithDbAsync(db => db.Clients.Where(c => c.Name == "LOCK-1").Select(c => c.StatusId).SingleAsync()));
    }
}
