using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Exporting;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Inventories;

[RolloutScoped]
[Route("rollouts/{rollout}/inventories")]
public sealed class InventoriesController(RolloutDbContext db, InventoryService inventories, TimeProvider clock) : Controller
{
    public const int PageSize = 50;

    /// <summary>The inventory's clients: paged, searchable by name or description, sortable, custom fields as columns.</summary>
    [HttpGet("{id:int}")]
    public async Task<IActionResult> Clients(int id, string? search, int page = 1, string? sort = null, string? dir = null,
        CancellationToken cancellationToken = default)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventory = await db.Inventories
            .Include(i => i.Workflow)
            .Include(i => i.CustomFields.OrderBy(f => f.Position)).ThenInclude(f => f.CustomField)
            .FirstOrDefaultAsync(i => i.Id == id && i.RolloutId == rollout.Id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        var query = db.Clients.InInventory(rollout.Id, inventory.Id);
        search = search?.Trim();
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = NameSearch.Containing(search);
            query = query.Where(c => EF.Functions.Like(c.NameKey, pattern, NameSearch.Escape)
                || (c.Description != null && EF.Functions.Like(c.Description.ToLower(), pattern, NameSearch.Escape)));
        }

        sort = sort?.ToLowerInvariant() is { } lower && ClientList.Sorts.Contains(lower) ? lower : ClientList.DefaultSort;
        var descending = string.Equals(dir, "desc", StringComparison.OrdinalIgnoreCase);

        var total = await query.CountAsync(cancellationToken);
        var paging = Paging.Of(page, PageSize).Within(total);
        var pages = paging.PageCount(total);
        page = paging.Page;
        var clients = await Sorted(query, sort, descending)
            .Skip(paging.Skip)
            .Take(PageSize)
            .Select(c => new ClientRow(
                c.Id,
                c.Name,
                db.WorkflowStatuses.Where(s => s.Id == c.StatusId).Select(s => s.Name).FirstOrDefault() ?? "",
                db.Users.Where(u => u.Id == c.AssigneeId).Select(u => u.DisplayName).FirstOrDefault(),
                db.Users.Where(u => u.Id == c.ClientUserId).Select(u => u.DisplayName).FirstOrDefault(),
                c.Description,
                c.Flag,
                c.Values))
            .ToListAsync(cancellationToken);
        var fields = inventory.CustomFields.Select(f => f.CustomField).ToList();
        return View(new ClientList(rollout, inventory, fields, clients, search, page, pages, total, sort, descending));
    }

    /// <summary>
    /// Orders by the chosen column, then by name. Status orders by the workflow's order, users by display name; custom
    /// fields are not offered (their values are one JSON column, which SQLite and PostgreSQL cannot order alike).
    /// </summary>
    private IOrderedQueryable<Client> Sorted(IQueryable<Client> query, string sort, bool descending)
    {
        IOrderedQueryable<Client> Order<TKey>(System.Linq.Expressions.Expression<Func<Client, TKey>> key) =>
            descending ? query.OrderByDescending(key) : query.OrderBy(key);

        var ordered = sort switch
        {
            "status" => Order(c => db.WorkflowStatuses.Where(s => s.Id == c.StatusId).Select(s => s.Position).FirstOrDefault()),
            "assignee" => Order(c => db.Users.Where(u => u.Id == c.AssigneeId).Select(u => u.DisplayName).FirstOrDefault()),
            "clientuser" => Order(c => db.Users.Where(u => u.Id == c.ClientUserId).Select(u => u.DisplayName).FirstOrDefault()),
            "description" => Order(c => c.Description),
            "flag" => Order(c => c.Flag),
            _ => Order(c => c.NameKey),
        };
        return sort == ClientList.DefaultSort ? ordered : descending ? ordered.ThenByDescending(c => c.NameKey) : ordered.ThenBy(c => c.NameKey);
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
        View("Edit", await EditorAsync(null, 0, new InventoryForm(), new Dictionary<string, string>(), cancellationToken));

    [HttpPost("new")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Create(InventoryForm form, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var result = await inventories.CreateAsync(rollout.Id,
            new InventoryInput(form.Name, form.WorkflowId, form.ChosenFieldIds()), cancellationToken);
        if (result.Failed)
        {
            return Invalid(await EditorAsync(null, 0, form, result.Problem.ByField(), cancellationToken), result.Problem);
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
        return View(await EditorAsync(inventory, await ClientCountAsync(id, cancellationToken), form, new Dictionary<string, string>(), cancellationToken));
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
            new InventoryInput(form.Name, form.WorkflowId, form.ChosenFieldIds()), cancellationToken);
        if (result.Failed)
        {
            return Invalid(await EditorAsync(inventory, await ClientCountAsync(id, cancellationToken), form, result.Problem.ByField(), cancellationToken),
                result.Problem);
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
            : View(new InventoryDuplicate(RolloutScopedAttribute.Current(HttpContext), inventory, $"{inventory.Name} (copy)", null));
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

        var result = await inventories.DuplicateAsync(rollout.Id, id, name, cancellationToken);
        if (result.Failed)
        {
            Response.StatusCode = result.Problem.StatusCode();
            return View("Duplicate", new InventoryDuplicate(rollout, inventory, name, result.Problem.Message));
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

        var (clients, imports, running) = await inventories.DeletionImpactAsync(inventory.RolloutId, id, cancellationToken);
        return View(new InventoryDeletion(RolloutScopedAttribute.Current(HttpContext), inventory, clients, imports, running, null));
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
            var (clients, imports, running) = await inventories.DeletionImpactAsync(rollout.Id, id, cancellationToken);
            Response.StatusCode = deleted.Problem.StatusCode();
            return View("Delete", new InventoryDeletion(rollout, inventory, clients, imports, running, deleted.Problem.Message));
        }

        TempData["Message"] = $"Inventory \"{inventory.Name}\" was deleted.";
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
        db.Clients.InInventory(RolloutScopedAttribute.Current(HttpContext).Id, id).CountAsync(cancellationToken);

    private async Task<InventoryEditor> EditorAsync(Inventory? inventory, int clientCount, InventoryForm form,
        IReadOnlyDictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var workflows = (await db.Workflows.AsNoTracking().Include(w => w.Statuses).OrderBy(w => w.Name).ToListAsync(cancellationToken))
            .Select(w => new WorkflowOption(w.Id, w.Name, [.. w.Statuses.OrderBy(s => s.Position).Select(s => s.Name)]))
            .ToList();
        var fields = await db.CustomFields.AsNoTracking().OrderBy(f => f.Name)
            .Select(f => new FieldOption(f.Id, f.Name, f.Type, f.Required)).ToListAsync(cancellationToken);
        return new InventoryEditor(RolloutScopedAttribute.Current(HttpContext), inventory, clientCount, form, workflows, fields, errors);
    }
}
