using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// The lock an import's run and a starting instance hold: one holder at a time across every process that shares the
/// database, and free at once when the holder's session ends, as when its process is killed.
/// </summary>
public sealed class DatabaseLockTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Lock_HasOneHolderAtATime_PerName(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var first = database.CreateContext();
        await using var second = database.CreateContext();

        var held = await DatabaseLock.TryAcquireAsync(first, DatabaseLock.ImportRun(7), TimeSpan.Zero, default);
        Assert.NotNull(held);
        Assert.Null(await DatabaseLock.TryAcquireAsync(second, DatabaseLock.ImportRun(7), TimeSpan.Zero, default));
        await using (var other = await DatabaseLock.TryAcquireAsync(second, DatabaseLock.ImportRun(8), TimeSpan.Zero, default))
        {
            Assert.NotNull(other);
        }

        await using (var startUp = await DatabaseLock.TryAcquireAsync(second, DatabaseLock.StartUp, TimeSpan.Zero, default))
        {
            Assert.NotNull(startUp);
        }

        // A waiting taker gets the lock once the holder lets it go.
        var waiting = DatabaseLock.TryAcquireAsync(second, DatabaseLock.ImportRun(7), TimeSpan.FromMinutes(1), default);
        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await using var taken = await waiting;
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task Lock_IsFreeAtOnce_WhenTheHoldersSessionEnds()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        await using var holder = database.CreateContext();
        var held = await DatabaseLock.TryAcquireAsync(holder, DatabaseLock.ImportRun(9), TimeSpan.Zero, default);
        Assert.NotNull(held);

        // What the server does when the holder's process is killed: its connection drops and its session ends.
        await using (var admin = new NpgsqlConnection(database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var end = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 9", admin);
            Assert.Equal(true, await end.ExecuteScalarAsync());
        }

        await using var other = database.CreateContext();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        DatabaseLock? taken = null;
        while (taken is null && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            // The server ends the session a moment after it is told to.
            taken = await DatabaseLock.TryAcquireAsync(other, DatabaseLock.ImportRun(9), TimeSpan.FromSeconds(1), default);
        }

        Assert.NotNull(taken);
        Assert.False(await held.IsHeldAsync(default));
        Assert.True(await taken.IsHeldAsync(default));
        await held.DisposeAsync();
        await taken.DisposeAsync();
    }
}
