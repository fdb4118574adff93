using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Inventories;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Features.Settings.LinkTypes;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Clients;

/// <summary>One client: users by email, custom field values by field name (multi-selections as arrays).</summary>
public sealed record ClientDto(int Id, string Name, string Status, string? Assignee, string? ClientUser,
    string? Description, string? Flag, IReadOnlyDictionary<string, object?> Values);

/// <summary>A user of a client: id, name, email.</summary>
public sealed record UserRefDto(int Id, string Name, string? Email);

/// <summary>A link as read from this client (<c>reading</c>: the outward name from the source, the inward from the target).</summary>
public sealed record ClientLinkDto(int Id, int LinkTypeId, string Reading, bool Advanced, int OtherClientId,
    string OtherClientName, string OtherInventory, DateTimeOffset CreatedAt);

/// <summary>
/// One history entry: <c>action</c> Created or Changed, <c>importId</c> when an import made it, and the values of the
/// import's row that were corrected in the browser (<c>corrections</c>, null when none).
/// </summary>
public sealed record ClientHistoryDto(DateTimeOffset At, UserRefDto? User, int? ImportId, string Action,
    IReadOnlyList<FieldChangeDto> Changes, IReadOnlyList<HistoryCorrectionDto>? Corrections = null);

/// <summary>A value corrected in the browser: column letter, field, the file's value, the value imported, by whom, when.</summary>
public sealed record HistoryCorrectionDto(string Column, string? Field, string? Original, string? Value, UserRefDto? By,
    DateTimeOffset At);

/// <summary>
/// One field's change: old and new value as read then; <c>setting</c> names the settings change that made it ("status
/// renamed in workflow "Standard"", "option renamed"), null for an import's, a link's or a revert's.
/// </summary>
public sealed record FieldChangeDto(string Field, string? Old, string? New, string? Setting = null);

/// <summary>A client with everything its page shows; custom values by field name (multi-selections as arrays).</summary>
public sealed record ClientDetailsDto(int Id, string Name, int InventoryId, string Inventory, string Status,
    UserRefDto? Assignee, UserRefDto? ClientUser, string? Description, string? Flag, IReadOnlyDictionary<string, object?> Values,
    IReadOnlyList<ClientLinkDto> Links, IReadOnlyList<ClientHistoryDto> History)
{
    /// <summary>The entries the client's history holds in all; <see cref="History"/> holds at most 500 of them.</summary>
    public int HistoryTotal { get; init; }

    /// <summary>The <c>historyAfter</c> of the next page of older entries; null when this page holds the oldest.</summary>
    public string? HistoryNext { get; init; }
}

/// <summary>
/// A link to another client of the rollout: <c>direction</c> "outward" (default: this client is the source and reads
/// the outward name) or "inward"; <c>keep</c>, for an advanced link, says by field name which value to keep ("this" or
/// "other") where the two clients disagree on a shared field.
/// </summary>
public sealed record CreateLinkRequest(int? OtherClientId, int? LinkTypeId, string? Direction,
    IReadOnlyDictionary<string, string>? Keep);

/// <summary>
/// A link type: <c>outwardName</c> is how the source reads the link ("replaces", <c>direction</c> "outward"),
/// <c>inwardName</c> how the target reads it ("is replaced by", "inward"); an <c>advanced</c> type shares the values of
/// <c>sharedFields</c> (custom field names, the keys of a link's <c>keep</c>) between the two clients.
/// </summary>
public sealed record LinkTypeDto(int Id, string OutwardName, string InwardName, bool Advanced, IReadOnlyList<string> SharedFields);

public sealed record LinkConflictDto(string Field, string? This, string? Other);

/// <summary>409 of a link whose clients disagree on shared fields (problem details with <c>conflicts</c>): each needs a <c>keep</c> choice.</summary>
public sealed class LinkConflictProblem : Microsoft.AspNetCore.Mvc.ProblemDetails
{
    public IReadOnlyList<LinkConflictDto> Conflicts { get; init; } = [];
}

/// <summary>An inventory's clients and single clients for scripts: any member of the rollout; links: Rollout Manager or higher.</summary>
[Route("api")]
public sealed class ClientsApiController(RolloutDbContext db, RolloutAccess access, ClientLinkService links, LinkTypeSettings linkTypes)
    : ApiControllerBase(db, access)
{
    /// <summary>
    /// The inventory's clients, <paramref name="pageSize"/> (1–1000) a page, by keyset: <c>next</c> of an answer is the
    /// <c>after</c> of the next page. <paramref name="sort"/>: name (default), status, assignee, clientuser,
    /// description or f&lt;id&gt; of a custom field; <paramref name="dir"/> asc or desc; <paramref name="search"/> finds a
    /// text in the name or the description, ignoring case (counted up to 1,000); <paramref name="from"/> starts at a name.
    /// <paramref name="page"/> still works within the first 10,000 clients. <paramref name="importId"/>: only the clients
    /// that import (one into this inventory) created or changed, counted as a search (decision 0103).
    /// </summary>
    [HttpGet("inventories/{id:int}/clients")]
    [ProducesResponseType<PageDto<ClientDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Clients(int id, string? search = null, string? sort = null, string? dir = null,
        string? after = null, string? from = null, int? page = null, int pageSize = 50, int? importId = null,
        CancellationToken cancellationToken = default)
    {
        // The inventory read once, as the list needs it (with its statuses and fields, one statement), and the access
        // checked on its rollout before anything else.
        var inventory = await ClientListQuery.InventoryAsync(Db, null, id, cancellationToken);
        var access = await Access.InventoryRolloutAsync(User, inventory, id, RolloutRequirement.Member, cancellationToken);
        if (access.Failed)
        {
            return Refuse(access.Problem);
        }

        if (inventory is null)
        {
            // Not reached: without an inventory the access fails ("does not exist").
            return Error(StatusCodes.Status404NotFound, $"Inventory {id} does not exist.");
        }

        // The API pages forward (next, after=); before and last are the list page's links, never silently ignored here.
        if (new[] { "before", "last" }.FirstOrDefault(Request.Query.ContainsKey) is { } backward)
        {
            return Refuse(Import.Problem.Invalid($"The API does not take {backward}: it pages forward, following next (after=); " +
                "from starts at a name, page at a page within the first 10,000 clients.", backward));
        }

        var fields = inventory.CustomFields.Select(f => f.CustomField).ToList();
        var paging = Paging.Of(page ?? 1, pageSize, PageDto.MaxPageSize);
        var choice = await ClientListQuery.ReadAsync(Db, new ClientListArguments(search, sort, dir, after, null, false, from,
            page is null ? null : paging.Page, paging.PageSize, importId), inventory, cancellationToken);
        if (choice.Error is not null)
        {
            return Refuse(Import.Problem.Invalid(choice.Error, choice.ErrorField));
        }

        var result = await ClientListQuery.PageAsync(Db, inventory, choice, paging.PageSize, cancellationToken);
        if (result.SortRefused is { } refused)
        {
            // Only a sort the request names can be refused.
            return Refuse(Import.Problem.Invalid(ClientListQuery.SortRefusal(sort ?? refused.Key, inventory.ClientCount), "sort"));
        }

        var rows = await ClientListQuery.RowsAsync(Db, inventory, result, byEmail: true, cancellationToken);
        var items = rows.Select(c => new ClientDto(c.Id, c.Name, c.Status, c.Assignee, c.ClientUser, c.Description,
            string.IsNullOrEmpty(c.Flag) ? null : c.Flag, Values(c.Values, fields))).ToList();
        var total = result.Found ?? inventory.ClientCount;
        var next = result.HasNext && result.LastCursor is { } cursor ? cursor.Encode(result.Sort) : null;
        return Ok(new PageDto<ClientDto>(total, after is null && from is null ? paging.Page : null, paging.PageSize, items, next,
            !result.FoundMore));
    }

    /// <summary>
    /// The client: default fields, custom values, links and history (newest first, at most 500 entries:
    /// <c>historyTotal</c> says how many there are, <c>historyNext</c> is the <paramref name="historyAfter"/> of the next
    /// 500 older ones).
    /// </summary>
    [HttpGet("clients/{id:int}")]
    [ProducesResponseType<ClientDetailsDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Client(int id, string? historyAfter, CancellationToken cancellationToken)
    {
        long? after = null;
        if (historyAfter is not null)
        {
            if (!long.TryParse(historyAfter, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return Refuse(Rollouter.Import.Problem.Invalid(
                    $"historyAfter \"{historyAfter}\" is not a cursor of this API: pass the historyNext of the client's last answer, or leave it out for the newest entries.",
                    "historyAfter"));
            }

            after = parsed;
        }

        var rollout = await Access.ClientRolloutAsync(User, id, RolloutRequirement.Member, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        var details = await ClientDetails.LoadAsync(Db, rollout.Value.Id, id, cancellationToken, after);
        return details is null ? Error(StatusCodes.Status404NotFound, $"Client {id} does not exist.") : Ok(ToDto(details));
    }

    /// <summary>
    /// The link types a link may have (every one, as the client page offers them to those who may link: Rollout Manager
    /// or higher), by outward name.
    /// </summary>
    [HttpGet("link-types")]
    [ProducesResponseType<IReadOnlyList<LinkTypeDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public async Task<IActionResult> LinkTypes(CancellationToken cancellationToken)
    {
        // No rollout in the address: the role alone, as the links' requirement judges it.
        if (!RolloutRequirement.Manager.RoleAllows(User))
        {
            return Error(StatusCodes.Status403Forbidden, RolloutRequirement.Manager.Refusal);
        }

        var types = await Db.ClientLinkTypes.AsNoTracking().OrderBy(t => t.OutwardName).ThenBy(t => t.Id)
            .Select(t => new
            {
                t.Id, t.OutwardName, t.InwardName, t.IsAdvanced,
                Shared = t.SharedFields.Select(f => f.CustomField.Name).OrderBy(n => n).ToList(),
            })
            .ToListAsync(cancellationToken);
        return Ok(types.Select(t => new LinkTypeDto(t.Id, t.OutwardName, t.InwardName, t.IsAdvanced, t.Shared)).ToList());
    }

    /// <summary>Links the client to another client of its rollout (Rollout Manager or higher).</summary>
    [HttpPost("clients/{id:int}/links")]
    [ProducesResponseType<ClientDetailsDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<LinkConflictProblem>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> Link(int id, CreateLinkRequest? request, CancellationToken cancellationToken)
    {
        var rollout = await Access.ClientRolloutAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        var rolloutId = rollout.Value.Id;
        if (request?.OtherClientId is not { } otherId || request.LinkTypeId is not { } typeId)
        {
            return Error(StatusCodes.Status400BadRequest, "Send {otherClientId, linkTypeId, direction, keep}.");
        }

        if (request.Direction is not (null or "outward" or "inward"))
        {
            return Error(StatusCodes.Status400BadRequest, "The direction is \"outward\" or \"inward\".");
        }

        var fieldIds = await Db.CustomFields.AsNoTracking().ToDictionaryAsync(f => f.Name, f => f.Id, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var keep = new Dictionary<int, KeepValue>();
        foreach (var (field, value) in request.Keep ?? new Dictionary<string, string>())
        {
            if (!fieldIds.TryGetValue(field, out var fieldId))
            {
                return Error(StatusCodes.Status400BadRequest, $"No custom field named \"{field}\" (in keep).");
            }

            if (!Enum.TryParse<KeepValue>(value, ignoreCase: true, out var choice) || !Enum.IsDefined(choice))
            {
                return Error(StatusCodes.Status400BadRequest, $"keep.{field} is \"this\" or \"other\".");
            }

            keep[fieldId] = choice;
        }

        var result = await links.LinkAsync(rolloutId,
            new LinkRequest(id, otherId, typeId, request.Direction != "inward", keep), User.UserId(), cancellationToken);
        if (result.Failed)
        {
            return Refuse(result.Problem);
        }

        if (result.Value.NeedsChoice)
        {
            return Refuse(Import.Problem.Conflict(
                    "The clients disagree on shared fields: say in keep which value to keep for each (\"this\" or \"other\")."),
                ("conflicts", result.Value.Conflicts.Select(c => new LinkConflictDto(c.FieldName, c.ThisValue, c.OtherValue)).ToList()));
        }

        var details = await ClientDetails.LoadAsync(Db, rolloutId, id, cancellationToken);
        return details is null ? Error(StatusCodes.Status404NotFound, $"Client {id} does not exist.")
            : Created($"/api/clients/{id}", ToDto(details));
    }

    /// <summary>
    /// Deletes a link type no link uses (administrators, as the settings pages; link types belong to no rollout): 204; 409
    /// naming how many links use it and between which inventories (decision 0082); 404 for no such type.
    /// </summary>
    [HttpDelete("link-types/{id:int}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> DeleteLinkType(int id, CancellationToken cancellationToken)
    {
        if (!RolloutRequirement.Administrator.RoleAllows(User))
        {
            return Error(StatusCodes.Status403Forbidden, RolloutRequirement.Administrator.Refusal);
        }

        var deleted = await linkTypes.DeleteAsync(User, id, cancellationToken);
        return deleted.Succeeded ? NoContent() : Refuse(deleted.Problem);
    }

    /// <summary>Removes a link of the client (Rollout Manager or higher).</summary>
    [HttpDelete("clients/{id:int}/links/{linkId:int}")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Unlink(int id, int linkId, CancellationToken cancellationToken)
    {
        var rollout = await Access.ClientRolloutAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        var removed = await links.UnlinkAsync(rollout.Value.Id, id, linkId, User.UserId(), cancellationToken);
        return removed.Succeeded ? NoContent() : Refuse(removed.Problem);
    }

    private static ClientDetailsDto ToDto(ClientDetails c)
    {
        static UserRefDto? U(UserRef? u) => u is null ? null : new UserRefDto(u.Id, u.Name, u.Email);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var v in c.Values)
        {
            values[v.Field] = v.IsMultiValued ? v.Values : v.Values.Count > 0 ? string.Join(";", v.Values) : null;
        }

        return new ClientDetailsDto(c.Id, c.Name, c.InventoryId, c.InventoryName, c.Status, U(c.Assignee), U(c.ClientUser),
            c.Description, c.Flag, values,
            [.. c.Links.Select(l => new ClientLinkDto(l.Id, l.LinkTypeId, l.Reading, l.Advanced, l.OtherClientId,
                l.OtherClientName, l.OtherInventory, l.CreatedAt))],
            [.. c.History.Select(h => new ClientHistoryDto(h.At, U(h.User), h.ImportId, h.Created ? "Created" : h.Reverted ? "Reverted" : "Changed",
                [.. h.Changes.Select(ch => new FieldChangeDto(ch.Field, ch.Old, ch.New, ch.Setting))],
                h.Corrections?.Select(k => new HistoryCorrectionDto(k.Column, k.Field, k.Original, k.Value, U(k.By), k.At)).ToList()))])
        {
            HistoryTotal = c.HistoryTotal,
            HistoryNext = c.HistoryOlder?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Every custom field of the inventory by name: a string, an array for multi-valued fields, or null.</summary>
    private static Dictionary<string, object?> Values(Dictionary<int, string[]> values, IReadOnlyList<CustomField> fields)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            values.TryGetValue(field.Id, out var value);
            result[field.Name] = field.IsMultiValued
                ? value ?? []
                : value is { Length: > 0 } ? string.Join(";", value) : null;
        }

        return result;
    }
}
