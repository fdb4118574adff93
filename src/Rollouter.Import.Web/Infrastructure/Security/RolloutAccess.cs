using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Finds what a request is about (a rollout, an import, an inventory, a client) and asks the one authorization
/// (<see cref="RolloutRequirement"/>, <see cref="RolloutAuthorizationHandler"/>) whether the user may do it: not a
/// member of its rollout is "does not exist" (404, named after the thing asked for), a role too low is 403. Pages
/// (<see cref="RolloutScopedAttribute"/>) and the API alike.
/// </summary>
public sealed class RolloutAccess(RolloutDbContext db, IAuthorizationService authorization, RolloutMemberships memberships)
{
    /// <summary>Which rollouts a user may see: administrators all, everyone else the ones they are a member of.</summary>
    public IQueryable<Rollout> Visible(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.IsAdministrator())
        {
            return db.Rollouts;
        }

        var userId = user.UserId();
        return db.Rollouts.Where(r => r.Members.Any(m => m.UserId == userId));
    }

    /// <summary>Whether the user may do what <paramref name="requirement"/> names in <paramref name="rollout"/>.</summary>
    public async Task<bool> AllowsAsync(ClaimsPrincipal user, Rollout rollout, RolloutRequirement requirement) =>
        (await authorization.AuthorizeAsync(user, rollout, requirement)).Succeeded;

    /// <summary>Whether the user's role allows it in the rollouts they belong to (navigation, lists across rollouts).</summary>
    public async Task<bool> AllowsAsync(ClaimsPrincipal user, RolloutRequirement requirement) =>
        (await authorization.AuthorizeAsync(user, null, requirement)).Succeeded;

    /// <summary>The rollout with this identifier (the pages' addresses), if the user may do this in it.</summary>
    public async Task<Result<Rollout>> RolloutAsync(ClaimsPrincipal user, string identifier, RolloutRequirement requirement,
        CancellationToken cancellationToken) =>
        await AuthorizeAsync(user, Remember(user, await ByIdentifier.For(db)(db, identifier, user.UserId(), cancellationToken)),
            requirement, $"Rollout {identifier} does not exist.");

    /// <summary>The rollout with this id (the API's addresses), if the user may do this in it.</summary>
    public async Task<Result<Rollout>> RolloutAsync(ClaimsPrincipal user, int rolloutId, RolloutRequirement requirement,
        CancellationToken cancellationToken) =>
        await AuthorizeAsync(user, Remember(user, await ById.For(db)(db, rolloutId, user.UserId(), cancellationToken)),
            requirement, $"Rollout {rolloutId} does not exist.");

    /// <summary>An import, if the user may do this in its rollout.</summary>
    public async Task<Result<ClientImport>> ImportAsync(ClaimsPrincipal user, int importId, RolloutRequirement requirement,
        CancellationToken cancellationToken)
    {
        var notFound = $"Import {importId} does not exist.";
        var import = await db.Imports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == importId, cancellationToken);
        if (import is null)
        {
            return Problem.NotFound(notFound);
        }

        var rollout = await OfAsync(user, import.RolloutId, requirement, notFound, cancellationToken);
        return rollout.Failed ? rollout.Problem : import;
    }

    /// <summary>An inventory, if the user may do this in its rollout.</summary>
    public async Task<Result<Inventory>> InventoryAsync(ClaimsPrincipal user, int inventoryId, RolloutRequirement requirement,
        CancellationToken cancellationToken)
    {
        var notFound = $"Inventory {inventoryId} does not exist.";
        var inventory = await db.Inventories.AsNoTracking().SingleOrDefaultAsync(i => i.Id == inventoryId, cancellationToken);
        if (inventory is null)
        {
            return Problem.NotFound(notFound);
        }

        var rollout = await OfAsync(user, inventory.RolloutId, requirement, notFound, cancellationToken);
        return rollout.Failed ? rollout.Problem : inventory;
    }

    /// <summary>
    /// The rollout of an inventory the caller has read already (<paramref name="inventory"/>; null: none with the id
    /// <paramref name="inventoryId"/>), if the user may do this in it.
    /// </summary>
    public Task<Result<Rollout>> InventoryRolloutAsync(ClaimsPrincipal user, Inventory? inventory, int inventoryId, RolloutRequirement requirement,
        CancellationToken cancellationToken) =>
        OfAsync(user, inventory?.RolloutId, requirement, $"Inventory {inventoryId} does not exist.", cancellationToken);

    /// <summary>The rollout of a client, if the user may do this in it.</summary>
    public async Task<Result<Rollout>> ClientRolloutAsync(ClaimsPrincipal user, int clientId, RolloutRequirement requirement,
        CancellationToken cancellationToken) =>
        await OfAsync(user, await db.Clients.Where(c => c.Id == clientId).Select(c => (int?)c.RolloutId).SingleOrDefaultAsync(cancellationToken),
            requirement, $"Client {clientId} does not exist.", cancellationToken);

    private async Task<Result<Rollout>> OfAsync(ClaimsPrincipal user, int? rolloutId, RolloutRequirement requirement,
        string notFound, CancellationToken cancellationToken) =>
        await AuthorizeAsync(user, rolloutId is not { } id ? null
            : Remember(user, await ById.For(db)(db, id, user.UserId(), cancellationToken)), requirement, notFound);

    /// <summary>
    /// The rollout, and in the same statement whether the user is a member of it, which the authorization then takes
    /// from <see cref="RolloutMemberships"/> instead of asking again: one round trip fewer on nearly every request (the
    /// membership was a statement of its own, docs/performance.md, 2026-12-06). Administrators are members of all (their
    /// row's answer is not remembered: the authorization does not ask for them). Compiled once, by identifier (the
    /// pages) and by id (the API, an import's, an inventory's or a client's rollout): the lookup of nearly every request,
    /// whose translation EF would otherwise look up in its cache each time (docs/performance.md, 2026-12-07).
    /// </summary>
    private static readonly CompiledPerModel<Func<RolloutDbContext, string, int, CancellationToken, Task<RolloutWithMembership?>>> ByIdentifier =
        new(() => EF.CompileAsyncQuery((RolloutDbContext db, string identifier, int userId, CancellationToken cancellationToken) =>
            db.Rollouts.AsNoTracking().Where(r => r.Identifier == identifier)
                .Select(r => new RolloutWithMembership(r, r.Members.Any(m => m.UserId == userId)))
                .FirstOrDefault()));

    private static readonly CompiledPerModel<Func<RolloutDbContext, int, int, CancellationToken, Task<RolloutWithMembership?>>> ById =
        new(() => EF.CompileAsyncQuery((RolloutDbContext db, int rolloutId, int userId, CancellationToken cancellationToken) =>
            db.Rollouts.AsNoTracking().Where(r => r.Id == rolloutId)
                .Select(r => new RolloutWithMembership(r, r.Members.Any(m => m.UserId == userId)))
                .FirstOrDefault()));

    private sealed record RolloutWithMembership(Rollout Rollout, bool Member);

    private Rollout? Remember(ClaimsPrincipal user, RolloutWithMembership? found)
    {
        if (found is null)
        {
            return null;
        }

        var userId = user.UserId();
        if (!user.IsAdministrator() && userId > 0)
        {
            memberships.Remember(found.Rollout.Id, userId, found.Member);
        }

        return found.Rollout;
    }

    private async Task<Result<Rollout>> AuthorizeAsync(ClaimsPrincipal user, Rollout? rollout, RolloutRequirement requirement,
        string notFound)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (rollout is null)
        {
            return Problem.NotFound(notFound);
        }

        var result = await authorization.AuthorizeAsync(user, rollout, requirement);
        if (result.Succeeded)
        {
            return rollout;
        }

        var reasons = result.Failure?.FailureReasons ?? [];
        return reasons.Any(r => r is RolloutAuthorizationHandler.NotMemberReason) || !reasons.Any()
            ? Problem.NotFound(notFound)
            : Problem.Forbidden(reasons.First().Message);
    }
}
