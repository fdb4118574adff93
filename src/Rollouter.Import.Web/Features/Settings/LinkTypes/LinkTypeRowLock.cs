using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Features.Settings.LinkTypes;

/// <summary>
/// The row of a link type, locked until the caller's transaction ends, so that a link of the type and the type's delete
/// never interleave (decision 0082, amended by decision 0092): a link holds it shared before its insert, a delete
/// exclusively before it counts the links. Whichever comes second waits for the first to commit and then sees what it
/// did: the link finds the type gone, the delete finds the link. So neither save fails on the links' foreign key,
/// which Entity Framework would log as an error for what is a person's ordinary refusal. PostgreSQL: FOR SHARE and
/// FOR UPDATE; SQL Server: an update lock on both sides (a shared lock would let the delete's update lock in); SQLite:
/// the transaction holds the database's write lock already, so only whether the type is there is read.
/// </summary>
public static class LinkTypeRowLock
{
    /// <summary>Locks the type for a link made of it; false when the type no longer exists.</summary>
    public static Task<bool> ForLinkAsync(RolloutDbContext db, int typeId, CancellationToken cancellationToken) =>
        LockAsync(db, typeId, exclusive: false, cancellationToken);

    /// <summary>Locks the type for its delete; false when the type no longer exists.</summary>
    public static Task<bool> ForDeleteAsync(RolloutDbContext db, int typeId, CancellationToken cancellationToken) =>
        LockAsync(db, typeId, exclusive: true, cancellationToken);

    private static async Task<bool> LockAsync(RolloutDbContext db, int typeId, bool exclusive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A link type's row is locked inside a transaction.");
        }

        var sql = db.Provider switch
        {
            DatabaseProvider.PostgreSql => exclusive
                ? """SELECT "Id" AS "Value" FROM "ClientLinkTypes" WHERE "Id" = {0} FOR UPDATE"""
                : """SELECT "Id" AS "Value" FROM "ClientLinkTypes" WHERE "Id" = {0} FOR SHARE""",
            DatabaseProvider.SqlServer => "SELECT [Id] AS [Value] FROM [ClientLinkTypes] WITH (UPDLOCK, HOLDLOCK, ROWLOCK) WHERE [Id] = {0}",
            _ => """SELECT "Id" AS "Value" FROM "ClientLinkTypes" WHERE "Id" = {0}""",
        };
        var found = await db.Database.SqlQueryRaw<int>(sql, typeId).ToListAsync(cancellationToken);
        return found.Count > 0;
    }
}
