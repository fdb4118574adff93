using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.LinkTypes;

public sealed class LinkTypeForm
{
    [Required(ErrorMessage = "Enter the outward name (e.g. \"replaces\").")]
    [Display(Name = "Outward name")]
    public string OutwardName { get; set; } = "";

    [Required(ErrorMessage = "Enter the inward name (e.g. \"is replaced by\").")]
    [Display(Name = "Inward name")]
    public string InwardName { get; set; } = "";

    [Display(Name = "Advanced (linked clients share fields)")]
    public bool IsAdvanced { get; set; }

    public List<int> SharedFieldIds { get; set; } = [];
}

/// <summary>How many links of one type join clients of two inventories (the same one twice for links within one).</summary>
public sealed record LinksBetween(string Rollout, string RolloutIdentifier, string SourceInventory, string TargetInventory, int Links)
{
    /// <summary>"3 links between Laptops and Monitors in Windows 11 Refresh", "1 link within Laptops in …".</summary>
    public string Describe()
    {
        var links = ImportNumbers.Count(Links, "link", "links");
        return string.Equals(SourceInventory, TargetInventory, StringComparison.Ordinal)
            ? $"{links} within {SourceInventory} in {Rollout}"
            : $"{links} between {SourceInventory} and {TargetInventory} in {Rollout}";
    }
}

/// <summary>A link of a type, as the confirmation names it: its two clients, each with its inventory, in its rollout.</summary>
public sealed record LinkOfType(string RolloutIdentifier, int SourceClientId, string SourceClient, string SourceInventory,
    int TargetClientId, string TargetClient, string TargetInventory);

/// <summary>
/// The links that use a link type: their count, grouped by the inventories they join, and the first of them by
/// client. A type in use is not deleted (decision 0082).
/// </summary>
/// <remarks>
/// <see cref="Links"/> and <see cref="Between"/> count at most <see cref="LinkTypeSettings.MaxLinksCounted"/> links, the
/// first by id; <see cref="More"/> says there are more (decision 0089).
/// </remarks>
public sealed record LinkTypeUse(int Links, IReadOnlyList<LinksBetween> Between, IReadOnlyList<LinkOfType> First, bool More = false)
{
    public static readonly LinkTypeUse None = new(0, [], []);

    public bool InUse => Links > 0;

    /// <summary>"3 links use", "1 link uses", "More than 10,000 links use" (capitalised for the start of a sentence).</summary>
    public string CountUse(bool capital = false) => More
        ? $"{(capital ? "More" : "more")} than {ImportNumbers.Count(Links, "link use", "links use")}"
        : ImportNumbers.Count(Links, "link uses", "links use");

    /// <summary>The refusal: how many links, between which inventories, and what to do.</summary>
    public string Refusal(ClientLinkType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var between = string.Join("; ", Between.Select(b => b.Describe()));
        return $"The link type \"{type.OutwardName}\" cannot be deleted: {CountUse()} it " +
               $"({(More ? $"the first {ImportNumbers.N(Links)}: " : "")}{between}). " +
               "Remove those links on the clients' pages first, or rename the link type instead.";
    }
}

/// <summary>
/// Client link types (administrators only). The outward name is unique ignoring case. Shared fields belong to advanced
/// types only. Whether a type is advanced cannot change once links of it exist: a client has at most one advanced link,
/// which existing plain links could break. A type no link uses is deleted; one in use is refused, naming its links by
/// inventory (decision 0082). Creating, changing and deleting a type are audit events.
/// </summary>
public sealed class LinkTypeSettings(RolloutDbContext db, AuditLog audit)
{
    public Task<ClientLinkType?> FindAsync(int id, CancellationToken cancellationToken) =>
        db.ClientLinkTypes.Include(t => t.SharedFields).SingleOrDefaultAsync(t => t.Id == id, cancellationToken);

    /// <summary>The most links <see cref="UseAsync"/> names one by one; the rest are counted by inventory.</summary>
    public const int MaxLinksNamed = 20;

    /// <summary>
    /// The most links a link type's pages count (<see cref="UseAsync"/>, the list, the type's page): beyond it they say
    /// "10,000+" or "more than 10,000", so that none of them reads every link of a type used a million times (decision
    /// 0089, as a workflow's page counts a status's clients, decision 0038).
    /// </summary>
    public const int MaxLinksCounted = 10_000;

    /// <summary>The clients of the links read by id in one statement.</summary>
    private const int ClientsPerRead = 2_000;

    /// <summary>The type's links, counted up to <see cref="MaxLinksCounted"/> and one more, through the (type, id) index.</summary>
    public static IQueryable<ClientLink> Counted(RolloutDbContext db, int typeId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.ClientLinks.Where(l => l.ClientLinkTypeId == typeId).OrderBy(l => l.Id).Take(MaxLinksCounted + 1);
    }

    /// <summary>
    /// The links of the type: counted by rollout and the two inventories they join, and the first ones named; the first
    /// <see cref="MaxLinksCounted"/> by id when there are more.
    /// </summary>
    public async Task<LinkTypeUse> UseAsync(int typeId, CancellationToken cancellationToken)
    {
        // The first links by id (the type's index), one more than counted to tell whether there are more, then their
        // clients by id: a join of the links with the clients' table would be planned as a read of every client to hash
        // (hundreds of milliseconds among a million).
        var read = await Counted(db, typeId).Select(l => new { l.Id, l.SourceClientId, l.TargetClientId }).ToListAsync(cancellationToken);
        var more = read.Count > MaxLinksCounted;
        if (more)
        {
            read.RemoveAt(read.Count - 1);
        }

        var clientIds = read.SelectMany(l => new[] { l.SourceClientId, l.TargetClientId }).Distinct().ToList();
        var clients = new Dictionary<int, (int RolloutId, int InventoryId, string Name)>();
        foreach (var chunk in clientIds.Chunk(ClientsPerRead))
        {
            var some = chunk.ToList();
            foreach (var c in await db.Clients.AsNoTracking().Where(c => some.Contains(c.Id))
                         .Select(c => new { c.Id, c.RolloutId, c.InventoryId, c.Name }).ToListAsync(cancellationToken))
            {
                clients[c.Id] = (c.RolloutId, c.InventoryId, c.Name);
            }
        }

        // A link whose client went meanwhile is left out, as the join left it out.
        var links = read.Where(l => clients.ContainsKey(l.SourceClientId) && clients.ContainsKey(l.TargetClientId))
            .Select(l => (l.Id, Source: clients[l.SourceClientId], SourceId: l.SourceClientId, Target: clients[l.TargetClientId],
                TargetId: l.TargetClientId))
            .ToList();
        var groups = links.GroupBy(l => (l.Source.RolloutId, SourceInventory: l.Source.InventoryId, TargetInventory: l.Target.InventoryId))
            .Select(g => new { g.Key.RolloutId, g.Key.SourceInventory, g.Key.TargetInventory, Links = g.Count() })
            .ToList();
        if (groups.Count == 0)
        {
            return LinkTypeUse.None;
        }

        var first = links.Take(MaxLinksNamed).Select(l => new
        {
            l.Source.RolloutId, l.SourceId, Source = l.Source.Name, SourceInventory = l.Source.InventoryId, l.TargetId,
            Target = l.Target.Name, TargetInventory = l.Target.InventoryId,
        }).ToList();
        var inventoryIds = groups.SelectMany(g => new[] { g.SourceInventory, g.TargetInventory }).Distinct().ToList();
        var rolloutIds = groups.Select(g => g.RolloutId).Distinct().ToList();
        var inventories = await db.Inventories.Where(i => inventoryIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Name, cancellationToken);
        var rollouts = await db.Rollouts.Where(r => rolloutIds.Contains(r.Id))
            .ToDictionaryAsync(r => r.Id, r => new { r.Name, r.Identifier }, cancellationToken);
        string Inventory(int id) => inventories.GetValueOrDefault(id, $"inventory {id}");
        string Identifier(int id) => rollouts.TryGetValue(id, out var r) ? r.Identifier : "";
        var between = groups
            .Select(g => new LinksBetween(rollouts.TryGetValue(g.RolloutId, out var r) ? r.Name : $"rollout {g.RolloutId}",
                Identifier(g.RolloutId), Inventory(g.SourceInventory), Inventory(g.TargetInventory), g.Links))
            .OrderByDescending(b => b.Links).ThenBy(b => b.Rollout, StringComparer.OrdinalIgnoreCase)
            .ThenBy(b => b.SourceInventory, StringComparer.OrdinalIgnoreCase).ThenBy(b => b.TargetInventory, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new LinkTypeUse(groups.Sum(g => g.Links), between,
            [.. first.Select(l => new LinkOfType(Identifier(l.RolloutId), l.SourceId, l.Source, Inventory(l.SourceInventory), l.TargetId,
                l.Target, Inventory(l.TargetInventory)))], more);
    }

    /// <summary>
    /// Deletes a link type no link uses, with its shared fields; refused (a conflict) while links use it, naming how many
    /// and between which inventories, also when a link of it was made meanwhile. An audit event.
    /// </summary>
    public async Task<Result> DeleteAsync(ClaimsPrincipal actor, int typeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var type = await FindAsync(typeId, cancellationToken);
        // Locked before its links are counted: a link being made of it commits first and is counted, one made later
        // waits for the delete and finds the type gone; the delete never fails on the links' foreign key (decision 0092).
        if (type is null || !await LinkTypeRowLock.ForDeleteAsync(db, typeId, cancellationToken))
        {
            return Problem.NotFound($"Link type {typeId} does not exist.");
        }

        var use = await UseAsync(typeId, cancellationToken);
        if (use.InUse)
        {
            return Problem.Conflict(use.Refusal(type));
        }

        var sharedIds = type.SharedFields.Select(f => f.CustomFieldId).ToList();
        var shared = await db.CustomFields.AsNoTracking().Where(f => sharedIds.Contains(f.Id)).OrderBy(f => f.Name)
            .Select(f => f.Name).ToListAsync(cancellationToken);
        db.ClientLinkTypes.Remove(type);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (!BusyDatabase.IsBusyOrUnavailable(e))
        {
            // A link of the type was made meanwhile, which the type's lock above prevents: its key refuses the delete.
            db.ChangeTracker.Clear();
            await transaction.RollbackAsync(CancellationToken.None);
            var now = await UseAsync(typeId, cancellationToken);
            return Problem.Conflict(now.InUse
                ? now.Refusal(type)
                : $"The link type \"{type.OutwardName}\" could not be deleted: clients were being linked by it. Open it again and retry.");
        }

        audit.LinkTypeDeleted(actor.UserId(), type.Id, type.OutwardName, type.InwardName, type.IsAdvanced, shared);
        return Result.Success;
    }

    public async Task<Result<ClientLinkType>> CreateAsync(ClaimsPrincipal actor, LinkTypeForm form, CancellationToken cancellationToken)
    {
        var type = new ClientLinkType { OutwardName = "", InwardName = "" };
        var saved = await SaveAsync(actor, type, form, isNew: true, cancellationToken);
        return saved.Failed ? saved.Problem : type;
    }

    public Task<Result> UpdateAsync(ClaimsPrincipal actor, ClientLinkType type, LinkTypeForm form, CancellationToken cancellationToken) =>
        SaveAsync(actor, type, form, isNew: false, cancellationToken);

    private async Task<Result> SaveAsync(ClaimsPrincipal actor, ClientLinkType type, LinkTypeForm form, bool isNew,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(form);
        var errors = new ProblemList();
        var outward = SettingsNames.Clean(form.OutwardName);
        var inward = SettingsNames.Clean(form.InwardName);
        if (outward is null)
        {
            errors.Invalid(nameof(LinkTypeForm.OutwardName), "Enter the outward name (e.g. \"replaces\").");
        }
        else if (outward.Length > 200)
        {
            errors.Invalid(nameof(LinkTypeForm.OutwardName), "The outward name can have at most 200 characters.");
        }
        else if (SettingsNames.LineBreakOrControl(outward, "The outward name") is { } brokenOutward)
        {
            errors.Invalid(nameof(LinkTypeForm.OutwardName), brokenOutward);
        }
        else
        {
            if (await db.ClientLinkTypes.Where(t => t.Id != type.Id)
                    .AnyAsync(IgnoringCase.Equal<ClientLinkType>(t => t.OutwardName, outward), cancellationToken))
            {
                errors.Conflict(nameof(LinkTypeForm.OutwardName), $"Another link type is already named \"{outward}\".");
            }
        }

        if (inward is null)
        {
            errors.Invalid(nameof(LinkTypeForm.InwardName), "Enter the inward name (e.g. \"is replaced by\").");
        }
        else if (inward.Length > 200)
        {
            errors.Invalid(nameof(LinkTypeForm.InwardName), "The inward name can have at most 200 characters.");
        }
        else if (SettingsNames.LineBreakOrControl(inward, "The inward name") is { } brokenInward)
        {
            errors.Invalid(nameof(LinkTypeForm.InwardName), brokenInward);
        }

        var fieldIds = (form.SharedFieldIds ?? []).Distinct().ToList();
        if (!form.IsAdvanced && fieldIds.Count > 0)
        {
            errors.Invalid(nameof(LinkTypeForm.SharedFieldIds), "Only advanced link types share fields: tick \"Advanced\" or choose no field.");
        }
        else if (fieldIds.Count > 0 && await db.CustomFields.CountAsync(f => fieldIds.Contains(f.Id), cancellationToken) != fieldIds.Count)
        {
            errors.Invalid(nameof(LinkTypeForm.SharedFieldIds), "A chosen custom field no longer exists.");
        }

        if (!isNew && type.IsAdvanced != form.IsAdvanced && await db.ClientLinks.AnyAsync(l => l.ClientLinkTypeId == type.Id, cancellationToken))
        {
            errors.Invalid(nameof(LinkTypeForm.IsAdvanced),
                "Clients are linked by this type: whether it is advanced can no longer change (create another link type).");
        }

        if (errors.Failed || outward is null || inward is null)
        {
            return errors.ToResult();
        }

        // The shared fields by name, before and after, for the audit log.
        var beforeIds = type.SharedFields.Select(f => f.CustomFieldId).ToList();
        var named = await db.CustomFields.AsNoTracking().Where(f => beforeIds.Contains(f.Id) || fieldIds.Contains(f.Id))
            .OrderBy(f => f.Name).Select(f => new { f.Id, f.Name }).ToListAsync(cancellationToken);
        List<string> Names(List<int> ids) => [.. named.Where(f => ids.Contains(f.Id)).Select(f => f.Name)];
        var changes = new AuditChanges().Text("outward name", type.OutwardName, outward).Text("inward name", type.InwardName, inward)
            .Flag("advanced", type.IsAdvanced, form.IsAdvanced).List("shared fields", Names(beforeIds), Names(fieldIds));
        type.OutwardName = outward;
        type.InwardName = inward;
        type.IsAdvanced = form.IsAdvanced;
        type.SharedFields.RemoveAll(f => !fieldIds.Contains(f.CustomFieldId));
        type.SharedFields.AddRange(fieldIds.Where(id => type.SharedFields.All(f => f.CustomFieldId != id))
            .Select(id => new ClientLinkTypeSharedField { CustomFieldId = id }));
        if (isNew)
        {
            db.ClientLinkTypes.Add(type);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (isNew)
        {
            audit.LinkTypeCreated(actor.UserId(), type.Id, outward, inward, type.IsAdvanced, Names(fieldIds));
        }
        else if (changes.Any)
        {
            audit.LinkTypeChanged(actor.UserId(), type.Id, outward, changes.ToString());
        }

        return Result.Success;
    }
}
