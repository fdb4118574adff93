using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Exporting;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Web.Features.Rollouts;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Inventories;

/// <summary>A new inventory: a name unique in the rollout, a workflow, custom fields in order (ids).</summary>
public sealed record CreateInventoryRequest(string? Name, int? WorkflowId, IReadOnlyList<int>? CustomFieldIds);

/// <summary>Inventories for scripts: create one (Rollout Manager or higher), export its clients (any member).</summary>
[Route("api")]
public sealed class InventoriesApiController(RolloutDbContext db, RolloutAccess access, InventoryService inventories,
    TimeProvider clock) : ApiControllerBase(db, access)
{
    [HttpPost("rollouts/{id:int}/inventories")]
    [ProducesResponseType<InventoryDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Create(int id, CreateInventoryRequest? request, CancellationToken cancellationToken)
    {
        var rollout = await Access.RolloutAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        if (request is null)
        {
            return Error(StatusCodes.Status400BadRequest, "Send {name, workflowId, customFieldIds}.");
        }

        var result = await inventories.CreateAsync(rollout.Value.Id,
            new InventoryInput(request.Name, request.WorkflowId, request.CustomFieldIds), User.UserId(), cancellationToken);
        if (result.Failed)
        {
            return Refuse(InRequestTerms(result.Problem));
        }

        var definition = await InventoryDefinition.LoadAsync(Db, result.Value.Id, cancellationToken);
        return Created($"/api/inventories/{definition.InventoryId}", RolloutsApiController.ToDto(definition));
    }

    /// <summary>The inventory's clients as .xlsx (streamed), headers as the importer maps them: see the README.</summary>
    [HttpGet("inventories/{id:int}/export")]
    [Produces(XlsxStreamWriter.ContentType, "application/json")]
    [ProducesResponseType<Stream>(StatusCodes.Status200OK, XlsxStreamWriter.ContentType)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Export(int id, CancellationToken cancellationToken)
    {
        var inventory = await Access.InventoryAsync(User, id, RolloutRequirement.Member, cancellationToken);
        if (inventory.Failed)
        {
            return Refuse(inventory.Problem);
        }

        await InventoriesController.StreamExportAsync(HttpContext, Db, inventory.Value, clock, cancellationToken);
        return new EmptyResult();
    }
}
