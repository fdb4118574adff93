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
    /// The inventory with its workflow's statuses and its custom fields in order, without its remembered mapping, in one
    /// statement: three branches of a UNION ALL (the inventory's row, one row a status, one row a field), each a plain
    /// lookup by key. Three statements before, one round trip each on every list request (docs/performance.md,
    /// 2026-12-07); one query joining statuses and fields gave a row for each pair (24 for 8 statuses and 3 fields, each
    /// with the inventory's mapping) and cost PostgreSQL 0.3 ms of planning on every list request. Of any rollout where
    /// <paramref name="rolloutId"/> is null: for the caller to check the user's access to it before showing anything.
    /// </summary>
    public static async Task<Inventory?> InventoryAsync(RolloutDbContext db, int? rolloutId, int inventoryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var parts = new List<InventoryPart>();
        await foreach (var part in InventoryParts.For(db)(db, inventoryId, rolloutId).WithCancellation(cancellationToken))
        {
            parts.Add(part);
        }

        if (parts.Find(p => p.Kind == InventoryPart.Head) is not { } found)
        {
            return null;
        }

        var workflow = new Workflow { Id = found.Other, Name = found.Text ?? "" };
        var inventory = new Inventory
        {
            Id = found.Id,
            RolloutId = found.Number,
            Name = found.Name ?? "",
            WorkflowId = found.Other,
            CreatedAt = found.At ?? default,
            ClientCount = found.Count,
            Workflow = workflow,
        };
        workflow.Statuses = [.. parts.Where(p => p.Kind == InventoryPart.Status)
            .Select(p => new WorkflowStatus { Id = p.Id, WorkflowId = workflow.Id, Workflow = workflow, Name = p.StatusName ?? "", Position = p.Number })];
        inventory.CustomFields = [.. parts.Where(p => p.Kind == InventoryPart.Field).OrderBy(p => p.Number).ThenBy(p => p.Id)
            .Select(p => new InventoryCustomField
            {
                InventoryId = inventory.Id,
                Inventory = inventory,
                CustomFieldId = p.Id,
                Position = p.Number,
                CustomField = new CustomField
                {
                    Id = p.Id,
                    Name = p.Name ?? "",
                    Description = p.Text,
                    Type = Enum.Parse<CustomFieldType>(p.TypeName ?? "", ignoreCase: false),
                    Required = p.Required,
                    ValidationRegex = p.Regex,
                },
            })];
        return inventory;
    }

    /// <summary>
    /// <see cref="InventoryAsync"/>'s statement, compiled once (the lookup of every list request, whose translation EF
    /// would otherwise look up in its cache each time). A null rollout: any.
    /// </summary>
    private static readonly CompiledPerModel<Func<RolloutDbContext, int, int?, IAsyncEnumerable<InventoryPart>>> InventoryParts =
        new(() => EF.CompileAsyncQuery((RolloutDbContext db, int inventoryId, int? rolloutId) =>
            db.Inventories.AsNoTracking().Where(i => i.Id == inventoryId && (rolloutId == null || i.RolloutId == rolloutId))
                .Select(i => new InventoryPart
                {
                    Kind = InventoryPart.Head,
                    Id = i.Id,
                    Number = i.RolloutId,
                    Other = i.WorkflowId,
                    Count = i.ClientCount,
                    Name = i.Name,
                    StatusName = null,
                    Text = i.Workflow.Name,
                    Regex = null,
                    TypeName = null,
                    Required = false,
                    At = i.CreatedAt,
                })
                .Concat(db.Inventories.AsNoTracking().Where(i => i.Id == inventoryId && (rolloutId == null || i.RolloutId == rolloutId))
                    .SelectMany(i => db.WorkflowStatuses.Where(s => s.WorkflowId == i.WorkflowId))
                    .Select(s => new InventoryPart
                    {
                        Kind = InventoryPart.Status,
                        Id = s.Id,
                        Number = s.Position,
                        Other = 0,
                        Count = 0,
                        Name = null,
                        // A column of its own: SQL Server compares status names ordinally (their own collation), and a
                        // UNION of columns of two collations is an error there.
                        StatusName = s.Name,
                        Text = null,
                        Regex = null,
                        TypeName = null,
                        Required = false,
                        At = null,
                    }))
                .Concat(db.Inventories.AsNoTracking().Where(i => i.Id == inventoryId && (rolloutId == null || i.RolloutId == rolloutId))
                    .SelectMany(i => db.InventoryCustomFields.Where(f => f.InventoryId == i.Id))
                    .Select(f => new InventoryPart
                    {
                        Kind = InventoryPart.Field,
                        Id = f.CustomFieldId,
                        Number = f.Position,
                        Other = 0,
                        Count = 0,
                        Name = f.CustomField.Name,
                        StatusName = null,
                        Text = f.CustomField.Description,
                        Regex = f.CustomField.ValidationRegex,
                        // As its stored text: a null of the enum's own type would be an integer in the other branches.
                        TypeName = f.CustomField.Type.ToString(),
                        Required = f.CustomField.Required,
                        At = null,
                    }))));

    /// <summary>One row of <see cref="InventoryAsync"/>'s statement: the inventory, one of its statuses or one of its fields.</summary>
    private sealed class InventoryPart
    {
        public const int Head = 0;
        public const int Status = 1;
        public const int Field = 2;

        public int Kind { get; init; }

        public int Id { get; init; }

        /// <summary>The inventory's rollout; a status's or a field's position.</summary>
        public int Number { get; init; }

        /// <summary>The inventory's workflow.</summary>
        public int Other { get; init; }

        public int Count { get; init; }

        /// <summary>The inventory's or the field's name.</summary>
        public string? Name { get; init; }

        public string? StatusName { get; init; }

        /// <summary>The workflow's name; the field's description.</summary>
        public string? Text { get; init; }

        public string? Regex { get; init; }

        /// <summary>The field's type (<see cref="CustomFieldType"/>) by name.</summary>
        public string? TypeName { get; init; }

        public bool Required { get; init; }

        public DateTimeOffset? At { get; init; }
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
