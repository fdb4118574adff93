using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Web.Features.Settings.LinkTypes;

namespace Rollouter.Import.Web.Features.Clients;

/// <summary>Which of the two clients' values an advanced link keeps for a shared field.</summary>
public enum KeepValue
{
    This = 1,
    Other = 2,
}

/// <summary>A link to make: from <paramref name="ClientId"/>, outward (this client is the source) or inward.</summary>
public sealed record LinkRequest(int ClientId, int OtherClientId, int LinkTypeId, bool Outward,
    IReadOnlyDictionary<int, KeepValue> Keep);

/// <summary>A shared field the two clients disagree on: the link needs a choice of the value to keep.</summary>
public sealed record LinkConflict(int FieldId, string FieldName, string? ThisValue, string? OtherValue);

/// <summary>
/// A link made, or the shared fields the clients disagree on when the request did not say which value to keep for
/// each: then nothing was written and the caller asks (<see cref="NeedsChoice"/>).
/// </summary>
public sealed record LinkOutcome(ClientLink? Link, IReadOnlyList<LinkConflict> Conflicts)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Link))]
    public bool NeedsChoice => Link is null;
}

/// <summary>
/// Links two clients of one rollout and removes links. An advanced link type shares custom fields: where the two
/// clients disagree on one that both inventories have, the caller chooses the value to keep (<see cref="LinkOutcome.NeedsChoice"/>),
/// and the link, the memberships and the kept values are written together, with history on both clients. A client has
/// at most one advanced link (checked here, and guaranteed by the database's key on the membership).
/// </summary>
public sealed class ClientLinkService(RolloutDbContext db, TimeProvider clock, AuditLog audit)
{
    public const string HistoryField = "Link";

    public const string ImportRunningMessage =
        "An import into this rollout is running; link or unlink clients once it has finished.";

    public async Task<Result<LinkOutcome>> LinkAsync(int rolloutId, LinkRequest request, int userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await ImportRunningAsync(rolloutId, cancellationToken))
        {
            return Problem.Conflict(ImportRunningMessage);
        }

        // Under the lock an import's writer holds, so that a link and its shared values never interleave with an import
        // of the rollout (one approved meanwhile waits, and then sees the link).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await RolloutWriteLock.AcquireAsync(db, rolloutId, cancellationToken);
        var client = await db.Clients.FirstOrDefaultAsync(c => c.Id == request.ClientId && c.RolloutId == rolloutId, cancellationToken);
        if (client is null)
        {
            return Problem.NotFound($"Client {request.ClientId} does not exist.");
        }

        if (request.OtherClientId == client.Id)
        {
            return Problem.Invalid("A client cannot be linked to itself.", "otherClientId");
        }

        var other = await db.Clients.FirstOrDefaultAsync(c => c.Id == request.OtherClientId && c.RolloutId == rolloutId, cancellationToken);
        if (other is null)
        {
            return Problem.Invalid($"No client {request.OtherClientId} in this rollout.", "otherClientId");
        }

        var type = await db.ClientLinkTypes.AsNoTracking().Include(t => t.SharedFields).ThenInclude(f => f.CustomField)
            .FirstOrDefaultAsync(t => t.Id == request.LinkTypeId, cancellationToken);
        if (type is null)
        {
            return Problem.Invalid($"Link type {request.LinkTypeId} does not exist.", "linkTypeId");
        }

        var (source, target) = request.Outward ? (client, other) : (other, client);
        if (await db.ClientLinks.AnyAsync(l => l.ClientLinkTypeId == type.Id &&
                ((l.SourceClientId == source.Id && l.TargetClientId == target.Id) ||
                 (l.SourceClientId == target.Id && l.TargetClientId == source.Id)), cancellationToken))
        {
            return Problem.Invalid($"\"{client.Name}\" and \"{other.Name}\" are already linked by \"{type.OutwardName}\".");
        }

        var conflicts = new List<LinkConflict>();
        if (type.IsAdvanced)
        {
            foreach (var taken in new[] { client, other })
            {
                var partner = await AdvancedPartnerAsync(taken.Id, cancellationToken);
                if (partner is not null)
                {
                    return Problem.Invalid($"\"{taken.Name}\" already has an advanced link (to \"{partner}\"); " +
                        "a client can have only one. Remove that link first.");
                }
            }

            conflicts = await ConflictsAsync(type, client, other, cancellationToken);
            var unchosen = conflicts.Where(c => !request.Keep.ContainsKey(c.FieldId)).ToList();
            if (unchosen.Count > 0)
            {
                return new LinkOutcome(null, unchosen);
            }
        }

        // The type is read above without a lock: an administrator may have deleted it since. Locked now, it cannot go
        // until this link commits, and a delete that went through is seen here, before the insert would fail on the
        // foreign key (which Entity Framework logs as an error; decision 0092).
        if (!await LinkTypeRowLock.ForLinkAsync(db, type.Id, cancellationToken))
        {
            return Problem.Conflict(DeletedMeanwhile(type));
        }

        var now = clock.GetUtcNow();
        var link = new ClientLink
        {
            ClientLinkTypeId = type.Id, SourceClientId = source.Id, TargetClientId = target.Id, CreatedAt = now,
        };
        db.ClientLinks.Add(link);
        var clientChanges = new List<FieldChange> { new(HistoryField, null, $"{Reading(type, client == source)} {other.Name}") };
        var otherChanges = new List<FieldChange> { new(HistoryField, null, $"{Reading(type, other == source)} {client.Name}") };
        if (type.IsAdvanced)
        {
            foreach (var conflict in conflicts)
            {
                var (keep, change, changes) = request.Keep[conflict.FieldId] == KeepValue.This
                    ? (client, other, otherChanges)
                    : (other, client, clientChanges);
                keep.Values.TryGetValue(conflict.FieldId, out var kept);
                change.Values.TryGetValue(conflict.FieldId, out var old);
                changes.Add(new FieldChange(conflict.FieldName, Join(old), Join(kept), FieldId: conflict.FieldId));
                var values = new Dictionary<int, string[]>(change.Values);
                if (kept is { Length: > 0 })
                {
                    values[conflict.FieldId] = kept;
                }
                else
                {
                    values.Remove(conflict.FieldId);
                }

                // A new dictionary, so the change tracker sees the JSON column change.
                change.Values = values;
                change.UpdatedAt = now;
            }
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (!BusyDatabase.IsBusyOrUnavailable(e))
        {
            // The type's lock above keeps its delete out; should the foreign key refuse the link all the same (a
            // database that did not honour the lock), the person still gets words. Anything else is not ours to explain.
            db.ChangeTracker.Clear();
            await transaction.RollbackAsync(cancellationToken);
            if (await db.ClientLinkTypes.AnyAsync(t => t.Id == type.Id, cancellationToken))
            {
                throw;
            }

            return Problem.Conflict(DeletedMeanwhile(type));
        }

        if (type.IsAdvanced)
        {
            db.AdvancedLinkMemberships.AddRange(
                new AdvancedLinkMembership { ClientId = client.Id, ClientLinkId = link.Id },
                new AdvancedLinkMembership { ClientId = other.Id, ClientLinkId = link.Id });
        }

        AddHistory(client.Id, userId, now, clientChanges);
        AddHistory(other.Id, userId, now, otherChanges);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (!BusyDatabase.IsBusyOrUnavailable(e))
        {
            // Another request gave one of the clients an advanced link meanwhile: the membership's key refused it.
            db.ChangeTracker.Clear();
            return Problem.Invalid($"\"{client.Name}\" or \"{other.Name}\" has just been given an advanced link; a client can have only one.");
        }

        await transaction.CommitAsync(cancellationToken);
        audit.ClientLinkCreated(userId, rolloutId, link.Id, link.SourceClientId, link.TargetClientId, type.OutwardName);
        return new LinkOutcome(link, []);
    }

    private static string DeletedMeanwhile(ClientLinkType type) =>
        $"The link type \"{type.OutwardName}\" was deleted meanwhile: reload the page.";

    /// <summary>Removes a link of the client, with a history entry on both clients, unless it is not the client's or an import of the rollout runs.</summary>
    public async Task<Result> UnlinkAsync(int rolloutId, int clientId, int linkId, int userId, CancellationToken cancellationToken)
    {
        if (await ImportRunningAsync(rolloutId, cancellationToken))
        {
            return Problem.Conflict(ImportRunningMessage);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await RolloutWriteLock.AcquireAsync(db, rolloutId, cancellationToken);
        var link = await db.ClientLinks.Include(l => l.LinkType).Include(l => l.SourceClient).Include(l => l.TargetClient)
            .FirstOrDefaultAsync(l => l.Id == linkId && (l.SourceClientId == clientId || l.TargetClientId == clientId) &&
                                      l.SourceClient.RolloutId == rolloutId, cancellationToken);
        if (link is null)
        {
            return Problem.NotFound($"Client {clientId} has no link {linkId}.");
        }

        var now = clock.GetUtcNow();
        await db.AdvancedLinkMemberships.Where(m => m.ClientLinkId == link.Id).ExecuteDeleteAsync(cancellationToken);
        db.ClientLinks.Remove(link);
        AddHistory(link.SourceClientId, userId, now,
            [new FieldChange(HistoryField, $"{link.LinkType.OutwardName} {link.TargetClient.Name}", null)]);
        AddHistory(link.TargetClientId, userId, now,
            [new FieldChange(HistoryField, $"{link.LinkType.InwardName} {link.SourceClient.Name}", null)]);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit.ClientLinkDeleted(userId, rolloutId, link.Id, link.SourceClientId, link.TargetClientId, link.LinkType.OutwardName);
        return Result.Success;
    }

    /// <summary>The name of the client's advanced link partner, or null without an advanced link.</summary>
    public async Task<string?> AdvancedPartnerAsync(int clientId, CancellationToken cancellationToken) =>
        await db.AdvancedLinkMemberships.Where(m => m.ClientId == clientId)
            .Select(m => m.ClientLink.SourceClientId == clientId ? m.ClientLink.TargetClient.Name : m.ClientLink.SourceClient.Name)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The shared fields both clients' inventories have and on which their values differ.</summary>
    private async Task<List<LinkConflict>> ConflictsAsync(ClientLinkType type, Client client, Client other, CancellationToken cancellationToken)
    {
        var sharedIds = type.SharedFields.Select(f => f.CustomFieldId).ToList();
        var inBoth = await db.InventoryCustomFields
            .Where(f => sharedIds.Contains(f.CustomFieldId) && (f.InventoryId == client.InventoryId || f.InventoryId == other.InventoryId))
            .GroupBy(f => f.CustomFieldId)
            .Where(g => g.Count() == (client.InventoryId == other.InventoryId ? 1 : 2))
            .Select(g => g.Key)
            .ToListAsync(cancellationToken);
        var conflicts = new List<LinkConflict>();
        foreach (var shared in type.SharedFields.OrderBy(f => f.CustomField.Name, StringComparer.OrdinalIgnoreCase))
        {
            if (!inBoth.Contains(shared.CustomFieldId))
            {
                continue;
            }

            client.Values.TryGetValue(shared.CustomFieldId, out var mine);
            other.Values.TryGetValue(shared.CustomFieldId, out var theirs);
            if (!SameValue(mine ?? [], theirs ?? []))
            {
                conflicts.Add(new LinkConflict(shared.CustomFieldId, shared.CustomField.Name, Join(mine), Join(theirs)));
            }
        }

        return conflicts;
    }

    /// <summary>How the link reads from one of its clients: the outward name from the source, the inward from the target.</summary>
    public static string Reading(ClientLinkType type, bool fromSource) => fromSource ? type.OutwardName : type.InwardName;

    private void AddHistory(int clientId, int userId, DateTimeOffset at, List<FieldChange> changes) =>
        db.ClientHistory.Add(new ClientHistoryEntry
        {
            ClientId = clientId,
            UserId = userId == 0 ? null : userId,
            At = at,
            Action = ClientHistoryAction.Changed,
            Changes = changes,
        });

    private static bool SameValue(string[] a, string[] b) =>
        a.Length == b.Length && a.All(v => Array.IndexOf(b, v) >= 0);

    private static string? Join(string[]? value) => value is null or [] ? null : string.Join("; ", value);

    private Task<bool> ImportRunningAsync(int rolloutId, CancellationToken cancellationToken) =>
        db.Imports.AnyAsync(i => i.RolloutId == rolloutId && i.Status == ImportStatus.InProgress, cancellationToken);
}
