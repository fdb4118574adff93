using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Data;

/// <summary>
/// Whether a failure means the server has no room left: the data folder's disk (<see cref="LocalDisk.IsFull"/>) or the
/// database's. Requests answer it with 507, an import's run with a failure that says so; both with a sentence the user
/// can act on ("ask your administrator") rather than "something went wrong".
/// </summary>
public static class FullStorage
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

    /// <summary>Whether <paramref name="exception"/>, or one inside it, is a write refused for want of room.</summary>
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
}
