using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Web.Security;

namespace Rollouter.Import.Web.Api;

/// <summary>One client: users by email, custom field values by field name (multi-selections as arrays).</summary>
public sealed record ClientDto(int Id, string Name, string Status, string? Assignee, string? ClientUser,
    string? Description, string? Flag, IReadOnlyDictionary<string, object?> Values);

/// <summary>An inventory's clients for scripts: any member of the inventory's rollout.</summary>
[Route("api")]
public sealed class ClientsApiController(RolloutDbContext db, RolloutAccess access) : ApiControllerBase(db, access)
{
    /// <summary>
    /// The inventory's clients by name, <paramref name="pageSize"/> (1–1000) a page; <paramref name="search"/> finds a
    /// text in the name or the description, ignoring case.
    /// </summary>
    [HttpGet("inventories/{id:int}/clients")]
    [ProducesResponseType<PageDto<ClientDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiError>(StatusCodes.Status404NotFound)]
    public async Task<IActionResult> Clients(int id, string? search = null, int page = 1, int pageSize = 50,
        CancellationToken ct = default)
    {
        var rolloutId = await Db.Inventories.Where(i => i.Id == id).Select(i => (int?)i.RolloutId).SingleOrDefaultAsync(ct);
        var (_, refusal) = rolloutId is null ? (null, null) : await RolloutAsync(rolloutId.Value, Role.ClientUser, ct);
        if (rolloutId is null || refusal is ObjectResult { StatusCode: StatusCodes.Status404NotFound })
        {
            return Error(StatusCodes.Status404NotFound, $"Inventory {id} does not exist.");
        }

        if (refusal is not null)
        {
            return refusal;
        }

        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 1000);
        var query = Db.Clients.AsNoTracking().Where(c => c.InventoryId == id && c.RolloutId == rolloutId.Value);
        search = search?.Trim();
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = "%" + EscapeLike(search.ToLowerInvariant()) + "%";
            query = query.Where(c => EF.Functions.Like(c.NameKey, pattern, "\\")
                || (c.Description != null && EF.Functions.Like(c.Description.ToLower(), pattern, "\\")));
        }

        var total = await query.CountAsync(ct);
        var rows = await query
            .OrderBy(c => c.NameKey).ThenBy(c => c.Id)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Select(c => new
            {
                c.Id,
                c.Name,
                Status = Db.WorkflowStatuses.Where(s => s.Id == c.StatusId).Select(s => s.Name).FirstOrDefault(),
                Assignee = Db.Users.Where(u => u.Id == c.AssigneeId).Select(u => u.Email).FirstOrDefault(),
                ClientUser = Db.Users.Where(u => u.Id == c.ClientUserId).Select(u => u.Email).FirstOrDefault(),
                c.Description,
                c.Flag,
                c.Values,
            })
            .ToListAsync(ct);
        var fields = (await InventoryDefinition.LoadAsync(Db, id, ct)).CustomFields;
        var items = rows.Select(c => new ClientDto(c.Id, c.Name, c.Status ?? "", c.Assignee, c.ClientUser, c.Description,
            string.IsNullOrEmpty(c.Flag) ? null : c.Flag, Values(c.Values, fields))).ToList();
        return Ok(new PageDto<ClientDto>(total, page, pageSize, items));
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

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
