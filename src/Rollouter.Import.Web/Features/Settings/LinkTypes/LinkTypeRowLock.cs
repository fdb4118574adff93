using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Features.Settings.LinkTypes;

/// <summary>
/// The row of a link type, locked until the caller's transaction ends (<see cref="RowLock"/>), so that a link of the type
/// and the type's delete never interleave (decision 0082, amended by decision 0092): a link holds it shared before its
/// insert, a delete exclusively before it counts the links. Whichever comes second waits for the first to commit and
/// then sees what it did: the link finds the type gone, the delete finds the link. So neither save fails on the links'
/// foreign key, which Entity Framework would log as an error for what is a person's ordinary refusal.
/// </summary>
public static class LinkTypeRowLock
{
    /// <summary>Locks the type for a link made of it; false when the type no longer exists.</summary>
    public static Task<bool> ForLinkAsync(RolloutDbContext db, int typeId, CancellationToken cancellationToken) =>
        RowLock.LockAsync(db, "ClientLinkTypes", typeId, RowLockMode.Shared, cancellationToken);

    /// <summary>Locks the type for its delete; false when the type no longer exists.</summary>
    public static Task<bool> ForDeleteAsync(RolloutDbContext db, int typeId, CancellationToken cancellationToken) =>
        RowLock.LockAsync(db, "ClientLinkTypes", typeId, RowLockMode.Exclusive, cancellationToken);
}
