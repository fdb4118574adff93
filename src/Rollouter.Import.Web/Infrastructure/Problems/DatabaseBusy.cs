using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// The answer to a request that failed because the database kept it waiting past its timeout for a lock another
/// write holds (<see cref="Rollouter.Import.Data.BusyDatabase"/>): on SQLite, one write at a time, a save made while a
/// large import writes its clients (one transaction) fails after the busy timeout (30 s). It is answered 503 with
/// <c>Retry-After</c> and a sentence the user can act on ("try again in a minute"), on the pages and in the API, rather
/// than "something went wrong". So is a database out of reach, too slow or read-only (<see cref="UnavailableDatabase"/>,
/// decision 0115), each with its own sentence (<see cref="MessageFor"/>).
/// </summary>
public static class DatabaseBusy
{
    /// <summary>Seconds a client is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>The message of a request that waited too long for the database (503).</summary>
    public const string Message =
        "The database is busy with another write (an import writing its clients, for instance), so this could not be " +
        "done now. Try again in a minute.";

    /// <summary>The message of a request that failed because the database could not be reached or dropped its connection (503).</summary>
    public const string UnreachableMessage =
        "The database cannot be reached right now (it may be restarting), so this could not be done and nothing of it " +
        "was kept. Try again in a minute; if it keeps happening, tell your administrator.";

    /// <summary>The message of a request whose statement the database stopped after the time it allows (503).</summary>
    public const string TimedOutMessage =
        "The database took too long to answer, so this was stopped and nothing of it was kept. Try again in a minute; " +
        "if it keeps happening, tell your administrator.";

    /// <summary>The message of a request that would write to a database that accepts no writes (503).</summary>
    public const string ReadOnlyMessage =
        "The database accepts no changes right now (it is read-only, during maintenance for instance), so this could " +
        "not be saved and nothing of it was kept. Try again later; if it keeps happening, tell your administrator.";

    /// <summary>The message of a request that failed because the SQLite file is missing, damaged or not this application's (503, decision 0134).</summary>
    public const string DamagedMessage =
        "The database file is missing, damaged or not this application's, so this could not be done and nothing of it " +
        "was kept. Tell your administrator: the app's log names the file and what is wrong with it, and it must be " +
        "restored from a backup.";

    /// <summary>The error page's title and sentence for a 503 caused by <paramref name="error"/> (a busy database when it names no outage).</summary>
    public static (string Title, string Message) Describe(Exception? error) => UnavailableDatabase.Find(error) switch
    {
        DatabaseOutage.Unreachable => ("The database cannot be reached", UnreachableMessage),
        DatabaseOutage.TimedOut => ("The database did not answer in time", TimedOutMessage),
        DatabaseOutage.ReadOnly => ("The database accepts no changes", ReadOnlyMessage),
        DatabaseOutage.Damaged => ("The database file cannot be used", DamagedMessage),
        _ => ("The database is busy", Message),
    };

    /// <summary>The sentence for a 503 caused by <paramref name="error"/>.</summary>
    public static string MessageFor(Exception? error) => Describe(error).Message;
}
