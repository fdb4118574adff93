namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// The answer to a request that failed because the database kept it waiting past its timeout for a lock another
/// write holds (<see cref="Rollouter.Import.Data.BusyDatabase"/>): on SQLite, one write at a time, a save made while a
/// large import writes its clients (one transaction) fails after the busy timeout (30 s). It is answered 503 with
/// <c>Retry-After</c> and a sentence the user can act on ("try again in a minute"), on the pages and in the API, rather
/// than "something went wrong".
/// </summary>
public static class DatabaseBusy
{
    /// <summary>Seconds a client is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>The message of a request that waited too long for the database (503).</summary>
    public const string Message =
        "The database is busy with another write (an import writing its clients, for instance), so this could not be " +
        "done now. Try again in a minute.";
}
