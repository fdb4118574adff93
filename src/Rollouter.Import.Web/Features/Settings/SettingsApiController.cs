using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Settings.CustomFields;
using Rollouter.Import.Web.Features.Settings.Rollouts;
using Rollouter.Import.Web.Features.Settings.Workflows;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>
/// Custom fields and workflows (Rollout Manager or higher: listed and read one by one with their reach, and created; the
/// API changes no existing one, so the rule of shared settings has nothing to refuse here), rollouts (created by
/// administrators; read through <see cref="Rollouts.RolloutsApiController"/>) and their members (administrators, or
/// rollout managers who are members; another rollout does not exist: 404).
/// </summary>
[SettingsConflictFilter]
[Route("api")]
public sealed class SettingsApiController(
    RolloutDbContext db, RolloutAccess access, CustomFieldSettings fields, WorkflowSettings workflows, RolloutSettings rollouts,
    SharedSettingsRule rule)
    : ApiControllerBase(db, access)
{
    private readonly RolloutAccess _access = access;

    [HttpGet("custom-fields")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<IReadOnlyList<CustomFieldDefinitionDto>>(StatusCodes.Status200OK)]
    public async Task<IActionResult> CustomFields(CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var list = await Db.CustomFields.AsNoTracking().Include(f => f.Options).OrderBy(f => f.Name).ToListAsync(cancellationToken);
        var reaches = await rule.ReachOfFieldsAsync(User, cancellationToken);
        return Ok(list.Select(f => Describe(f, reaches.GetValueOrDefault(f.Id, SettingReach.None))).ToList());
    }

    /// <summary>
    /// One custom field, as the list gives it (the address a creation answers with): every field, as on the settings
    /// pages, which show each rollout manager every shared field with its reach.
    /// </summary>
    [HttpGet("custom-fields/{id:int}")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<CustomFieldDefinitionDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> CustomField(int id, CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var field = await Db.CustomFields.AsNoTracking().Include(f => f.Options).SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        return field is null
            ? Refuse(Import.Problem.NotFound($"Custom field {id} does not exist."))
            : Ok(Describe(field, await rule.ReachOfFieldAsync(User, id, cancellationToken)));
    }

    [HttpPost("custom-fields")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<CustomFieldDefinitionDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> CreateCustomField(CreateCustomFieldRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        if (request.Type is null)
        {
            return Error(StatusCodes.Status400BadRequest,
                "Give the type: Input, TextArea, Selection, MultiSelection or MultiSelectionFree.");
        }

        var form = new CustomFieldForm
        {
            Name = request.Name ?? "",
            Description = request.Description,
            Type = request.Type.Value,
            Required = request.Required,
            ValidationRegex = request.Regex,
        };
        var field = await fields.CreateAsync(User, form, request.Options ?? [], cancellationToken);
        return field.Failed
            ? Refuse(InRequestTerms(field.Problem, nameof(CustomFieldForm.ValidationRegex), "regex"))
            : Created($"/api/custom-fields/{field.Value.Id}", Describe(field.Value, SettingReach.None));
    }

    [HttpGet("workflows")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<IReadOnlyList<WorkflowDto>>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Workflows(CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var reaches = await rule.ReachOfWorkflowsAsync(User, cancellationToken);
        var list = await Db.Workflows.AsNoTracking().OrderBy(w => w.Name)
            .Select(w => new { w.Id, w.Name, Statuses = w.Statuses.OrderBy(s => s.Position).Select(s => s.Name).ToList() })
            .ToListAsync(cancellationToken);
        return Ok(list.Select(w => Describe(w.Id, w.Name, w.Statuses, reaches.GetValueOrDefault(w.Id, SettingReach.None))).ToList());
    }

    /// <summary>One workflow, as the list gives it (the address a creation answers with).</summary>
    [HttpGet("workflows/{id:int}")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<WorkflowDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Workflow(int id, CancellationToken cancellationToken)
    {
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var workflow = await Db.Workflows.AsNoTracking().Where(w => w.Id == id)
            .Select(w => new { w.Id, w.Name, Statuses = w.Statuses.OrderBy(s => s.Position).Select(s => s.Name).ToList() })
            .SingleOrDefaultAsync(cancellationToken);
        return workflow is null
            ? Refuse(Import.Problem.NotFound($"Workflow {id} does not exist."))
            : Ok(Describe(workflow.Id, workflow.Name, workflow.Statuses, await rule.ReachOfWorkflowAsync(User, id, cancellationToken)));
    }

    [HttpPost("workflows")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<WorkflowDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> CreateWorkflow(CreateWorkflowRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequireManager() is { } refusal)
        {
            return refusal;
        }

        var created = await workflows.CreateAsync(User, request.Name, request.Statuses ?? [], cancellationToken);
        if (created.Failed)
        {
            return Refuse(InRequestTerms(created.Problem, nameof(CustomFieldForm.ValidationRegex), "regex"));
        }

        var workflow = created.Value;
        return Created($"/api/workflows/{workflow.Id}", Describe(workflow.Id, workflow.Name,
            [.. workflow.Statuses.OrderBy(s => s.Position).Select(s => s.Name)], SettingReach.None));
    }

    [HttpPost("rollouts")]
    [ProducesResponseType<RolloutDetailsDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<IActionResult> CreateRollout(CreateRolloutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = new RolloutForm { Name = request.Name ?? "", Identifier = request.Identifier ?? "", ClientLimit = request.ClientLimit };
        var created = await rollouts.CreateAsync(User, form, cancellationToken);
        if (created.Failed)
        {
            return Refuse(created.Problem);
        }

        var rollout = created.Value;
        return Created($"/api/rollouts/{rollout.Id}", new RolloutDetailsDto(rollout.Id, rollout.Identifier, rollout.Name, rollout.ClientLimit));
    }

    /// <summary>Adds a member; the answer lists the rollout's members.</summary>
    [HttpPost("rollouts/{id:int}/members")]
    [ProducesResponseType<IReadOnlyList<UserDto>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> AddMember(int id, AddMemberRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rollout = await Access.RolloutAsync(User, id, RolloutRequirement.Manager, cancellationToken);
        if (rollout.Failed)
        {
            return Refuse(rollout.Problem);
        }

        var added = await rollouts.AddMemberAsync(User, rollout.Value, request.UserId, null, cancellationToken);
        if (added.Failed)
        {
            return Refuse(added.Problem);
        }

        var visible = await _access.Visible(User).Select(r => r.Id).ToListAsync(cancellationToken);
        return Ok(await Db.RolloutMembers.AsNoTracking().Where(m => m.RolloutId == id).OrderBy(m => m.User.DisplayName)
            .Select(m => m.User).Select(UserDto.Projection(visible)).ToListAsync(cancellationToken));
    }


    private IActionResult? RequireManager() => User.HasRoleAtLeast(Role.RolloutManager)
        ? null
        : Error(StatusCodes.Status403Forbidden, "Only rollout managers and administrators see and change settings.");

    private static CustomFieldDefinitionDto Describe(CustomField f, SettingReach reach) => new(f.Id, f.Name, f.Description,
        f.Type, f.Required, f.ValidationRegex, [.. f.Options.OrderBy(o => o.Position).Select(o => o.Name)],
        reach.Inventories, reach.Clients, reach.MayChange);

    private static WorkflowDto Describe(int id, string name, IReadOnlyList<string> statuses, SettingReach reach) =>
        new(id, name, statuses, reach.Inventories, reach.Clients, reach.MayChange);
}
