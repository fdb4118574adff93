using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Web.Features.Inventories;
using Rollouter.Import.Web.Features.Settings;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Rollouts;

/// <summary>Rollouts and inventories the caller is a member of (administrators: all).</summary>
[Route("api")]
public sealed class RolloutsApiController(RolloutDbContext db, RolloutAccess access) : ApiControllerBase(db, access)
{
    /// <summary>
    /// The rollouts the caller is a member of (administrators: every one), by name, then id: the same array as ever, at
    /// most <paramref name="pageSize"/> (1–1,000; 1,000 unless given) an answer (decision 0133). When more follow, the
    /// answer's <c>Link</c> header names the next page (<c>rel="next"</c>): the same call with <c>after</c>, the id of
    /// this page's last rollout. <paramref name="q"/> keeps the rollouts whose name or identifier contains it, ignoring
    /// case, as the Rollouts page's search. An <paramref name="after"/> that is not one of the caller's rollouts is 400.
    /// </summary>
    [HttpGet("rollouts")]
    [NextPageLink]
    [ProducesResponseType<IReadOnlyList<RolloutDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<IActionResult> Rollouts(string? q = null, string? after = null, int pageSize = PageDto.MaxPageSize,
        CancellationToken cancellationToken = default)
    {
        var visible = Access.Visible(User).AsNoTracking();
        var rollouts = visible.Matching(q);
        if (!string.IsNullOrEmpty(after))
        {
            var last = int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var lastId)
                ? await visible.Where(r => r.Id == lastId).Select(r => new { r.Id, r.Name }).FirstOrDefaultAsync(cancellationToken)
                : null;
            if (last is null)
            {
                return Refuse(Import.Problem.Invalid(
                    "after is not a position in this list: take the next page's address from the Link header of an answer.", "after"));
            }

            // By keyset on (name, id), the order of the list: a rollout created meanwhile moves no page.
            rollouts = rollouts.Where(r => string.Compare(r.Name, last.Name) > 0 || (r.Name == last.Name && r.Id > last.Id));
        }

        var size = Paging.Of(1, pageSize, PageDto.MaxPageSize).PageSize;
        var page = await rollouts.OrderBy(r => r.Name).ThenBy(r => r.Id).Take(size + 1)
            .Select(r => new RolloutDto(r.Id, r.Identifier, r.Name)).ToListAsync(cancellationToken);
        if (page.Count > size)
        {
            page.RemoveAt(size);
            NextPageLinkAttribute.SetNext(Response, "/api/rollouts", UserSearch.Clean(q), pageSize, size, page[^1].Id);
        }

        return Ok(page);
    }

    /// <summary>
    /// One rollout with its client limit (the address its creation answers with): any member, as the rollout's page shows
    /// it; another rollout does not exist (404).
    /// </summary>
    [HttpGet("rollouts/{id:int}")]
    [ProducesResponseType<RolloutDetailsDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Rollout(int id, CancellationToken cancellationToken)
    {
        var rollout = await Access.RolloutAsync(User, id, RolloutRequirement.Member, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        var found = rollout.Value;
        return Ok(new RolloutDetailsDto(found.Id, found.Identifier, found.Name, found.ClientLimit));
    }

    [HttpGet("rollouts/{id:int}/inventories")]
    [ProducesResponseType<IReadOnlyList<InventoryListItemDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Inventories(int id, CancellationToken cancellationToken)
    {
        var rollout = await Access.RolloutAsync(User, id, RolloutRequirement.Member, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        return Ok(await Db.Inventories.AsNoTracking().Where(i => i.RolloutId == rollout.Value.Id).OrderBy(i => i.Name)
            .Select(i => new InventoryListItemDto(i.Id, i.Name)).ToListAsync(cancellationToken));
    }

    [HttpGet("inventories/{id:int}")]
    [ProducesResponseType<InventoryDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Inventory(int id, CancellationToken cancellationToken)
    {
        var inventory = await Access.InventoryAsync(User, id, RolloutRequirement.Member, cancellationToken);
        if (inventory.Failed)
        {
            return Refuse(inventory.Problem);
        }

        return Ok(ToDto(await InventoryDefinition.LoadAsync(Db, id, cancellationToken)));
    }

    internal static InventoryDto ToDto(InventoryDefinition definition) => new(definition.InventoryId, definition.InventoryName,
        [.. definition.Statuses.Select(s => s.Name)],
        [.. definition.CustomFields.Select(f => new CustomFieldDto(f.Id, f.Name, f.Type, f.Required, f.ValidationRegex,
            [.. f.Options.Select(o => o.Name)]))]);
}
