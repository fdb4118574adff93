using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Exporting;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Forms;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Inventories;

[RolloutScoped]
[Route("rollouts/{rollout}/inventories")]
public sealed class InventoriesController(RolloutDbContext db, InventoryService inventories, TimeProvider clock) : Controller
{
    public const int PageSize = 50;

    /// <summary>
    /// The inventory's clients, 50 a page by keyset (First, Previous, Next, Last, a jump to a name), searchable by name or
    /// description, sortable by every column, custom fields included.
    /// </summary>
    [HttpGet("{id:int}")]
    public async Task<IActionResult> Clients(int id, string? search, string? sort = null, string? dir = null, string? after = null,
        string? before = null, bool last = false, string? from = null, int? import = null, CancellationToken cancellationToken = default)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventory = await ClientListQuery.InventoryAsync(db, rollout.Id, id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        var fields = inventory.CustomFields.Select(f => f.CustomField).ToList();
        var choice = await ClientListQuery.ReadAsync(db, new ClientListArguments(search, sort, dir, after, before, last, from, null,
            PageSize, import), inventory, cancellationToken);
        string? notice = null;
        if (choice.ErrorField == "importId" && choice.Error is not null)
        {
            // An import that is not this inventory's: every client, and why, rather than an empty list.
            notice = choice.Error + " The list shows every client.";
            choice = await ClientListQuery.ReadAsync(db, new ClientListArguments(search, sort, dir, after, before, last, from, null,
                PageSize), inventory, cancellationToken);
        }

        string? restart = null;
        if (choice.Error is not null)
        {
            // A link from another sort or an edited address: the list's start, as a person following it would expect; a
            // Next or Previous of an order changed since (a status moved) says so (decision 0108).
            restart = choice.Restart ? choice.Error : null;
            choice = choice with { Position = ClientPosition.First, Error = null };
        }

        var page = await ClientListQuery.PageAsync(db, inventory, choice, PageSize, cancellationToken);
        var clients = await ClientListQuery.RowsAsync(db, inventory, page, byEmail: false, cancellationToken);
        var total = page.Found ?? inventory.ClientCount;
        return View(new ClientList(rollout, inventory, fields, clients, choice.Search, choice.Sort, choice.Descending, total,
            page.FoundMore, page, choice.ImportId, notice) { Restart = restart });
    }

    /// <summary>
    /// The inventory's clients as an .xlsx that imports back unchanged ("Update existing clients"), streamed: clients are
    /// read in pages and written as they come. Any member who sees the clients may export them.
    /// </summary>
    [HttpGet("{id:int}/export")]
    public async Task<IActionResult> Export(int id, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventory = await db.Inventories.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id && i.RolloutId == rollout.Id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        await StreamExportAsync(HttpContext, db, inventory, clock, cancellationToken);
        return new EmptyResult();
    }

    /// <summary>Writes the export into the response (pages and API).</summary>
    internal static async Task StreamExportAsync(HttpContext context, RolloutDbContext db, Inventory inventory,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(ClientExport.FileName(inventory.Name, clock.GetUtcNow()));
        context.Response.ContentType = XlsxStreamWriter.ContentType;
        context.Response.Headers.ContentDisposition = disposition.ToString();
        context.Response.Headers.CacheControl = "no-store";
        await ClientExport.WriteAsync(db, inventory.Id, context.Response.Body, cancellationToken);
    }

    [HttpGet("new")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> New(CancellationToken cancellationToken) =>
        View("Edit", await EditorAsync(null, 0, new InventoryForm(), cancellationToken));

    [HttpPost("new")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Create(InventoryForm form, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var result = await inventories.CreateAsync(rollout.Id,
            new InventoryInput(form.Name, form.WorkflowId, form.ChosenFieldIds()), User.UserId(), cancellationToken);
        if (result.Failed)
        {
            return Invalid(await EditorAsync(null, 0, form, cancellationToken), result.Problem);
        }

        return Redirect($"/rollouts/{rollout.Identifier}/inventories/{result.Value.Id}");
    }

    [HttpGet("{id:int}/edit")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var inventory = await FindAsync(id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        var form = new InventoryForm
        {
            Name = inventory.Name,
            WorkflowId = inventory.WorkflowId,
            Fields = [.. inventory.CustomFields.OrderBy(f => f.Position).Select((f, i) =>
                new InventoryFieldChoice { Id = f.CustomFieldId, Selected = true, Position = i + 1 })],
        };
        return View(await EditorAsync(inventory, await ClientCountAsync(id, cancellationToken), form, cancellationToken));
    }

    [HttpPost("{id:int}/edit")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Update(int id, InventoryForm form, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventory = await FindAsync(id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        var result = await inventories.UpdateAsync(rollout.Id, id,
            new InventoryInput(form.Name, form.WorkflowId, form.ChosenFieldIds()), User.UserId(), cancellationToken);
        if (result.Failed)
        {
            return Invalid(await EditorAsync(inventory, await ClientCountAsync(id, cancellationToken), form, cancellationToken), result.Problem);
        }

        return Redirect($"/rollouts/{rollout.Identifier}/inventories/{id}");
    }

    [HttpGet("{id:int}/duplicate")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Duplicate(int id, CancellationToken cancellationToken)
    {
        var inventory = await FindAsync(id, cancellationToken);
        return inventory is null
            ? NotFound()
            : View(new InventoryDuplicate(RolloutScopedAttribute.Current(HttpContext), inventory, $"{inventory.Name} (copy)"));
    }

    [HttpPost("{id:int}/duplicate")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> DuplicatePost(int id, string? name, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventory = await FindAsync(id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        var result = await inventories.DuplicateAsync(rollout.Id, id, name, User.UserId(), cancellationToken);
        if (result.Failed)
        {
            // Each reason under its field: the name's on the one field of the form, the others (the source's workflow or
            // fields) in the summary.
            result.Problem.AddTo(ModelState, Response);
            return View("Duplicate", new InventoryDuplicate(rollout, inventory, name));
        }

        return Redirect($"/rollouts/{rollout.Identifier}/inventories/{result.Value.Id}");
    }

    [HttpGet("{id:int}/delete")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Delete(int id, CancellationToken cancellationToken)
    {
        var inventory = await FindAsync(id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        return View(await DeletionAsync(RolloutScopedAttribute.Current(HttpContext), inventory, cancellationToken));
    }

    /// <summary>What the confirmation page says goes with the inventory, imports that reached other inventories named.</summary>
    private async Task<InventoryDeletion> DeletionAsync(Rollout rollout, Inventory inventory, CancellationToken cancellationToken)
    {
        var (clients, imports, running) = await inventories.DeletionImpactAsync(rollout.Id, inventory.Id, cancellationToken);
        var (reaching, more) = await inventories.ImportsReachingOtherInventoriesAsync(rollout.Id, inventory.Id, cancellationToken);
        return new InventoryDeletion(rollout, inventory, clients, imports, running) { ReachingImports = reaching, MoreReachingImports = more };
    }

    [HttpPost("{id:int}/delete")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> DeletePost(int id, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventory = await FindAsync(id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        var deleted = await inventories.DeleteAsync(rollout.Id, id, User.UserId(), cancellationToken);
        if (deleted.Failed)
        {
            deleted.Problem.AddTo(ModelState, Response);
            return View("Delete", await DeletionAsync(rollout, inventory, cancellationToken));
        }

        TempData[PageMessage.Key] = $"Inventory \"{inventory.Name}\" was deleted.";
        return Redirect($"/rollouts/{rollout.Identifier}");
    }

    private ViewResult Invalid(InventoryEditor editor, Problem problem)
    {
        problem.AddTo(ModelState, Response);
        return View("Edit", editor);
    }

    private Task<Inventory?> FindAsync(int id, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        return db.Inventories.AsNoTracking().Include(i => i.CustomFields)
            .FirstOrDefaultAsync(i => i.Id == id && i.RolloutId == rollout.Id, cancellationToken);
    }

    private Task<int> ClientCountAsync(int id, CancellationToken cancellationToken) =>
        db.Inventories.Where(i => i.Id == id && i.RolloutId == RolloutScopedAttribute.Current(HttpContext).Id)
            .Select(i => i.ClientCount).FirstOrDefaultAsync(cancellationToken);

    private async Task<InventoryEditor> EditorAsync(Inventory? inventory, int clientCount, InventoryForm form,
        CancellationToken cancellationToken)
    {
        var workflows = (await db.Workflows.AsNoTracking().Include(w => w.Statuses).OrderBy(w => w.Name).ToListAsync(cancellationToken))
            .Select(w => new WorkflowOption(w.Id, w.Name, [.. w.Statuses.OrderBy(s => s.Position).Select(s => s.Name)]))
            .ToList();
        var fields = await db.CustomFields.AsNoTracking().OrderBy(f => f.Name)
            .Select(f => new FieldOption(f.Id, f.Name, f.Type, f.Required)).ToListAsync(cancellationToken);
        return new InventoryEditor(RolloutScopedAttribute.Current(HttpContext), inventory, clientCount, form, workflows, fields);
    }
}
