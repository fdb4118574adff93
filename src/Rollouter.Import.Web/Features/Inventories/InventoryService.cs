using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Features.Settings;
using Rollouter.Import.Web.Infrastructure.Api;

namespace Rollouter.Import.Web.Features.Inventories;

/// <summary>What an inventory is made of: a name, a workflow and an ordered choice of custom fields.</summary>
public sealed record InventoryInput(string? Name, int? WorkflowId, IReadOnlyList<int>? CustomFieldIds);

/// <summary>
/// Creates, edits, duplicates and deletes inventories, for the pages and the API alike. The callers check role and
/// membership; this checks the input: a refusal names each wrong field ("Name", "WorkflowId", "CustomFieldIds"). The workflow of an inventory that has clients cannot change (their statuses
/// belong to it): duplicate the inventory instead.
/// </summary>
public sealed class InventoryService(RolloutDbContext db, TimeProvider clock, ImportFileStore? files = null, AuditLog? audit = null,
    ILogger<InventoryService>? logger = null)
{
    public const int MaxNameLength = 200;

    /// <summary>A new inventory. An audit event, <c>InventoryCreated</c> (its workflow and custom fields in order).</summary>
    public async Task<Result<Inventory>> CreateAsync(int rolloutId, InventoryInput input, int? actorId, CancellationToken cancellationToken)
    {
        var result = await CreateUnloggedAsync(rolloutId, input, cancellationToken);
        if (result.Succeeded)
        {
            var (workflow, fields) = await DescribeAsync(result.Value.WorkflowId, [.. result.Value.CustomFields.OrderBy(f => f.Position)
                .Select(f => f.CustomFieldId)], cancellationToken);
            audit?.InventoryCreated(actorId, rolloutId, result.Value.Id, result.Value.Name, workflow, fields);
        }

        return result;
    }

    private async Task<Result<Inventory>> CreateUnloggedAsync(int rolloutId, InventoryInput input, CancellationToken cancellationToken)
    {
        var valid = await ValidateAsync(rolloutId, null, input, cancellationToken);
        if (valid.Failed)
        {
            return valid.Problem;
        }

        var (name, workflowId, fieldIds) = valid.Value;
        var inventory = new Inventory
        {
            RolloutId = rolloutId,
            Name = name,
            WorkflowId = workflowId,
            CreatedAt = clock.GetUtcNow(),
            CustomFields = [.. fieldIds.Select((id, i) => new InventoryCustomField { CustomFieldId = id, Position = i })],
        };
        db.Inventories.Add(inventory);
        return await SaveAsync(inventory, cancellationToken);
    }

    /// <summary>
    /// The inventory's name, workflow or custom fields (in order) changed. An audit event, <c>InventoryChanged</c>, each
    /// before → after; a save that changes nothing writes none.
    /// </summary>
    public async Task<Result<Inventory>> UpdateAsync(int rolloutId, int inventoryId, InventoryInput input, int? actorId,
        CancellationToken cancellationToken)
    {
        var inventory = await db.Inventories.Include(i => i.CustomFields)
            .FirstOrDefaultAsync(i => i.Id == inventoryId && i.RolloutId == rolloutId, cancellationToken);
        if (inventory is null)
        {
            return Problem.NotFound($"Inventory {inventoryId} does not exist.");
        }

        var valid = await ValidateAsync(rolloutId, inventoryId, input, cancellationToken);
        if (valid.Failed)
        {
            return valid.Problem;
        }

        var (name, workflowId, fieldIds) = valid.Value;
        var clients = inventory.ClientCount;
        // Fields added or taken off, or another workflow, change what an import into the inventory checks and writes: such
        // an edit waits for an import's writer (the rollout's write lock, as deletion takes it) and is refused while an
        // import into the inventory is In Progress, so that a field taken off is recorded as hidden with the clients
        // that import wrote, and an import started meanwhile checks its fields again (ClientWriter).
        var reshaped = workflowId != inventory.WorkflowId
                       || !inventory.CustomFields.Select(f => f.CustomFieldId).ToHashSet().SetEquals(fieldIds);
        await using var transaction = reshaped ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (reshaped)
        {
            await RolloutWriteLock.AcquireAsync(db, rolloutId, cancellationToken);
            if (await db.Imports.AnyAsync(i => i.InventoryId == inventoryId && i.Status == ImportStatus.InProgress, cancellationToken))
            {
                return Problem.Conflict("An import into this inventory is running: change its custom fields or workflow " +
                                        "when it has finished.", workflowId != inventory.WorkflowId ? "WorkflowId" : "CustomFieldIds");
            }

            // The count as the last import's commit left it.
            clients = await db.Inventories.Where(i => i.Id == inventoryId).Select(i => i.ClientCount).SingleAsync(cancellationToken);
        }

        if (workflowId != inventory.WorkflowId)
        {
            if (clients > 0)
            {
                return Problem.Invalid($"The workflow cannot change while the inventory has clients ({clients:N0}): " +
                    "their statuses belong to the current workflow. Duplicate the inventory to start with another workflow.",
                    "WorkflowId");
            }
        }

        var beforeName = inventory.Name;
        var (beforeWorkflow, beforeFields) = await DescribeAsync(inventory.WorkflowId,
            [.. inventory.CustomFields.OrderBy(f => f.Position).ThenBy(f => f.CustomFieldId).Select(f => f.CustomFieldId)], cancellationToken);
        var (afterWorkflow, afterFields) = await DescribeAsync(workflowId, fieldIds, cancellationToken);
        inventory.Name = name;
        inventory.WorkflowId = workflowId;
        // Values of a field taken away stay on the clients (keyed by field id) and come back if the field is added again;
        // the field stays known as hidden on the inventory meanwhile (InventoryHiddenField).
        var existing = inventory.CustomFields.ToDictionary(f => f.CustomFieldId);
        var hidden = await db.InventoryHiddenFields.Where(h => h.InventoryId == inventory.Id).ToListAsync(cancellationToken);
        foreach (var gone in inventory.CustomFields.Where(f => !fieldIds.Contains(f.CustomFieldId)).ToList())
        {
            inventory.CustomFields.Remove(gone);
            if (clients > 0 && hidden.All(h => h.CustomFieldId != gone.CustomFieldId))
            {
                db.InventoryHiddenFields.Add(new InventoryHiddenField { InventoryId = inventory.Id, CustomFieldId = gone.CustomFieldId });
            }
        }

        db.InventoryHiddenFields.RemoveRange(hidden.Where(h => fieldIds.Contains(h.CustomFieldId)));

        for (var i = 0; i < fieldIds.Count; i++)
        {
            if (existing.TryGetValue(fieldIds[i], out var field))
            {
                field.Position = i;
            }
            else
            {
                inventory.CustomFields.Add(new InventoryCustomField { CustomFieldId = fieldIds[i], Position = i });
            }
        }

        var saved = await SaveAsync(inventory, cancellationToken);
        if (saved.Succeeded && transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        var changes = new AuditChanges().Text("name", beforeName, name).Text("workflow", beforeWorkflow, afterWorkflow)
            .List("custom fields", beforeFields, afterFields);
        if (saved.Succeeded && changes.Any)
        {
            audit?.InventoryChanged(actorId, rolloutId, inventoryId, name, changes.ToString());
        }

        return saved;
    }

    /// <summary>A new inventory with the same workflow and custom fields in the same order; no clients. An audit event.</summary>
    public async Task<Result<Inventory>> DuplicateAsync(int rolloutId, int inventoryId, string? name, int? actorId,
        CancellationToken cancellationToken)
    {
        var source = await db.Inventories.AsNoTracking().Include(i => i.CustomFields)
            .FirstOrDefaultAsync(i => i.Id == inventoryId && i.RolloutId == rolloutId, cancellationToken);
        if (source is null)
        {
            return Problem.NotFound($"Inventory {inventoryId} does not exist.");
        }

        var fieldIds = source.CustomFields.OrderBy(f => f.Position).ThenBy(f => f.CustomFieldId).Select(f => f.CustomFieldId).ToList();
        // Its own event, InventoryDuplicated, rather than InventoryCreated.
        var result = await CreateUnloggedAsync(rolloutId, new InventoryInput(name, source.WorkflowId, fieldIds), cancellationToken);
        if (result.Succeeded && source.LastImportMapping is not null)
        {
            // The same columns map the same way into the copy.
            result.Value.LastImportMapping = source.LastImportMapping;
            await db.SaveChangesAsync(cancellationToken);
        }

        if (result.Succeeded)
        {
            audit?.InventoryDuplicated(actorId, rolloutId, source.Id, source.Name, result.Value.Id, result.Value.Name);
        }

        return result;
    }

    /// <summary>How many clients and imports go with the inventory, and whether an import is running.</summary>
    public async Task<(int Clients, int Imports, bool ImportRunning)> DeletionImpactAsync(
        int rolloutId, int inventoryId, CancellationToken cancellationToken) =>
        (await db.Inventories.Where(i => i.Id == inventoryId && i.RolloutId == rolloutId).Select(i => i.ClientCount).FirstOrDefaultAsync(cancellationToken),
            await db.Imports.CountAsync(i => i.InventoryId == inventoryId, cancellationToken),
            await db.Imports.AnyAsync(i => i.InventoryId == inventoryId && i.Status == ImportStatus.InProgress, cancellationToken));

    /// <summary>The most imports <see cref="ImportsReachingOtherInventoriesAsync"/> names; the rest are counted.</summary>
    public const int MaxReachingImportsNamed = 20;

    /// <summary>The inventory's imports whose history one statement of <see cref="ImportsReachingOtherInventoriesAsync"/> reads.</summary>
    private const int ImportIdsPerStatement = 1_000;

    /// <summary>
    /// The inventory's imports (not Reverted) that also changed clients of other inventories of the rollout (an import
    /// updates clients by name across the rollout, and imposes shared values on linked clients): deleting the inventory
    /// deletes them with their history, failed rows and reviews, while those clients keep the values they gave them.
    /// Each with the clients it changed per other inventory, read from those clients' history (one entry per client and
    /// import, through the history's import index), oldest import first; at most <see cref="MaxReachingImportsNamed"/>.
    /// The other inventories are named by id, so that their clients are read through the clients' inventory index: "the
    /// rollout's clients but this inventory's" read every client of the rollout, a million for the inventory that holds
    /// them (decision 0179).
    /// </summary>
    public async Task<(IReadOnlyList<ImportReachingOtherInventories> Imports, int More)> ImportsReachingOtherInventoriesAsync(
        int rolloutId, int inventoryId, CancellationToken cancellationToken)
    {
        var others = await db.Inventories.Where(i => i.RolloutId == rolloutId && i.Id != inventoryId).Select(i => i.Id)
            .ToListAsync(cancellationToken);
        if (others.Count == 0)
        {
            return ([], 0);
        }

        // The imports by id, 1,000 a statement (SQL Server takes 2,100 parameters, and EF Core pads a list's): PostgreSQL
        // then estimates their history entries from the ids' own statistics (a join with the imports' table was estimated
        // as an average share of the whole history, and read all of it: 315 ms for 5,000 imports without history beside a
        // million entries of another inventory's import).
        var ownImports = await db.Imports.Where(i => i.InventoryId == inventoryId && i.Status != ImportStatus.Reverted)
            .OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(cancellationToken);
        var reached = new List<(int ImportId, int InventoryId, int Clients)>();
        foreach (var chunk in ownImports.Chunk(ImportIdsPerStatement))
        {
            var ids = chunk.Select(id => (int?)id).ToList();
            reached.AddRange((await (
                    from h in db.ClientHistory
                    join c in db.Clients on h.ClientId equals c.Id
                    where ids.Contains(h.ImportId) && h.Action == ClientHistoryAction.Changed && others.Contains(c.InventoryId)
                    select new { h.ImportId, c.InventoryId, ClientId = c.Id })
                .Distinct()
                .GroupBy(x => new { x.ImportId, x.InventoryId })
                .Select(g => new { g.Key.ImportId, g.Key.InventoryId, Clients = g.Count() })
                .ToListAsync(cancellationToken)).Select(r => (r.ImportId ?? 0, r.InventoryId, r.Clients)));
        }

        if (reached.Count == 0)
        {
            return ([], 0);
        }

        var importIds = reached.Select(r => r.ImportId).Distinct().OrderBy(id => id).ToList();
        var named = importIds.Take(MaxReachingImportsNamed).ToList();
        var inventoryIds = reached.Select(r => r.InventoryId).Distinct().ToList();
        var inventoryNames = await db.Inventories.Where(i => inventoryIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Name, cancellationToken);
        var imports = await db.Imports.Where(i => named.Contains(i.Id))
            .Select(i => new { i.Id, i.FileName, i.Status }).ToDictionaryAsync(i => i.Id, cancellationToken);
        return ([.. named.Where(imports.ContainsKey).Select(id => new ImportReachingOtherInventories(id, imports[id].FileName, imports[id].Status,
                [.. reached.Where(r => r.ImportId == id)
                    .Select(r => new ClientsOfInventory(inventoryNames.GetValueOrDefault(r.InventoryId, $"inventory {r.InventoryId}"), r.Clients))
                    .OrderBy(r => r.Inventory, StringComparer.OrdinalIgnoreCase)]))],
            importIds.Count - named.Count);
    }

    /// <summary>
    /// Deletes the inventory with its clients, their links (also to clients of other inventories, each of which gets a
    /// history entry "Link: … → (removed with inventory …)"), history, and the inventory's imports, in one transaction.
    /// Refused (a conflict) while one of its imports runs.
    /// </summary>
    public async Task<Result> DeleteAsync(int rolloutId, int inventoryId, int? actorId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var inventory = await db.Inventories.FirstOrDefaultAsync(i => i.Id == inventoryId && i.RolloutId == rolloutId, cancellationToken);
        if (inventory is null)
        {
            return Problem.NotFound($"Inventory {inventoryId} does not exist.");
        }

        if (await db.Imports.AnyAsync(i => i.InventoryId == inventoryId && i.Status == ImportStatus.InProgress, cancellationToken))
        {
            return Problem.Conflict("An import into this inventory is running; delete the inventory after it has finished.");
        }

        // An import approved meanwhile writes under this lock: wait for its transaction, then delete what it wrote too.
        await RolloutWriteLock.AcquireAsync(db, rolloutId, cancellationToken);

        var clients = db.Clients.InInventory(rolloutId, inventoryId).Select(c => c.Id);
        var clientCount = await clients.CountAsync(cancellationToken);
        var importIds = await db.Imports.Where(i => i.InventoryId == inventoryId).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(cancellationToken);
        var links = db.ClientLinks.Where(l => clients.Contains(l.SourceClientId) || clients.Contains(l.TargetClientId));
        // The clients of other inventories linked to these keep a history entry saying the link went with the inventory,
        // as an unlink records it: written before the links go, in this transaction, by one statement.
        await LinksRemovedWithInventory.RecordAsync(db, rolloutId, inventoryId, inventory.Name, actorId, clock.GetUtcNow(),
            cancellationToken);
        // Memberships point at clients with a restricting key: they go first, also the partners' of links leaving the inventory.
        await db.AdvancedLinkMemberships.Where(m => links.Select(l => l.Id).Contains(m.ClientLinkId) || clients.Contains(m.ClientId))
            .ExecuteDeleteAsync(cancellationToken);
        await links.ExecuteDeleteAsync(cancellationToken);
        await db.ClientHistory.Where(h => clients.Contains(h.ClientId)).ExecuteDeleteAsync(cancellationToken);
        await db.Clients.InInventory(rolloutId, inventoryId).ExecuteDeleteAsync(cancellationToken);
        await ImportLifecycle.DeleteImportsAsync(db, db.Imports.Where(i => i.InventoryId == inventoryId), cancellationToken);
        await db.InventoryCustomFields.Where(f => f.InventoryId == inventoryId).ExecuteDeleteAsync(cancellationToken);
        await db.InventoryHiddenFields.Where(f => f.InventoryId == inventoryId).ExecuteDeleteAsync(cancellationToken);
        await db.Inventories.Where(i => i.Id == inventoryId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit?.InventoryDeleted(actorId, rolloutId, inventoryId, inventory.Name, clientCount, importIds);
        if (logger is not null)
        {
            // A client the upgrade kept on its old name key gets its key as seen once its look-alike is gone (decision 0064).
            await NameKeysAsSeen.RetryKeptAfterRemovalAsync(db, logger, CancellationToken.None);
        }
        if (files is not null)
        {
            // This instance's cached copies of the deleted imports' files; other instances sweep theirs at start-up.
            await files.SweepCacheAsync(CancellationToken.None);
        }

        return Result.Success;
    }

    /// <summary>A workflow's name and custom fields' names in the given order, for an audit event.</summary>
    private async Task<(string Workflow, IReadOnlyList<string> Fields)> DescribeAsync(int workflowId, IReadOnlyList<int> fieldIds,
        CancellationToken cancellationToken)
    {
        if (audit is null)
        {
            return ("", []);
        }

        var workflow = await db.Workflows.Where(w => w.Id == workflowId).Select(w => w.Name).FirstOrDefaultAsync(cancellationToken);
        var names = fieldIds.Count == 0
            ? new Dictionary<int, string>()
            : await db.CustomFields.Where(f => fieldIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Name, cancellationToken);
        return (workflow ?? $"workflow {workflowId}", [.. fieldIds.Select(id => names.GetValueOrDefault(id, $"field {id}"))]);
    }

    /// <summary>
    /// The most custom fields an inventory has: an import reads at most 500 columns (<c>ReaderLimits.DefaultMaxColumns</c>),
    /// Name among them.
    /// </summary>
    public const int MaxCustomFields = Import.Importing.Reading.ReaderLimits.DefaultMaxColumns;

    private sealed record ValidInput(string Name, int WorkflowId, List<int> FieldIds);

    /// <summary>The input made valid, or every reason it is not (one per field).</summary>
    private async Task<Result<ValidInput>> ValidateAsync(int rolloutId, int? inventoryId, InventoryInput input, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>();
        // As seen, as every settings name (decision 0041): "Laptops" + a zero-width space is "Laptops", and a direction
        // override cannot make "Inv exe.png" of "Inv gnp.exe".
        var name = SettingsNames.Clean(input.Name);
        if (string.IsNullOrEmpty(name))
        {
            errors["Name"] = "Enter a name.";
        }
        else if (name.Length > MaxNameLength)
        {
            errors["Name"] = $"The name is too long: {name.Length} characters, at most {MaxNameLength}.";
        }
        else if (SettingsNames.LineBreakOrControl(name, "An inventory's name") is { } broken)
        {
            errors["Name"] = broken;
        }
        else
        {
            var names = await db.Inventories.Where(i => i.RolloutId == rolloutId && i.Id != (inventoryId ?? 0))
                .Select(i => i.Name).ToListAsync(cancellationToken);
            // A name stored before inventories' names were kept as seen is compared as seen too.
            if (names.FirstOrDefault(n => string.Equals(SettingsNames.Clean(n), name, StringComparison.OrdinalIgnoreCase)) is { } taken)
            {
                errors["Name"] = $"This rollout already has an inventory named \"{taken}\".";
            }
        }

        if (input.WorkflowId is not { } workflowId)
        {
            errors["WorkflowId"] = "Choose a workflow.";
        }
        else if (!await db.Workflows.AnyAsync(w => w.Id == workflowId, cancellationToken))
        {
            errors["WorkflowId"] = $"Workflow {workflowId} does not exist.";
        }
        else if (!await db.WorkflowStatuses.AnyAsync(s => s.WorkflowId == workflowId, cancellationToken))
        {
            errors["WorkflowId"] = "This workflow has no statuses yet; clients need one.";
        }

        // Each id once: a field chosen twice is refused below, and the bound counts fields, not ids sent.
        var fieldIds = new List<int>();
        var seen = new HashSet<int>();
        var chosenTwice = false;
        foreach (var id in input.CustomFieldIds ?? [])
        {
            if (seen.Add(id))
            {
                fieldIds.Add(id);
            }
            else
            {
                chosenTwice = true;
            }
        }

        if (chosenTwice)
        {
            errors["CustomFieldIds"] = "A custom field can be chosen once.";
        }

        if (fieldIds.Count > MaxCustomFields)
        {
            // Refused before anything is looked up: 40,000 ids were one statement of 40,000 parameters, past SQLite's limit.
            errors["CustomFieldIds"] = $"An inventory can have at most {MaxCustomFields} custom fields (an import reads at most " +
                $"{MaxCustomFields} columns), and {ImportNumbers.N(fieldIds.Count)} were chosen.";
            fieldIds.Clear();
        }

        if (fieldIds.Count > 0)
        {
            var known = (await db.CustomFields.Where(f => fieldIds.Contains(f.Id)).Select(f => f.Id).ToListAsync(cancellationToken)).ToHashSet();
            var unknown = fieldIds.Where(id => !known.Contains(id)).ToList();
            if (unknown.Count > 0)
            {
                errors["CustomFieldIds"] = $"No custom field with id {IdList.Bounded(unknown)}.";
            }
        }

        if (errors.Count > 0 || string.IsNullOrEmpty(name) || input.WorkflowId is not { } chosen)
        {
            return Problem.Combine([.. errors.Select(e => Problem.Invalid(e.Value, e.Key))]);
        }

        return new ValidInput(name, chosen, fieldIds);
    }

    private async Task<Result<Inventory>> SaveAsync(Inventory inventory, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return inventory;
        }
        catch (DbUpdateException e) when (!BusyDatabase.IsBusyOrUnavailable(e))
        {
            // Another request took the name meanwhile (the unique index on rollout and name).
            db.ChangeTracker.Clear();
            return Problem.Invalid($"This rollout already has an inventory named \"{inventory.Name}\".", "Name");
        }
    }
}

/// <summary>An import of an inventory about to be deleted that also changed clients of other inventories.</summary>
public sealed record ImportReachingOtherInventories(int Id, string FileName, ImportStatus Status, IReadOnlyList<ClientsOfInventory> Inventories)
{
    public int ClientCount => Inventories.Sum(i => i.Clients);
}

/// <summary>How many clients of one (other) inventory an import changed.</summary>
public sealed record ClientsOfInventory(string Inventory, int Clients);
