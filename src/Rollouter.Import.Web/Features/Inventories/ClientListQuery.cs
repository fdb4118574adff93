using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Web.Features.Inventories;

/// <summary>The query string of a client list (page and API) as it was asked for; <see cref="Read"/> checks it.</summary>
public sealed record ClientListArguments(
    string? Search,
    string? Sort,
    string? Dir,
    string? After,
    string? Before,
    bool Last,
    string? From,
    int? Page,
    int PageSize,
    int? Import = null);

/// <summary>
/// The arguments understood: the sort, its direction and where the page starts; or what is wrong with them, and which
/// parameter (<see cref="ErrorField"/>: sort, dir, after, before, page, …).
/// </summary>
/// <see cref="ImportId"/>: only the clients that import created or changed (an import into this inventory).
/// <param name="Restart">
/// The error is that the cursor's order changed since its page (a status moved: decision 0108): the page says so, with a
/// link to the first page, rather than showing the list's start silently.
/// </param>
public sealed record ClientListChoice(ClientSort Sort, bool Descending, string? Search, ClientPosition Position, string? Error,
    string? ErrorField = null, int? ImportId = null, bool Restart = false);

/// <summary>
/// An inventory's client list for the page and the API alike: reads the arguments, loads the page by keyset
/// (<see cref="ClientPages"/>) and then the page's clients with their status and users.
/// </summary>
public static class ClientListQuery
{
    /// <summary>
    /// The arguments as a sort and a position, for <paramref name="inventory"/> with its statuses and custom fields
    /// loaded (<see cref="CompleteAsync"/>). A jump to a name (<c>from</c>) works in the name sort only, either direction
    /// (with another <c>sort</c> it is refused: before, the sort and <c>dir=desc</c> were dropped). A cursor must name a position
    /// a client of this list can have: a status of the inventory's workflow, a user who exists (one lookup by key).
    /// </summary>
    public static async Task<ClientListChoice> ReadAsync(RolloutDbContext db, ClientListArguments arguments, Inventory inventory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(inventory);
        var fieldIds = inventory.CustomFields.Select(f => f.CustomFieldId).ToList();
        var search = NameSearch.Clean(arguments.Search);
        var from = NameSearch.Clean(arguments.From);
        var sort = ClientSort.Parse(arguments.Sort, fieldIds);
        var descending = string.Equals(arguments.Dir, "desc", StringComparison.OrdinalIgnoreCase);
        string? error = null;
        string? field = null;
        var restart = false;
        if (sort is null)
        {
            (error, field) = ($"There is no sort \"{arguments.Sort}\": name, status, assignee, clientuser, description, or f<id> of one of " +
                "the inventory's custom fields.", "sort");
            sort = ClientSort.Name;
        }
        else if (!string.IsNullOrEmpty(arguments.Dir) && !descending && !string.Equals(arguments.Dir, "asc", StringComparison.OrdinalIgnoreCase))
        {
            (error, field) = ($"dir is asc or desc, not \"{arguments.Dir}\".", "dir");
        }
        else if (from is not null && sort.Column != ClientSortColumn.Name)
        {
            (error, field) = (FromNeedsTheNameSort, "from");
        }

        var position = ClientPosition.First;
        // Where the page starts, as given: only the parameters sent are named (the API takes no before or last).
        string[] starts =
        [
            .. new[] { ("after", arguments.After), ("before", arguments.Before), ("last", arguments.Last ? "true" : null), ("from", from),
                ("page", arguments.Page > 1 ? "page" : null) }.Where(s => !string.IsNullOrEmpty(s.Item2)).Select(s => s.Item1),
        ];
        if (starts.Length > 1)
        {
            if (error is null)
            {
                (error, field) = ($"Give only one of {string.Join(", ", starts[..^1])} and {starts[^1]}: each says where the page " +
                    "starts.", starts[1]);
            }
        }
        else if (from is not null)
        {
            position = ClientPosition.FromName(from);
        }
        else if (!string.IsNullOrEmpty(arguments.After) || !string.IsNullOrEmpty(arguments.Before))
        {
            var cursor = ClientCursor.Decode(arguments.After ?? arguments.Before, sort);
            if (cursor is null || !await NamesAPlaceAsync(db, cursor, sort, inventory, cancellationToken))
            {
                if (error is null)
                {
                    field = arguments.After is not null ? "after" : "before";
                    error = $"{field} is not a position in this list sorted by {sort.Key}: take next from an answer of the same sort.";
                }
            }
            else if (sort.Column == ClientSortColumn.Status && cursor.Place is { } order
                     && order != ClientCursor.StatusOrderPlace(StatusOrder(inventory)))
            {
                // The walk goes on from the cursor's status in the workflow's order: moved, it would skip or repeat the
                // clients of the statuses that changed sides (decision 0108).
                if (error is null)
                {
                    field = arguments.After is not null ? "after" : "before";
                    error = Reordered;
                    restart = true;
                }
            }
            else
            {
                position = arguments.After is not null ? ClientPosition.After(cursor) : ClientPosition.Before(cursor);
            }
        }
        else if (arguments.Last)
        {
            position = ClientPosition.Last;
        }
        else if (arguments.Page is > 1 and var page)
        {
            var skip = (long)(page - 1) * arguments.PageSize;
            if (skip > ClientPages.MaxOffset)
            {
                if (error is null)
                {
                    (error, field) = ($"page reaches the first {ClientPages.MaxOffset:N0} clients at most: follow next (after=) to go further.",
                        "page");
                }
            }
            else
            {
                position = ClientPosition.Skip((int)skip);
            }
        }

        int? importId = null;
        if (arguments.Import is { } import)
        {
            // Only an import into this inventory: another's (of this rollout or any other) is told as one that does not
            // exist, so an id says nothing about another rollout.
            if (await db.Imports.AnyAsync(i => i.Id == import && i.InventoryId == inventory.Id && i.RolloutId == inventory.RolloutId,
                    cancellationToken))
            {
                importId = import;
            }
            else if (error is null)
            {
                (error, field) = (ImportRefusal(import, inventory.Name), "importId");
            }
        }

        return new ClientListChoice(sort, descending, search, position, error, field, importId, restart);
    }

    /// <summary>Why <c>from</c> with another sort than the name is refused.</summary>
    public const string FromNeedsTheNameSort = "from= jumps to a name: it works with the name sort only.";

    /// <summary>Why a status sort's cursor is refused after its workflow's statuses were reordered (decision 0108).</summary>
    public const string Reordered = "The workflow's statuses were reordered since this page was read: start again from the first page.";

    /// <summary>The inventory's workflow's status ids in the workflow's order, as the status sort walks them.</summary>
    public static List<int> StatusOrder(Inventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        return [.. inventory.Workflow.Statuses.OrderBy(s => s.Position).ThenBy(s => s.Id).Select(s => s.Id)];
    }

    /// <summary>Why a filter by an import was refused: no such import into this inventory.</summary>
    public static string ImportRefusal(int import, string inventory) =>
        $"There is no import #{ImportNumbers.Id(import)} into the inventory \"{inventory}\": " +
        "give the number of one of its imports.";

    /// <summary>
    /// Whether a decoded cursor's key is a place in this inventory's list: for the status sort a status of its workflow
    /// (a status removed since, or another workflow's, would make the walk start again and repeat pages), for the user
    /// sorts a user who exists or none. The other sorts' keys are any text.
    /// </summary>
    private static async Task<bool> NamesAPlaceAsync(RolloutDbContext db, ClientCursor cursor, ClientSort sort, Inventory inventory,
        CancellationToken cancellationToken)
    {
        if (cursor.Key is null || sort.Column is not (ClientSortColumn.Status or ClientSortColumn.Assignee or ClientSortColumn.ClientUser))
        {
            return true;
        }

        var id = int.Parse(cursor.Key, CultureInfo.InvariantCulture);
        return sort.Column == ClientSortColumn.Status
            ? inventory.Workflow.Statuses.Any(s => s.Id == id)
            : await db.Users.AnyAsync(u => u.Id == id, cancellationToken);
    }

    /// <summary>
    /// The inventory with its workflow's statuses and its custom fields in order, without its remembered mapping: three
    /// plain queries by key. One query joining statuses and fields gave a row for each pair (24 for 8 statuses and 3
    /// fields, each with the inventory's mapping) and cost PostgreSQL 0.3 ms of planning on every list request.
    /// </summary>
    public static async Task<Inventory?> InventoryAsync(RolloutDbContext db, int rolloutId, int inventoryId, CancellationToken cancellationToken)
    {
        var inventory = await HeadAsync(db, rolloutId, inventoryId, cancellationToken);
        if (inventory is not null)
        {
            await CompleteAsync(db, inventory, cancellationToken);
        }

        return inventory;
    }

    /// <summary>
    /// The first part of <see cref="InventoryAsync"/>: the inventory and its workflow, without statuses and fields (of
    /// any rollout where <paramref name="rolloutId"/> is null: for the caller to check the user's access to it first).
    /// </summary>
    public static Task<Inventory?> HeadAsync(RolloutDbContext db, int? rolloutId, int inventoryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var inventories = db.Inventories.AsNoTracking().Where(i => i.Id == inventoryId);
        if (rolloutId is { } rollout)
        {
            inventories = inventories.Where(i => i.RolloutId == rollout);
        }

        return inventories
            .Select(i => new Inventory
            {
                Id = i.Id,
                RolloutId = i.RolloutId,
                Name = i.Name,
                WorkflowId = i.WorkflowId,
                CreatedAt = i.CreatedAt,
                ClientCount = i.ClientCount,
                Workflow = new Workflow { Id = i.Workflow.Id, Name = i.Workflow.Name },
            })
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The second part of <see cref="InventoryAsync"/>: the workflow's statuses and the custom fields in order.</summary>
    public static async Task CompleteAsync(RolloutDbContext db, Inventory inventory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(inventory);
        var workflow = inventory.Workflow;
        workflow.Statuses = await db.WorkflowStatuses.AsNoTracking().Where(s => s.WorkflowId == workflow.Id)
            .ToListAsync(cancellationToken);
        workflow.Statuses.ForEach(s => s.Workflow = workflow);
        inventory.CustomFields = await db.InventoryCustomFields.AsNoTracking().Include(f => f.CustomField)
            .Where(f => f.InventoryId == inventory.Id).OrderBy(f => f.Position).ThenBy(f => f.CustomFieldId)
            .ToListAsync(cancellationToken);
        inventory.CustomFields.ForEach(f => f.Inventory = inventory);
    }

    public static Task<ClientListPage> PageAsync(RolloutDbContext db, Inventory inventory, ClientListChoice choice, int size,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(choice);
        var statuses = StatusOrder(inventory);
        return new ClientPages(db).LoadAsync(new ClientListRequest(inventory.RolloutId, inventory.Id, inventory.ClientCount, statuses, choice.Sort,
            choice.Descending, choice.Search, choice.Position, size, choice.ImportId), cancellationToken);
    }

    /// <summary>Why a sort was refused (<see cref="ClientListPage.SortRefused"/>), naming it.</summary>
    public static string SortRefusal(string sort, int clients) =>
        $"Sorting by {sort} works for lists of up to {ClientPages.SortBound:N0} clients, and this inventory holds {clients:N0}: " +
        $"search first (a search that finds up to {ClientPages.SortedSearchBound:N0} clients sorts by any column).";

    /// <summary>
    /// The page's clients in the page's order: users by display name (<paramref name="byEmail"/>: by email), each status
    /// named from the inventory's workflow already loaded instead of a subquery per client (docs/performance.md; joining
    /// the users instead of their subqueries cost PostgreSQL more planning than it saved).
    /// </summary>
    public static async Task<List<ClientRow>> RowsAsync(RolloutDbContext db, Inventory inventory, ClientListPage page, bool byEmail,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(page);
        var ids = page.Rows.Select(r => r.Id).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var found = await db.Clients.AsNoTracking()
            .Where(c => ids.Contains(c.Id))
            .Select(c => new
            {
                c.Id,
                c.Name,
                c.StatusId,
                Assignee = db.Users.Where(u => u.Id == c.AssigneeId).Select(u => byEmail ? u.Email : u.DisplayName).FirstOrDefault(),
                ClientUser = db.Users.Where(u => u.Id == c.ClientUserId).Select(u => byEmail ? u.Email : u.DisplayName).FirstOrDefault(),
                c.Description,
                c.Flag,
                c.Values,
            })
            .ToListAsync(cancellationToken);
        // A client's status is always one of its inventory's workflow: the workflow cannot change while the inventory
        // has clients, and a status is removed only after its clients have moved to another.
        var statuses = inventory.Workflow.Statuses.ToDictionary(s => s.Id, s => s.Name);
        var rows = found.ToDictionary(c => c.Id, c => new ClientRow(c.Id, c.Name, statuses.GetValueOrDefault(c.StatusId, ""),
            c.Assignee, c.ClientUser, c.Description, c.Flag, c.Values));
        return [.. ids.Where(rows.ContainsKey).Select(id => rows[id])];
    }
}
