using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data;

/// <summary>
/// The time limits of a background job's own write transaction (an import's write, a revert), which are not the
/// pages' (decision 0117). An operator's PostgreSQL <c>statement_timeout</c> (or <c>idle_in_transaction_session_timeout</c>)
/// set for the database or the app's role guards interactive requests: a 1,000,000-row import writes for about 25 s in
/// one transaction, and such a guard failed it. The job's transaction lifts both (<c>SET LOCAL</c>: the pages' sessions,
/// and this pooled session once the transaction ends, keep the operator's), and bounds its lock waits instead to
/// <see cref="LockWait"/>, as SQLite's jobs wait (<see cref="SqliteWaits.ForJobs"/>): a job behind another session's
/// long transaction waits for it rather than fail at the pages' <c>lock_timeout</c>, but not forever. SQLite and SQL
/// Server have no server-side statement timeout: the writer's own statements run with no command timeout there, and
/// EF Core's statements of a job wait up to <see cref="SqliteWaits.ForJobs"/> (<see cref="SqliteWaits.WaitAsAJob"/>).
/// </summary>
public static class JobTimeouts
{
    /// <summary>The longest a job's statement waits for another session's lock (PostgreSQL's <c>lock_timeout</c> in its transaction).</summary>
    public static TimeSpan LockWait => SqliteWaits.ForJobs;

    /// <summary>
    /// In the job's transaction just begun on <paramref name="db"/>: on PostgreSQL, no statement or idle-in-transaction
    /// time-out, and lock waits of up to <see cref="LockWait"/>, until the transaction ends. Other databases: nothing.
    /// </summary>
    public static async Task LiftStatementTimeoutAsync(RolloutDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Provider != DatabaseProvider.PostgreSql)
        {
            return;
        }

        await db.Database.ExecuteSqlRawAsync(LiftStatement, cancellationToken);
    }

    /// <summary>
    /// The statement of <see cref="LiftStatementTimeoutAsync"/>: SET takes no parameters, so the lock wait is written in
    /// it, in milliseconds, from <see cref="LockWait"/> (a whole number of milliseconds made of a constant, no input).
    /// </summary>
    private static readonly string LiftStatement =
        "SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL lock_timeout = " +
        ((long)LockWait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
