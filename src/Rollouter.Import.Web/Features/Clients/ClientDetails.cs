using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Clients;

public sealed record UserRef(int Id, string Name, string? Email);

/// <summary>One custom field of the client's inventory and the client's value(s), empty when it has none.</summary>
public sealed record FieldValue(int FieldId, string Field, CustomFieldType Type, IReadOnlyList<string> Values)
{
    public bool IsMultiValued => Type is CustomFieldType.MultiSelection or CustomFieldType.MultiSelectionFree;
}

/// <summary>A link as read from this client: "is replaced by" (inward) from the target, the outward name from the source.</summary>
public sealed record LinkView(int Id, int LinkTypeId, string Reading, bool Advanced, int OtherClientId, string OtherClientName,
    string OtherInventory, DateTimeOffset CreatedAt);

/// <summary>
/// One entry of the history: who, when, which import (<paramref name="ImportExists"/> false once it was deleted with its
/// inventory), each field's old and new value, and the values of the import's row corrected in the browser.
/// </summary>
public sealed record HistoryView(DateTimeOffset At, UserRef? User, int? ImportId, bool Created, IReadOnlyList<FieldChange> Changes,
    bool ImportExists = true, IReadOnlyList<CorrectionView>? Corrections = null,
    bool Reverted = false);

/// <summary>A value of the import's row corrected in the browser: which field (column), by whom, old → new.</summary>
public sealed record CorrectionView(string Column, string? Field, string? Original, string? Value, UserRef? By, DateTimeOffset At);

/// <summary>Everything the client page and <c>GET /api/clients/{id}</c> show.</summary>
public sealed record ClientDetails(
    int Id,
    int RolloutId,
    string Name,
    int InventoryId,
    string InventoryName,
    string Status,
    UserRef? Assignee,
    UserRef? ClientUser,
    string? Description,
    string? Flag,
    IReadOnlyList<FieldValue> Values,
    IReadOnlyList<LinkView> Links,
    IReadOnlyList<HistoryView> History)
{
    /// <summary>The most history entries on a page (the client's page, <c>GET /api/clients/{id}</c>); older ones on the next.</summary>
    public const int HistoryLimit = 500;

    /// <summary>The entries the client's history holds in all (every page together).</summary>
    public int HistoryTotal { get; init; }

    /// <summary>How many entries newer than this page's come before it (0 on the first page).</summary>
    public int HistoryNewer { get; init; }

    /// <summary>The entries this page shows of the stored ones (an import's corrections are shown with its entry).</summary>
    public int HistoryShown { get; init; }

    /// <summary>The cursor of the page of older entries (the id of this page's oldest entry); null when there are none.</summary>
    public long? HistoryOlder { get; init; }

    /// <summary>
    /// A page of <paramref name="entries"/> (one client's), newest first, and one more, to know whether there are older
    /// ones: through the index on (client, time, id), which hands them out in this order, so that a client changed by
    /// 75,000 imports has its page read as one of 5 (decision 0128).
    /// </summary>
    internal static IQueryable<ClientHistoryEntry> HistoryPage(IQueryable<ClientHistoryEntry> entries) =>
        entries.OrderByDescending(h => h.At).ThenByDescending(h => h.Id).Take(HistoryLimit + 1);

    /// <param name="historyAfter">Only the entries older than this one (the cursor <see cref="HistoryOlder"/> of the
    /// page before), so that a history of any length is read a page at a time; an id not of this client's history is
    /// taken as none: the newest entries.</param>
    public static async Task<ClientDetails?> LoadAsync(RolloutDbContext db, int rolloutId, int clientId, CancellationToken cancellationToken,
        long? historyAfter = null)
    {
        var client = await db.Clients.AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == clientId && c.RolloutId == rolloutId, cancellationToken);
        if (client is null)
        {
            return null;
        }

        // Clients refer to their inventory by id only (no navigation: no foreign key, see the README's decisions).
        var inventoryName = await db.Inventories.Where(i => i.Id == client.InventoryId).Select(i => i.Name).FirstAsync(cancellationToken);

        var status = await db.WorkflowStatuses.Where(s => s.Id == client.StatusId).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken);
        var fields = await db.InventoryCustomFields.AsNoTracking().Where(f => f.InventoryId == client.InventoryId)
            .OrderBy(f => f.Position).ThenBy(f => f.CustomFieldId)
            .Select(f => new { f.CustomField.Id, f.CustomField.Name, f.CustomField.Type })
            .ToListAsync(cancellationToken);
        var links = (await db.ClientLinks.AsNoTracking()
            .Where(l => l.SourceClientId == clientId || l.TargetClientId == clientId)
            .Select(l => new
            {
                l.Id, l.ClientLinkTypeId, FromSource = l.SourceClientId == clientId, l.LinkType.OutwardName,
                l.LinkType.InwardName, l.LinkType.IsAdvanced, l.CreatedAt,
                OtherId = l.SourceClientId == clientId ? l.TargetClientId : l.SourceClientId,
                OtherName = l.SourceClientId == clientId ? l.TargetClient.Name : l.SourceClient.Name,
                OtherInventory = db.Inventories
                    .Where(i => i.Id == (l.SourceClientId == clientId ? l.TargetClient.InventoryId : l.SourceClient.InventoryId))
                    .Select(i => i.Name).First(),
            })
            .ToListAsync(cancellationToken))
            .Select(l => new LinkView(l.Id, l.ClientLinkTypeId, l.FromSource ? l.OutwardName : l.InwardName, l.IsAdvanced,
                l.OtherId, l.OtherName, l.OtherInventory, l.CreatedAt))
            .ToList();
        var entriesOfClient = db.ClientHistory.AsNoTracking().Where(h => h.ClientId == clientId);
        var anchor = historyAfter is { } afterId
            ? await entriesOfClient.Where(h => h.Id == afterId).Select(h => new { h.At, h.Id }).FirstOrDefaultAsync(cancellationToken)
            : null;
        var older = anchor is null ? entriesOfClient
            : entriesOfClient.Where(h => h.At < anchor.At || (h.At == anchor.At && h.Id < anchor.Id));
        var history = await HistoryPage(older).ToListAsync(cancellationToken);
        var fullPage = history.Count > HistoryLimit;
        // The first page of a history that fits on it is the whole history: counted only when there is more (nearly every
        // client's page, the one the load benchmark opens, stays one query).
        var historyTotal = anchor is null && !fullPage ? history.Count : await entriesOfClient.CountAsync(cancellationToken);
        var newer = anchor is null ? 0 : historyTotal - await older.CountAsync(cancellationToken);
        long? olderCursor = null;
        if (fullPage)
        {
            history.RemoveAt(HistoryLimit);
            olderCursor = history[^1].Id;
        }

        var userIds = history.Select(h => h.UserId)
            .Concat(history.SelectMany(h => h.Corrections ?? []).Select(c => (int?)c.ById))
            .Append(client.AssigneeId).Append(client.ClientUserId).Append(client.CreatedById)
            .OfType<int>().Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => new UserRef(u.Id, u.DisplayName, u.Email), cancellationToken);
        UserRef? User(int? id) => id is { } value ? users.GetValueOrDefault(value) : null;

        var importIds = history.Select(h => h.ImportId).Append(client.CreatedByImportId).OfType<int>().Distinct().ToList();
        var imports = (await db.Imports.Where(i => importIds.Contains(i.Id)).Select(i => i.Id).ToListAsync(cancellationToken)).ToHashSet();
        // The corrections of an import's row are an entry of their own, written after the import: shown with the
        // import's entry ("created by import #N (value corrected in the browser by …)").
        var notes = history.Where(h => h.Corrections is { Count: > 0 }).ToList();
        var changes = history.Except(notes).ToList();
        var entries = changes.Select(h => new HistoryView(h.At, User(h.UserId), h.ImportId,
            h.Action == ClientHistoryAction.Created, h.Changes, h.ImportId is not { } id || imports.Contains(id),
            Reverted: h.Action == ClientHistoryAction.Reverted)).ToList();
        // On the page of the oldest entries only.
        if (olderCursor is null && !changes.Any(h => h.Action == ClientHistoryAction.Created))
        {
            // A bulk import records the creation on the client itself.
            entries.Add(new HistoryView(client.CreatedAt, User(client.CreatedById), client.CreatedByImportId, true, [],
                client.CreatedByImportId is not { } id || imports.Contains(id)));
        }

        foreach (var note in notes)
        {
            var corrections = (note.Corrections ?? []).Select(c => new CorrectionView(c.Column, c.Field, c.Original, c.Value, User(c.ById), c.At))
                .ToList();
            var index = entries.FindIndex(e => e.ImportId == note.ImportId && e.ImportId is not null && e.Corrections is null);
            if (index >= 0)
            {
                entries[index] = entries[index] with { Corrections = corrections };
            }
            else
            {
                entries.Add(new HistoryView(note.At, User(note.UserId), note.ImportId, note.Action == ClientHistoryAction.Created, [],
                    note.ImportId is not { } id || imports.Contains(id), corrections));
            }
        }

        entries = [.. entries.OrderByDescending(e => e.At)];

        return new ClientDetails(
            client.Id,
            client.RolloutId,
            client.Name,
            client.InventoryId,
            inventoryName,
            status ?? "",
            User(client.AssigneeId),
            User(client.ClientUserId),
            client.Description,
            string.IsNullOrEmpty(client.Flag) ? null : client.Flag,
            [.. fields.Select(f => new FieldValue(f.Id, f.Name, f.Type,
                client.Values.TryGetValue(f.Id, out var value) ? value : []))],
            [.. links.OrderBy(l => l.Reading, StringComparer.OrdinalIgnoreCase).ThenBy(l => l.OtherClientName, StringComparer.OrdinalIgnoreCase)],
            entries)
        {
            HistoryTotal = historyTotal,
            HistoryNewer = newer,
            HistoryShown = history.Count,
            HistoryOlder = olderCursor,
        };
    }
}
