using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>
/// Whether a request failed because the server has no room left (<see cref="Rollouter.Import.Data.FullStorage"/>). Such a failure is answered 507 with a sentence the user can act on ("ask your administrator"),
/// on the pages and in the API, rather than "something went wrong"; the exception is logged as any other.
/// </summary>
public static class StorageFull
{
    /// <summary>The message of a request that failed for want of room (507).</summary>
    public const string Message =
        "The server's disk is full, so this cannot be done now. Ask your administrator to free some space, then try again.";

    public static bool Is(Exception? exception) => Rollouter.Import.Data.FullStorage.Is(exception);

    /// <summary>
    /// The status code an unhandled exception is answered with: a request body the server stopped reading its own
    /// (<see cref="RequestBodyRefusal"/>: 413, 408 or 400), 507 for want of room, 503 for a database that kept the request
    /// waiting too long (<see cref="DatabaseBusy"/>) or out of reach, too slow or read-only
    /// (<see cref="Rollouter.Import.Data.UnavailableDatabase"/>, decision 0115), 500 otherwise.
    /// </summary>
    public static int StatusCodeOf(Exception exception) =>
        RequestBodyRefusal.Find(exception) is { } refused ? refused.StatusCode
        : Is(exception) ? StatusCodes.Status507InsufficientStorage
        : Rollouter.Import.Data.BusyDatabase.IsBusyOrUnavailable(exception) ? StatusCodes.Status503ServiceUnavailable
        : StatusCodes.Status500InternalServerError;
}
