using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>
/// How far a change of a shared workflow or custom field reaches: the inventories that use it, their clients, and how
/// many of the rollouts those inventories belong to the viewer is not a member of (none for administrators, who see
/// every rollout). <see cref="InventoryNames"/> names only inventories of the viewer's rollouts, and only on a
/// setting's own page.
/// </summary>
public sealed record SettingReach(int Inventories, int Clients, int OtherRollouts, IReadOnlyList<string> InventoryNames)
{
    public static readonly SettingReach None = new(0, 0, 0, []);

    /// <summary>
    /// The rule of shared settings: a rollout manager changes a workflow, a custom field or an option only while every
    /// inventory using it belongs to a rollout they are a member of; administrators change anything.
    /// </summary>
    public bool MayChange => OtherRollouts == 0;

    /// <summary>"used by 2 rollouts you are not a member of": their count, never their names.</summary>
    public string OtherRolloutsText => OtherRollouts == 1
        ? "used by 1 rollout you are not a member of"
        : $"used by {OtherRollouts:N0} rollouts you are not a member of";

    /// <summary>"Used by 3 inventories with 50 clients: …", naming the inventories of the viewer's rollouts only.</summary>
    public string Summary
    {
        get
        {
            if (Inventories == 0)
            {
                return "Used by no inventory.";
            }

            var text = $"Used by {Count(Inventories, "inventory", "inventories")} with {Count(Clients, "client", "clients")}";
            if (OtherRollouts == 0)
            {
                return InventoryNames.Count == 0 ? text + "." : $"{text}: {string.Join(", ", InventoryNames)}.";
            }

            return text + "." + (InventoryNames.Count == 0 ? "" : $" Of your rollouts: {string.Join(", ", InventoryNames)}.")
                + $" It is {OtherRolloutsText}.";
        }
    }

    public static string Count(int count, string one, string many) => count == 1 ? $"1 {one}" : $"{count:N0} {many}";

    /// <summary>Why the viewer may not change the setting (<paramref name="setting"/>: "workflow", "custom field").</summary>
    public string Refusal(string setting) =>
        $"This {setting} is {OtherRolloutsText}, so only an administrator can change it: ask an administrator to make " +
        $"the change, or duplicate the {setting} and switch your inventories to the copy.";
}

/// <summary>
/// Computes <see cref="SettingReach"/> for the settings pages and the rules services, and refuses a change by someone
/// whose rollouts the setting outgrows (issue 15; docs/decisions/0021-shared-settings.md).
/// </summary>
public sealed class SharedSettingsRule(RolloutDbContext db, RolloutAccess access)
{
    public Task<SettingReach> ReachOfWorkflowAsync(ClaimsPrincipal user, int workflowId, CancellationToken cancellationToken) =>
        OfAsync(user, UsingWorkflow(workflowId), cancellationToken);

    public Task<SettingReach> ReachOfFieldAsync(ClaimsPrincipal user, int fieldId, CancellationToken cancellationToken) =>
        OfAsync(user, UsingField(fieldId), cancellationToken, HidingField(fieldId));

    /// <summary>The refusal when <paramref name="user"/> may not change the workflow; empty when they may.</summary>
    public async Task<ProblemList> RefusalForWorkflowAsync(ClaimsPrincipal user, int workflowId, CancellationToken cancellationToken) =>
        Refusal(await OfAsync(user, UsingWorkflow(workflowId), cancellationToken), "workflow");

    /// <summary>The refusal when <paramref name="user"/> may not change the field or its options; empty when they may.</summary>
    public async Task<ProblemList> RefusalForFieldAsync(ClaimsPrincipal user, int fieldId, CancellationToken cancellationToken) =>
        Refusal(await OfAsync(user, UsingField(fieldId), cancellationToken), "custom field");

    /// <summary>The reach of every workflow, by id, for the list (without names).</summary>
    public async Task<Dictionary<int, SettingReach>> ReachOfWorkflowsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var inventories = await db.Inventories.AsNoTracking()
            .Select(i => new { i.RolloutId, SettingId = i.WorkflowId, i.ClientCount }).ToListAsync(cancellationToken);
        return await ByIdAsync(user, inventories.Select(i => (i.RolloutId, i.SettingId, i.ClientCount)), cancellationToken);
    }

    /// <summary>The reach of every custom field, by id, for the list (without names).</summary>
    public async Task<Dictionary<int, SettingReach>> ReachOfFieldsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var uses = await db.InventoryCustomFields.AsNoTracking()
            .Select(f => new { f.Inventory.RolloutId, SettingId = f.CustomFieldId, f.Inventory.ClientCount }).ToListAsync(cancellationToken);
        var hidden = await (from h in db.InventoryHiddenFields.AsNoTracking()
                            join i in db.Inventories on h.InventoryId equals i.Id
                            select new { i.RolloutId, SettingId = h.CustomFieldId, i.ClientCount }).ToListAsync(cancellationToken);
        return await ByIdAsync(user, uses.Concat(hidden).Select(u => (u.RolloutId, u.SettingId, u.ClientCount)), cancellationToken);
    }

    /// <summary>The ids of the rollouts whose inventories <paramref name="user"/> may switch to a copy.</summary>
    public Task<List<int>> VisibleRolloutIdsAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        access.Visible(user).Select(r => r.Id).ToListAsync(cancellationToken);

    private static ProblemList Refusal(SettingReach reach, string setting)
    {
        var errors = new ProblemList();
        if (!reach.MayChange)
        {
            errors.Forbidden(reach.Refusal(setting));
        }

        return errors;
    }

    private IQueryable<Inventory> UsingWorkflow(int workflowId) => db.Inventories.Where(i => i.WorkflowId == workflowId);

    /// <summary>
    /// The inventories that show the field, and those whose clients keep its values hidden since it was taken off
    /// (<see cref="InventoryHiddenField"/>): a change of the field or its options reaches both.
    /// </summary>
    public IQueryable<Inventory> UsingField(int fieldId) => db.WithField(fieldId);

    private IQueryable<int> HidingField(int fieldId) =>
        db.InventoryHiddenFields.Where(h => h.CustomFieldId == fieldId).Select(h => h.InventoryId);

    /// <summary>
    /// The rule needs only the rollouts; the pages also show the clients, from the counts kept with the inventories
    /// (<see cref="Inventory.ClientCount"/>), so that a settings page costs the same with a million clients as with ten.
    /// </summary>
    private async Task<SettingReach> OfAsync(ClaimsPrincipal user, IQueryable<Inventory> inventories, CancellationToken cancellationToken,
        IQueryable<int>? hiddenIn = null)
    {
        var visible = (await VisibleRolloutIdsAsync(user, cancellationToken)).ToHashSet();
        var used = await inventories.AsNoTracking()
            .Select(i => new { i.Id, i.RolloutId, RolloutName = i.Rollout.Name, i.Name, i.ClientCount }).ToListAsync(cancellationToken);
        var hidden = hiddenIn is null ? [] : (await hiddenIn.ToListAsync(cancellationToken)).ToHashSet();
        if (used.Count == 0)
        {
            return SettingReach.None;
        }

        var rolloutIds = used.Select(i => i.RolloutId).Distinct().ToList();
        var names = used.Where(i => visible.Contains(i.RolloutId))
            .OrderBy(i => i.RolloutName, StringComparer.CurrentCulture).ThenBy(i => i.Name, StringComparer.CurrentCulture)
            .Select(i => $"{i.RolloutName} / {i.Name}" + (hidden.Contains(i.Id) ? " (taken off; its clients keep their values)" : "")).ToList();
        return new SettingReach(used.Count, used.Sum(i => i.ClientCount), rolloutIds.Count(id => !visible.Contains(id)), names);
    }

    private async Task<Dictionary<int, SettingReach>> ByIdAsync(ClaimsPrincipal user,
        IEnumerable<(int RolloutId, int SettingId, int Clients)> uses, CancellationToken cancellationToken)
    {
        var visible = (await VisibleRolloutIdsAsync(user, cancellationToken)).ToHashSet();
        return uses.GroupBy(u => u.SettingId).ToDictionary(g => g.Key, g => new SettingReach(
            g.Count(), g.Sum(u => u.Clients),
            g.Select(u => u.RolloutId).Distinct().Count(id => !visible.Contains(id)), []));
    }
}
