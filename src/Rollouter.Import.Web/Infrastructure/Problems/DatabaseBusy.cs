using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// Whether a request failed because the database kept it waiting past its timeout for a lock another write holds: on
/// SQLite, one write at a time, so a save made while a large import writes its clients (one transaction) waits for it,
/// and fails after the busy timeout (30 s). Such a failure is answered 503 with <c>Retry-After</c> and a sentence the
/// user can act on ("try again in a minute"), on the pages and in the API, rather than "something went wrong".
/// </summary>
public static class DatabaseBusy
{
    /// <summary>Seconds a client is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>The message of a request that waited too long for the database (503).</summary>
    public const string Message =
        "The database is busy with another write (an import writing its clients, for instance), so this could not be " +
        "done now. Try again in a minute.";

    /// <summary>Whether the request failed for a database that kept it waiting (<see cref="BusyDatabase.Is"/>).</summary>
    public static bool Is(Exception? exception) => BusyDatabase.Is(exception);
}
