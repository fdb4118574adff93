using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Rollouts;

/// <summary>
/// Rollouts: administrators create and edit them and manage every rollout's members; a rollout manager manages the
/// members of the rollouts they belong to (others do not exist for them: 404).
/// </summary>
[Route("settings/rollouts")]
public sealed class RolloutSettingsController(RolloutDbContext db, RolloutAccess access, RolloutSettings settings)
    : SettingsControllerBase
{
    /// <summary>The rollouts the user sees, 100 a page, searched by name or identifier (decision 0129).</summary>
    [HttpGet("")]
    public async Task<IActionResult> Index(string? q, int? page, CancellationToken cancellationToken)
    {
        var matching = access.Visible(User).AsNoTracking().Matching(q);
        var window = ListWindow.Of(q, page, await matching.CountAsync(cancellationToken));
        var rollouts = await matching.OrderBy(r => r.Name).ThenBy(r => r.Id).Skip(window.Skip).Take(UserSearch.PageSize)
            .Select(r => new RolloutSettingsItem(r.Id, r.Identifier, r.Name, r.ClientLimit, r.Members.Count,
                r.Inventories.Sum(i => i.ClientCount)))
            .ToListAsync(cancellationToken);
        return View("~/Features/Settings/Rollouts/Index.cshtml", new RolloutSettingsList(rollouts, window));
    }

    [Authorize(Policy = Policies.Administrator)]
    [HttpGet("new")]
    public IActionResult New() => View("~/Features/Settings/Rollouts/Edit.cshtml",
        new RolloutSettingsPage(null, new RolloutForm(), true, [], []));

    [Authorize(Policy = Policies.Administrator)]
    [HttpPost("new")]
    public async Task<IActionResult> Create(RolloutForm form, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            if (!Refused(await settings.CreateAsync(User, form, cancellationToken), out var forbidden, out var rollout))
            {
                Confirm($"The rollout {rollout.Name} was created. Add its members below.");
                return RedirectToAction(nameof(Edit), new { id = rollout.Id });
            }

            if (forbidden)
            {
                return Forbid();
            }
        }

        return View("~/Features/Settings/Rollouts/Edit.cshtml", new RolloutSettingsPage(null, form, true, [], []));
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, string? q, int? page, CancellationToken cancellationToken)
    {
        var rollout = await access.Visible(User).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rollout is null)
        {
            return NotFound();
        }

        var form = new RolloutForm { Name = rollout.Name, Identifier = rollout.Identifier, ClientLimit = rollout.ClientLimit };
        return await PageAsync(rollout, form, cancellationToken, q, page);
    }

    [Authorize(Policy = Policies.Administrator)]
    [HttpPost("{id:int}")]
    public async Task<IActionResult> Update(int id, RolloutForm form, CancellationToken cancellationToken)
    {
        var rollout = await db.Rollouts.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rollout is null)
        {
            return NotFound();
        }

        if (ModelState.IsValid)
        {
            var result = await settings.UpdateAsync(User, rollout, form, cancellationToken);
            if (!Refused(result, out var forbidden))
            {
                Confirm($"The rollout {rollout.Name} was saved.");
                return RedirectToAction(nameof(Edit), new { id });
            }

            if (forbidden)
            {
                return Forbid();
            }
        }

        return await PageAsync(rollout, form, cancellationToken);
    }

    [HttpPost("{id:int}/members")]
    public Task<IActionResult> AddMember(int id, int? userId, string? member, CancellationToken cancellationToken) =>
        ChangeMembersAsync(id, r => settings.AddMemberAsync(User, r, userId, member, cancellationToken), () => "The member was added.", cancellationToken);

    [HttpPost("{id:int}/members/{userId:int}/remove")]
    public async Task<IActionResult> RemoveMember(int id, int userId, CancellationToken cancellationToken)
    {
        var done = "The member was removed.";
        return await ChangeMembersAsync(id, async r =>
        {
            var removed = await settings.RemoveMemberAsync(User, r, userId, cancellationToken);
            // The clients that still have the member keep them (decision 0088): the confirmation says how many.
            if (removed.Succeeded && await UserSettings.ClientsKeptInAsync(db, userId, r.Id, r.Identifier, cancellationToken) is { } kept)
            {
                done += " " + kept;
            }

            return removed;
        }, () => done, cancellationToken);
    }

    /// <summary>A change of a visible rollout's members: 404 for another rollout, 403 or the page with the message when refused.</summary>
    private async Task<IActionResult> ChangeMembersAsync(
        int id, Func<Rollout, Task<Result>> change, Func<string> done, CancellationToken cancellationToken)
    {
        var rollout = await access.Visible(User).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rollout is null)
        {
            return NotFound();
        }

        if (Refused(await change(rollout), out var forbidden))
        {
            return forbidden ? Forbid() : await PageAsync(rollout, FormOf(rollout), cancellationToken);
        }

        Confirm(done());
        return RedirectToAction(nameof(Edit), new { id });
    }

    private static RolloutForm FormOf(Rollout rollout) =>
        new() { Name = rollout.Name, Identifier = rollout.Identifier, ClientLimit = rollout.ClientLimit };

    private async Task<IActionResult> PageAsync(Rollout rollout, RolloutForm form, CancellationToken cancellationToken,
        string? query = null, int? page = null)
    {
        // One page of the members, searched: a rollout's client users run into the thousands.
        var matching = db.Users.AsNoTracking().Where(u => u.Rollouts.Any(m => m.RolloutId == rollout.Id)).Matching(query);
        var window = ListWindow.Of(query, page, await matching.CountAsync(cancellationToken));
        var members = await matching.OrderBy(u => u.DisplayName).ThenBy(u => u.Id).Skip(window.Skip).Take(UserSearch.PageSize)
            .Select(u => new MemberItem(u.Id, u.DisplayName, u.Email, u.UserCode, u.Role, u.IsActive))
            .ToListAsync(cancellationToken);
        // A rollout manager adds only users of their other rollouts (Users/UserAccess); others are not named. They are
        // listed while few; beyond, the manager types the email or user ID.
        var candidates = await (await db.ManageableListAsync(User, cancellationToken)).AsNoTracking()
            .Where(u => u.IsActive && !u.Rollouts.Any(m => m.RolloutId == rollout.Id))
            .OrderBy(u => u.DisplayName).ThenBy(u => u.Id).Take(UserSearch.CandidatesListed + 1)
            .Select(u => new UserChoice(u.Id, u.DisplayName, u.Email, u.Role))
            .ToListAsync(cancellationToken);
        // Settings are for rollout managers and administrators, and the rollout is one they see: they manage its members.
        return View("~/Features/Settings/Rollouts/Edit.cshtml",
            new RolloutSettingsPage(rollout, form, User.IsAdministrator(), members,
                candidates.Count > UserSearch.CandidatesListed ? null : candidates, CanManageMembers: true, window,
                AnyCandidate: candidates.Count > 0));
    }
}
