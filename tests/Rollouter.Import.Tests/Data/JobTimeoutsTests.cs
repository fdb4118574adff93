using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// A job's transaction on PostgreSQL waits for another session's lock as long as the job's statements may take
/// (decision 0117): the <c>lock_timeout</c> its <c>SET LOCAL</c> writes is the job's command timeout, whatever that is.
/// </summary>
public sealed class JobTimeoutsTests
{
    [Fact]
    public async Task JobsTransaction_WaitsForLocks_AsLongAsTheJobsCommandTimeout_WithNoStatementTimeout()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        await using var db = database.CreateContext();
        SqliteWaits.WaitAsAJob(db);
        await using var transaction = await db.Database.BeginTransactionAsync();

        await JobTimeouts.LiftStatementTimeoutAsync(db, default);

        // pg_settings gives both in milliseconds.
        var lockWait = await SettingAsync(db, "lock_timeout");
        var commandTimeout = db.Database.GetCommandTimeout();
        Assert.NotNull(commandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(commandTimeout.Value), TimeSpan.FromMilliseconds(lockWait));
        Assert.Equal(JobTimeouts.LockWait, TimeSpan.FromMilliseconds(lockWait));
        Assert.Equal(SqliteWaits.ForJobs, TimeSpan.FromMilliseconds(lockWait));
        Assert.Equal(0, await SettingAsync(db, "statement_timeout"));
        Assert.Equal(0, await SettingAsync(db, "idle_in_transaction_session_timeout"));
    }

    private static async Task<long> SettingAsync(RolloutDbContext db, string name) =>
        long.Parse(
            (await db.Database.SqlQueryRaw<string>(
                "SELECT setting AS \"Value\" FROM pg_settings WHERE name = {0}", name).ToListAsync()).Single(),
            System.Globalization.CultureInfo.InvariantCulture);
}
