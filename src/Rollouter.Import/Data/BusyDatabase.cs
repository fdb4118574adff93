using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Rollouter.Import.Data;

/// <summary>What a database's refusal means, where the code must tell a busy database from a refused row.</summary>
public static class BusyDatabase
{
    /// <summary>SQLITE_BUSY and SQLITE_LOCKED.</summary>
    private static readonly int[] SqliteBusy = [5, 6];

    /// <summary>PostgreSQL's lock_not_available (a lock_timeout ran out).</summary>
    private const string PostgresLockNotAvailable = "55P03";

    /// <summary>SQL Server's "Lock request time out period exceeded".</summary>
    private const int SqlServerLockTimeout = 1222;

    /// <summary>
    /// Whether <paramref name="exception"/> (or one inside it) says the database kept the statement waiting past its
    /// timeout for another connection's lock: on SQLite, one write at a time, a save made while an import writes its
    /// clients. Nothing of the statement was kept; the same request later succeeds. A handler that turns a refused
    /// save (<c>DbUpdateException</c>) into "the name is taken" or "someone else changed it" lets this one through.
    /// </summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite && SqliteBusy.Contains(sqlite.SqliteErrorCode)
                || e is PostgresException { SqlState: PostgresLockNotAvailable }
                || e is SqlException { Number: SqlServerLockTimeout })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="exception"/> is the database's fault rather than the request's: busy
    /// (<see cref="Is"/>), or out of reach, too slow or read-only (<see cref="UnavailableDatabase"/>). A handler that
    /// turns a refused save into "the name is taken" or "someone else changed it" lets these through, to be answered
    /// 503 with what happened.
    /// </summary>
    public static bool IsBusyOrUnavailable(Exception? exception) => Is(exception) || UnavailableDatabase.Find(exception) is not null;
}
