using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// Watches the SQLite file the app started on (decision 0134). A connection taken from SQLite's pool keeps the file it
/// opened even after that file was deleted, moved away or its folder removed: the app went on reading and writing a file
/// no one can see any more, and every write since was lost at the next start, without a word. So before a connection is
/// opened (from the pool or anew) the file must still be at its path; when it is not, the pool is emptied and the
/// statement fails as SQLite's "unable to open database file" does, which the app answers 503 with a sentence
/// (<see cref="UnavailableDatabase"/>: <see cref="DatabaseOutage.Damaged"/>). A statement SQLite refuses because its file
/// is missing, damaged or not this application's is logged at Error, naming the file and the cause, at most once every
/// <see cref="LogEvery"/> for the same cause. Decision 0140: once the start-up is done (<see cref="Serve"/>), the file at the
/// path must also be the one the app opened (its device and inode, <see cref="FileIdentity"/>) and not emptied; another
/// file moved there, or the file cut to 0 bytes, is refused at every connection until the app is restarted.
/// </summary>
public sealed class SqliteFileGuard(ILogger<SqliteFileGuard> logger) : DbConnectionInterceptor, IDbCommandInterceptor
{
    /// <summary>SQLITE_CANTOPEN, the code of the failure this guard gives, as SQLite gives it for a file it cannot open.</summary>
    private const int SqliteCantOpen = 14;

    /// <summary>How often the cause is logged while it lasts (each request's failure is logged too, as any other).</summary>
    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();

    private string? _lastCause;

    private long _lastLoggedTicks;

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Check(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Check(connection);
        return ValueTask.FromResult(result);
    }

    public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) =>
        Tell(connection, eventData.Exception);

    public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Tell(connection, eventData.Exception);
        return Task.CompletedTask;
    }

    void IDbCommandInterceptor.CommandFailed(DbCommand command, CommandErrorEventData eventData) =>
        Tell(command.Connection, eventData.Exception);

    Task IDbCommandInterceptor.CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken)
    {
        Tell(command.Connection, eventData.Exception);
        return Task.CompletedTask;
    }

    /// <summary>The last connection string seen and its file: the app has one, so it is parsed once, not at every open.</summary>
    private sealed record KnownFile(string ConnectionString, string? File);

    private KnownFile? _known;

    /// <summary>The file of a SQLite connection to a file; null for an in-memory database or another provider.</summary>
    private string? FileOf(DbConnection? connection)
    {
        if (connection is not SqliteConnection sqlite)
        {
            return null;
        }

        var connectionString = sqlite.ConnectionString;
        if (_known is { } known && known.ConnectionString == connectionString)
        {
            return known.File;
        }

        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:"
            ? Path.GetFullPath(builder.DataSource)
            : null;
        _known = new KnownFile(connectionString, file);
        return file;
    }

    /// <summary>The file the app opened (device, inode, size when first seen), or null before its first connection.</summary>
    private FileIdentity? _opened;

    /// <summary>Whether the file was seen with a byte in it: one emptied since is not the database the app opened.</summary>
    private bool _hadContent;

    /// <summary>
    /// Why every connection is refused until the app is restarted: the file at the path is no longer the one the app
    /// opened (decision 0140), or null.
    /// </summary>
    private volatile string? _refusedCause;

    /// <summary>Whether the start-up is done and the app serves: until then the start-up tells its own failures, in one line.</summary>
    private volatile bool _serving;

    /// <summary>
    /// Called once the start-up has made, migrated and seeded the database: the file at the path is then the one the app
    /// opened, and from now on another put in its place, or it emptied, is refused (decision 0140). Before, the guard
    /// says nothing (the start-up's own line names the file and what to do, decision 0140) and refuses nothing.
    /// </summary>
    public void Serve(DbConnection connection)
    {
        if (FileOf(connection) is { } file && FileIdentity.Of(file) is { } opened)
        {
            lock (_lock)
            {
                _opened ??= opened;
                _hadContent |= opened.Size > 0;
            }
        }

        _serving = true;
    }

    private void Check(DbConnection connection)
    {
        if (!_serving || FileOf(connection) is not { } file)
        {
            return;
        }

        if (_refusedCause is { } refused)
        {
            throw Refuse(connection, file, refused);
        }

        // One statx (Linux) or stat per connection opened: about a microsecond (docs/performance.md).
        if (FileIdentity.Of(file) is not { } now)
        {
            // The pooled connections hold the file that was there: none of them may be used again.
            SqliteConnection.ClearAllPools();
            var missing = new SqliteException(
                $"SQLite Error 14: 'the database file {file} is no longer there (deleted, moved away or its folder removed)'.",
                SqliteCantOpen);
            Tell(connection, missing);
            throw missing;
        }

        string? cause = null;
        lock (_lock)
        {
            if (_opened is not { } opened)
            {
                _opened = now;
            }
            else if (!now.SameFileAs(opened))
            {
                cause = ReplacedCause;
            }
            else if (now.Size == 0 && _hadContent)
            {
                cause = EmptiedCause;
            }

            _hadContent |= now.Size > 0;
            if (cause is not null)
            {
                _refusedCause ??= cause;
                cause = _refusedCause;
            }
        }

        if (cause is not null)
        {
            throw Refuse(connection, file, cause);
        }
    }

    /// <summary>The cause of a file put in place of the app's while it ran.</summary>
    public const string ReplacedCause =
        "the file was replaced while the app ran (another file moved or copied over it, e.g. a backup put in place), so the " +
        "connections the app holds and new ones would read and write two databases at once";

    /// <summary>The cause of the app's file cut to 0 bytes while it ran.</summary>
    public const string EmptiedCause =
        "the file was emptied (cut to 0 bytes) while the app ran, so the connections the app holds would go on reading and " +
        "writing what they still hold of it";

    /// <summary>
    /// Empties SQLite's pools (no connection to the file the app opened is used again; the pool hands out none while the
    /// refusal lasts) and fails the statement as SQLite fails one on a file it cannot open.
    /// </summary>
    private SqliteException Refuse(DbConnection connection, string file, string cause)
    {
        SqliteConnection.ClearAllPools();
        var refusal = new SqliteFileRefusedException(
            $"SQLite Error 14: 'the database file {file} is not the one the app opened: refused until the app is restarted'.",
            cause);
        Tell(connection, refusal);
        return refusal;
    }

    /// <summary>Logs at Error what is wrong with the file, when <paramref name="error"/> says it is missing, damaged or not this application's.</summary>
    private void Tell(DbConnection? connection, Exception? error)
    {
        if (!_serving || UnavailableDatabase.Find(error) != DatabaseOutage.Damaged || FileOf(connection) is not { } file)
        {
            return;
        }

        var cause = Cause(error);
        var now = Environment.TickCount64;
        lock (_lock)
        {
            // Once every LogEvery for one cause; a new cause (the file deleted, then another put in its place) at once.
            if (_lastCause == cause && now - _lastLoggedTicks < (long)LogEvery.TotalMilliseconds)
            {
                return;
            }

            _lastCause = cause;
            _lastLoggedTicks = now;
        }

        if (error is SqliteFileRefusedException)
        {
            // Decision 0140: what the app still held of the old file may be written into the file at the path when the
            // app stops (SQLite's -wal of the old file), so the file wanted is put in place again after the stop.
            logger.LogError(
                "The SQLite database {Path} cannot be used: {Cause:l}. Nothing is read from it or written to it until the " +
                "app is restarted: stop the app, then put the database you want there again (delete its -wal and -shm files " +
                "first; docs/operations.md, Backup and restore), and start the app",
                file, cause);
            return;
        }

        logger.LogError(
            "The SQLite database {Path} cannot be used: {Cause:l} ({Error:l}). Nothing is read from it or written to it " +
            "until it is mended: stop the app, put the database back (restore it from a backup, docs/operations.md, " +
            "Backup and restore), and start the app again",
            file, cause, error?.GetBaseException().Message.TrimEnd('.'));
    }

    /// <summary>The cause in words, as an operator tells the cases apart.</summary>
    public static string Cause(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SqliteFileRefusedException refused)
            {
                return refused.Cause;
            }

            if (e is SqliteException sqlite)
            {
                return sqlite.SqliteErrorCode switch
                {
                    SqliteCantOpen => "the file is missing (deleted, moved away, its folder removed) or cannot be opened",
                    11 => "the file is damaged (overwritten or cut short in part)",
                    26 => "the file is not a SQLite database (overwritten or replaced by another file)",
                    _ => "the file holds none of this application's tables (emptied, or replaced by another application's database)",
                };
            }
        }

        return "the file is missing, damaged or not this application's";
    }
}

/// <summary>
/// A connection refused because the file at the app's path is no longer the one it opened (decision 0140): SQLite's
/// SQLITE_CANTOPEN (14) for the app's answers (503, <see cref="DatabaseOutage.Damaged"/>), with the cause in words for
/// the log.
/// </summary>
public sealed class SqliteFileRefusedException(string message, string cause) : SqliteException(message, 14)
{
    /// <summary>What happened to the file, in words.</summary>
    public string Cause { get; } = cause;
}
