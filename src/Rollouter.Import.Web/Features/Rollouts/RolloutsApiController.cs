using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Web.Features.Inventories;
using Rollouter.Import.Web.Features.Settings;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Rollouts;

/// <summary>Rollouts and inventories the caller is a member of (administrators: all).</summary>
[Route("api")]
public sealed class RolloutsApiController(RolloutDbContext db, RolloutAccess access) : ApiControllerBase(db, access)
{
    [HttpGet("rollouts")]
    [ProducesResponseType<IReadOnlyList<RolloutDto>>(StatusCodes.Status200OK)]
    public async Task<IReadOnlyList<RolloutDto>> Rollouts(CancellationToken cancellationToken) =>
        await Access.Visible(User).AsNoTracking().OrderBy(r => r.Name)
            .Select(r => new RolloutDto(r.Id, r.Identifier, r.Name)).ToListAsync(cancellationToken);

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
