using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// Whether a request failed because the server has no room left: the data folder's disk (<see cref="LocalDisk.IsFull"/>)
/// or the database's. Such a failure is answered 507 with a sentence the user can act on ("ask your administrator"),
/// on the pages and in the API, rather than "something went wrong"; the exception is logged as any other.
/// </summary>
public static class StorageFull
{
    /// <summary>SQLITE_FULL: the database file could not grow (its disk is full).</summary>
    private const int SqliteFull = 13;

    /// <summary>PostgreSQL's disk_full (class 53, insufficient resources).</summary>
    private const string PostgresDiskFull = "53100";

    /// <summary>
    /// SQL Server: a filegroup is full (1105) or has no room for a new database's or object's pages (1101), the
    /// transaction log is full (9002), or Azure SQL Database's size quota is reached (40544).
    /// </summary>
    private static readonly int[] SqlServerFull = [1101, 1105, 9002, 40544];

    /// <summary>The message of a request that failed for want of room (507).</summary>
    public const string Message =
        "The server's disk is full, so this cannot be done now. Ask your administrator to free some space, then try again.";

    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (LocalDisk.IsFull(e) || e is SqliteException { SqliteErrorCode: SqliteFull }
                || e is PostgresException { SqlState: PostgresDiskFull }
                || (e is SqlException sql && SqlServerFull.Contains(sql.Number)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The status code an unhandled exception is answered with: 507 for want of room, 503 for a database that kept the
    /// request waiting too long (<see cref="DatabaseBusy"/>), 500 otherwise.
    /// </summary>
    public static int StatusCodeOf(Exception exception) =>
        Is(exception) ? StatusCodes.Status507InsufficientStorage
        : Rollouter.Import.Data.BusyDatabase.Is(exception) ? StatusCodes.Status503ServiceUnavailable
        : StatusCodes.Status500InternalServerError;
}
