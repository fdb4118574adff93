using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data;

/// <summary>
/// How long a statement waits for another connection's write on SQLite, which takes one write at a time. A page or an
/// API call waits the connection string's busy timeout (30 s by default), then is answered 503 ("try again"). A
/// background job (an import's run, a revert) has no one to answer: it waits for the write ahead of it (a second large
/// import writes for as long as its rows take) rather than fail with "an unexpected error", up to
/// <see cref="ForJobs"/>.
/// </summary>
public static class SqliteWaits
{
    /// <summary>The longest a job's statement waits for another write.</summary>
    public static readonly TimeSpan ForJobs = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Makes every statement of <paramref name="db"/> wait up to <see cref="ForJobs"/>: on every database EF Core's own
    /// commands (their command timeout, 30 s by default, or the connection string's <c>Command Timeout</c>, is meant for
    /// the pages: a large revert's deletes took longer, decision 0117), on SQLite the writer's too.
    /// </summary>
    public static void WaitAsAJob(RolloutDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Database.SetCommandTimeout(ForJobs);
        if (db.Database.GetDbConnection() is not SqliteConnection connection)
        {
            return;
        }

        // The writer's commands, made on the connection: they take its default timeout.
        connection.DefaultTimeout = (int)ForJobs.TotalSeconds;
    }
}
