using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Rollouter.Import.Data;

/// <summary>Why the database could not do a statement, when the reason lies with the database, not with the request.</summary>
public enum DatabaseOutage
{
    /// <summary>
    /// The database could not be reached or dropped the connection: stopped, restarting, failed over, the network gone,
    /// a session ended by an administrator, no connection slot left.
    /// </summary>
    Unreachable,

    /// <summary>The database stopped the statement after the time it allows (PostgreSQL's statement_timeout, a command timeout).</summary>
    TimedOut,

    /// <summary>The database accepts no writes (a read-only database or standby, a read-only SQLite file).</summary>
    ReadOnly,

    /// <summary>
    /// The SQLite file is missing, damaged or not this application's (decision 0134): deleted or its folder removed
    /// (SQLITE_CANTOPEN, or the web app's check of a pooled connection, SqliteFileGuard), overwritten in part
    /// (SQLITE_CORRUPT), not a database (SQLITE_NOTADB), or a database without this application's tables (an empty file,
    /// another application's). Only an administrator mends it (a backup restored, the app restarted); nothing of the
    /// failed statement was kept.
    /// </summary>
    Damaged,
}

/// <summary>
/// Whether a failure means the database was out of reach, too slow or read-only (decision 0115): the same request
/// succeeds once the database is back, and nothing of the failed one was kept (each write is a transaction). Requests
/// answer it with 503 and a sentence that says what happened, an import's run with a failure that says so or, for a
/// lost connection, by being run again, never with "something went wrong".
/// </summary>
public static class UnavailableDatabase
{
    /// <summary>PostgreSQL's states of a connection the server ended or refused: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.</summary>
    private static readonly string[] PostgresUnreachable = ["57P01", "57P02", "57P03", "53300"];

    /// <summary>PostgreSQL's query_canceled: statement_timeout (a cancellation the app asked for comes as an OperationCanceledException).</summary>
    private const string PostgresCanceled = "57014";

    /// <summary>PostgreSQL's read_only_sql_transaction (default_transaction_read_only, a hot standby).</summary>
    private const string PostgresReadOnly = "25006";

    /// <summary>SQLITE_READONLY: the database file (or its folder) cannot be written.</summary>
    private const int SqliteReadOnly = 8;

    /// <summary>SQLITE_CANTOPEN: the database file cannot be opened (deleted, its folder removed, no access).</summary>
    private const int SqliteCantOpen = 14;

    /// <summary>SQLITE_CORRUPT ("database disk image is malformed") and SQLITE_NOTADB ("file is not a database").</summary>
    private static readonly int[] SqliteDamaged = [11, 26];

    /// <summary>SQLITE_ERROR, which says "no such table: …" of a file without this application's tables.</summary>
    private const int SqliteError = 1;

    /// <summary>
    /// SQL Server's network and availability errors: no server at the address or the connection broken (53, 40, 64,
    /// 121, 233, 10053, 10054, 10060, 10061, 11001), the database unavailable or moving (4060, 40197, 40501, 40613,
    /// 49918, 49919, 49920).
    /// </summary>
    private static readonly int[] SqlServerUnreachable =
        [53, 40, 64, 121, 233, 10053, 10054, 10060, 10061, 11001, 4060, 40197, 40501, 40613, 49918, 49919, 49920];

    /// <summary>SQL Server's command timeout (-2).</summary>
    private const int SqlServerTimeout = -2;

    /// <summary>SQL Server's "The database is read-only" (3906).</summary>
    private const int SqlServerReadOnly = 3906;

    /// <summary>The database's part in <paramref name="exception"/> (or one inside it); null when the failure is not the database's being unavailable.</summary>
    public static DatabaseOutage? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // The request (or the host) gave up, and the database's "canceled" is only its echo.
                case OperationCanceledException:
                    return null;
                case PostgresException postgres:
                    return postgres.SqlState == PostgresReadOnly ? DatabaseOutage.ReadOnly
                        : postgres.SqlState == PostgresCanceled ? DatabaseOutage.TimedOut
                        : PostgresUnreachable.Contains(postgres.SqlState) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                            ? DatabaseOutage.Unreachable
                            : null;
                // Npgsql's own: a socket that failed or closed, a connection that could not be made or timed out.
                case NpgsqlException npgsql:
                    return npgsql.InnerException is TimeoutException ? DatabaseOutage.TimedOut
                        : npgsql.IsTransient ? DatabaseOutage.Unreachable
                        : null;
                case SqliteException { SqliteErrorCode: SqliteReadOnly }:
                    return DatabaseOutage.ReadOnly;
                case SqliteException sqlite when IsDamagedFile(sqlite):
                    return DatabaseOutage.Damaged;
                case SqlException sql:
                    return sql.Number == SqlServerTimeout ? DatabaseOutage.TimedOut
                        : sql.Number == SqlServerReadOnly ? DatabaseOutage.ReadOnly
                        : SqlServerUnreachable.Contains(sql.Number) ? DatabaseOutage.Unreachable
                        : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether SQLite says its file is missing, damaged or not this application's. The app's tables are made at start-up
    /// and never dropped, so a statement that finds no such table runs on a file that is not the one the app started on
    /// (emptied, replaced by another application's, made anew).
    /// </summary>
    private static bool IsDamagedFile(SqliteException sqlite) =>
        sqlite.SqliteErrorCode == SqliteCantOpen
        || SqliteDamaged.Contains(sqlite.SqliteErrorCode)
        || sqlite.SqliteErrorCode == SqliteError && sqlite.Message.Contains("no such table", StringComparison.Ordinal);

    /// <summary>Whether the database's connection was lost or could not be made (<see cref="DatabaseOutage.Unreachable"/>).</summary>
    public static bool IsUnreachable(Exception? exception) => Find(exception) == DatabaseOutage.Unreachable;
}
