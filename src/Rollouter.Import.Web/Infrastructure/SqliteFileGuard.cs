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
/// <see cref="LogEvery"/> for the same cause.
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

    private void Check(DbConnection connection)
    {
        if (FileOf(connection) is not { } file || File.Exists(file))
        {
            return;
        }

        // The pooled connections hold the file that was there: none of them may be used again.
        SqliteConnection.ClearAllPools();
        var missing = new SqliteException(
            $"SQLite Error 14: 'the database file {file} is no longer there (deleted, moved away or its folder removed)'.",
            SqliteCantOpen);
        Tell(connection, missing);
        throw missing;
    }

    /// <summary>Logs at Error what is wrong with the file, when <paramref name="error"/> says it is missing, damaged or not this application's.</summary>
    private void Tell(DbConnection? connection, Exception? error)
    {
        if (UnavailableDatabase.Find(error) != DatabaseOutage.Damaged || FileOf(connection) is not { } file)
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
