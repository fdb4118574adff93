using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Users;

[Route("settings/users")]
public sealed class UsersController(RolloutDbContext db, RolloutAccess access, UserSettings settings,
    SignInManager<User> signIn, UserErasure erasure) : SettingsControllerBase
{
    private const string Views = "~/Features/Settings/Users/";

    /// <summary>After a save that changed the email: what it did to the links (shown once on the user's page, with a new link's button).</summary>
    public const string LinksEndedKey = "SettingsLinksEnded";

    /// <summary>Set with <see cref="LinksEndedKey"/> when the user was invited and has no password yet: the page offers a new link.</summary>
    public const string OfferInvitationKey = "SettingsOfferInvitation";

    /// <summary>
    /// The users the viewer manages, 100 a page by name, then id, searched by <paramref name="q"/>; the pages are reached by
    /// keyset (<paramref name="after"/>, <paramref name="before"/>: a user's id; <paramref name="last"/>), so a deep page
    /// costs what the first does, and a rollout manager's count stops at <see cref="UserSearch.CountBound"/> (decision 0158).
    /// </summary>
    [HttpGet("")]
    public async Task<IActionResult> Index(string? q, string? after, string? before, bool last, CancellationToken cancellationToken)
    {
        // Only rollouts the viewer sees are named: another rollout does not exist for a rollout manager.
        var visible = await access.Visible(User).Select(r => r.Id).ToListAsync(cancellationToken);
        var matching = (await db.ManageableListAsync(User, cancellationToken)).AsNoTracking().Matching(q);
        var page = await KeysetPage<UserListItem>.ReadAsync(new ListPosition(after, before, last), UserSearch.PageSize,
            u => u.Id.ToString(CultureInfo.InvariantCulture), async (read, count) =>
            {
                var users = await matching.AfterOrBeforeAsync(read, cancellationToken);
                return users is null ? null : await users.Take(count)
                    .Select(u => new UserListItem(u.Id, u.DisplayName, u.Email, u.UserCode, u.Role, u.IsKeyAccountManager, u.IsActive,
                        u.PasswordHash != null,
                        u.Rollouts.Where(m => visible.Contains(m.RolloutId)).OrderBy(m => m.Rollout.Identifier)
                            .Select(m => m.Rollout.Identifier).ToList()))
                    .ToListAsync(cancellationToken);
            });
        var (total, atLeast) = await UserSearch.CountAsync(matching, User.IsAdministrator(), cancellationToken);
        return View(Views + "Index.cshtml", new UserListPage(page, UserSearch.Clean(q), total, atLeast));
    }

    /// <summary>The new user's page; <paramref name="find"/> lists the editor's rollouts matching it to tick (decision 0138).</summary>
    [HttpGet("new")]
    public async Task<IActionResult> New(string? find, CancellationToken cancellationToken) =>
        View(Views + "Edit.cshtml", await PageAsync(null, new UserForm(), cancellationToken, find: find));

    /// <summary>
    /// Creates the user; with <paramref name="findRollouts"/> (the form's Find button) it creates nothing and shows the
    /// form again as it was sent, but for its password, with the rollouts matching <paramref name="find"/> to tick and
    /// those ticked still ticked (decision 0138). <paramref name="enter"/>: sent by the form's default button, Enter in
    /// any field without script; it finds when the search box holds another text than <paramref name="shownFind"/>, the
    /// one the page listed the rollouts of (Enter typed in the search box), and creates otherwise (decision 0142).
    /// </summary>
    [HttpPost("new")]
    public async Task<IActionResult> Create(UserForm form, [FromForm] string? find, [FromForm] bool findRollouts,
        [FromForm] bool enter, [FromForm] string? shownFind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (findRollouts || (enter && !string.Equals(UserSearch.Clean(find), UserSearch.Clean(shownFind), StringComparison.Ordinal)))
        {
            ModelState.Clear();
            form.Password = form.ConfirmPassword = null;
            return View(Views + "Edit.cshtml", await PageAsync(null, form, cancellationToken, find: find));
        }

        if (ModelState.IsValid)
        {
            if (Refused(await settings.CreateAsync(User, form, cancellationToken), out var forbidden, out var created))
            {
                if (forbidden)
                {
                    return Forbid();
                }
            }
            else if (created is { InvitationToken: { } token, User: var invited })
            {
                return View(Views + "Invitation.cshtml", new InvitationCreated(invited, InvitationLink(invited.Id, token)));
            }
            else
            {
                var user = created.User;
                Confirm($"{user.DisplayName} was created and can sign in with the initial password.");
                return RedirectToAction(nameof(Edit), new { id = user.Id });
            }
        }

        form.Password = form.ConfirmPassword = null;
        return View(Views + "Edit.cshtml", await PageAsync(null, form, cancellationToken, find: find));
    }

    /// <summary>
    /// The user's page: their account, and their rollouts among those the viewer manages, 100 a page, searched by
    /// <paramref name="q"/>; <paramref name="find"/> lists the viewer's other rollouts to add the user to (decision 0131).
    /// </summary>
    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, string? q, int? page, string? find, CancellationToken cancellationToken)
    {
        var user = await db.Manageable(User).AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        var form = new UserForm
        {
            DisplayName = user.DisplayName,
            Email = user.Email ?? "",
            UserCode = user.UserCode,
            Role = user.Role,
            IsKeyAccountManager = user.IsKeyAccountManager,
        };
        return View(Views + "Edit.cshtml", await PageAsync(user, form, cancellationToken, q, page, find));
    }

    /// <summary>
    /// Saves the account. The page's form sends <paramref name="keepRollouts"/>: its memberships are changed one at a time by
    /// <see cref="AddRollout"/> and <see cref="RemoveRollout"/> (decision 0131); a form without it sets them to its
    /// <see cref="UserForm.RolloutIds"/> among the editor's rollouts, as before.
    /// </summary>
    [HttpPost("{id:int}")]
    public async Task<IActionResult> Update(int id, UserForm form, [FromForm] bool keepRollouts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        // No password on editing: the invitation link sets one.
        ModelState.Remove(nameof(UserForm.Password));
        if (ModelState.IsValid)
        {
            var previousEmail = user.Email;
            var result = await settings.UpdateAsync(User, user, form, cancellationToken, setRollouts: !keepRollouts);
            if (!Refused(result, out var forbidden, out var saved))
            {
                if (saved.EmailChanged && user.Id == User.UserId())
                {
                    // One's own new address ends one's sessions with the new stamp: this one goes on with a new cookie,
                    // as after changing one's own password.
                    await signIn.RefreshSignInAsync(user);
                }
                else if (saved.LinksNotice(user.DisplayName, previousEmail, user.Email) is { } notice)
                {
                    TempData[LinksEndedKey] = notice;
                    TempData[OfferInvitationKey] = saved.WasInvited && user.IsActive;
                }

                var kept = saved.ClientsKept is { } clients ? " " + clients : "";
                if (await settings.ManagesAsync(User, id, cancellationToken))
                {
                    Confirm($"{user.DisplayName} was saved.{kept}");
                    return RedirectToAction(nameof(Edit), new { id });
                }

                Confirm($"{user.DisplayName} was saved and is no longer in any of your rollouts.{kept}");
                return RedirectToAction(nameof(Index));
            }

            // A refusal for the user's other rollouts (or the Administrator role) is shown on the page, answered 403.
            ForbidIf(forbidden);
            await db.Entry(user).ReloadAsync(cancellationToken);
            if (forbidden)
            {
                // Nothing was saved: the page shows the user as they are.
                form = FormOf(user);
            }
        }

        return View(Views + "Edit.cshtml", await PageAsync(user, form, cancellationToken));
    }

    /// <summary>Adds the user to one of the viewer's rollouts (decision 0131); a refusal is said on the page.</summary>
    [HttpPost("{id:int}/rollouts")]
    public async Task<IActionResult> AddRollout(int id, int? rolloutId, string? find, CancellationToken cancellationToken)
    {
        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        var added = await settings.AddRolloutAsync(User, user, rolloutId, cancellationToken);
        if (added.Failed)
        {
            added.Problem.AddTo(ModelState, Response);
            return View(Views + "Edit.cshtml", await PageAsync(user, FormOf(user), cancellationToken, find: find));
        }

        Confirm(added.Value);
        return RedirectToAction(nameof(Edit), new { id });
    }

    /// <summary>Takes the user out of one of the viewer's rollouts (decision 0131); a refusal is said on the page.</summary>
    [HttpPost("{id:int}/rollouts/remove")]
    public async Task<IActionResult> RemoveRollout(int id, int? rolloutId, CancellationToken cancellationToken)
    {
        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        Result<string> removed = rolloutId is int rollout
            ? await settings.RemoveRolloutAsync(User, user, rollout, cancellationToken)
            : Import.Problem.Invalid("Choose a rollout to remove the user from.", "RolloutId");
        if (removed.Failed)
        {
            removed.Problem.AddTo(ModelState, Response);
            return View(Views + "Edit.cshtml", await PageAsync(user, FormOf(user), cancellationToken));
        }

        if (await settings.ManagesAsync(User, id, cancellationToken))
        {
            Confirm(removed.Value);
            return RedirectToAction(nameof(Edit), new { id });
        }

        Confirm($"{removed.Value} {user.DisplayName} is no longer in any of your rollouts.");
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("{id:int}/deactivate")]
    public Task<IActionResult> Deactivate(int id, CancellationToken cancellationToken) => SetActiveAsync(id, false, cancellationToken);

    [HttpPost("{id:int}/reactivate")]
    public Task<IActionResult> Reactivate(int id, CancellationToken cancellationToken) => SetActiveAsync(id, true, cancellationToken);

    /// <summary>
    /// Erases the user (administrators only, decision 0144) once <paramref name="confirmEmail"/> repeats their email; a
    /// refusal is said on the page (403 for anyone but an administrator).
    /// </summary>
    [HttpPost("{id:int}/erase")]
    public async Task<IActionResult> Erase(int id, [FromForm] string? confirmEmail, CancellationToken cancellationToken)
    {
        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        if (Refused(await erasure.EraseAsync(User, user, confirmEmail, cancellationToken), out var forbidden, out var erased))
        {
            ForbidIf(forbidden);
            await db.Entry(user).ReloadAsync(cancellationToken);
            return View(Views + "Edit.cshtml", await PageAsync(user, FormOf(user), cancellationToken));
        }

        Confirm(erased.Notice(id));
        return RedirectToAction(nameof(Edit), new { id });
    }

    /// <summary>
    /// Ends every sign-in of the user (decision 0182), once confirmed on the page (a disclosure, no script needed); the
    /// page then says how many browser sessions and API tokens ended. 403 for a user also in rollouts the actor does not
    /// manage, as for deactivating.
    /// </summary>
    [HttpPost("{id:int}/sign-out")]
    public async Task<IActionResult> EndSignIns(int id, CancellationToken cancellationToken)
    {
        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        if (Refused(await settings.EndSignInsAsync(User, user, cancellationToken), out var forbidden, out var ended))
        {
            ForbidIf(forbidden);
            return View(Views + "Edit.cshtml", await PageAsync(user, FormOf(user), cancellationToken));
        }

        Confirm(SignInsEnded.UserMessage(user.DisplayName, ended));
        return RedirectToAction(nameof(Edit), new { id });
    }

    /// <summary>A new invitation link (earlier ones stop working); also how a forgotten password is reset.</summary>
    [HttpPost("{id:int}/invitation")]
    public async Task<IActionResult> Invite(int id, CancellationToken cancellationToken)
    {
        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        if (Refused(await settings.InvitationAsync(User, user, cancellationToken), out var forbidden, out var token))
        {
            return forbidden ? Forbid() : View(Views + "Edit.cshtml", await PageAsync(user, FormOf(user), cancellationToken));
        }

        return View(Views + "Invitation.cshtml", new InvitationCreated(user, InvitationLink(user.Id, token)));
    }

    private async Task<IActionResult> SetActiveAsync(int id, bool active, CancellationToken cancellationToken)
    {
        var user = await settings.FindAsync(User, id, cancellationToken);
        if (user is null)
        {
            return NotFound();
        }

        var result = await settings.SetActiveAsync(User, user, active, cancellationToken);
        if (Refused(result, out var forbidden))
        {
            ForbidIf(forbidden);
            await db.Entry(user).ReloadAsync(cancellationToken);
            return View(Views + "Edit.cshtml", await PageAsync(user, FormOf(user), cancellationToken));
        }

        Confirm(active
            ? $"{user.DisplayName} was reactivated and can sign in again."
            : $"{user.DisplayName} was deactivated: they can no longer sign in, and imports no longer find them.");
        return RedirectToAction(nameof(Edit), new { id });
    }

    private UserForm FormOf(User user) => new()
    {
        DisplayName = user.DisplayName,
        Email = user.Email ?? "",
        UserCode = user.UserCode,
        Role = user.Role,
        IsKeyAccountManager = user.IsKeyAccountManager,
    };

    private string InvitationLink(int userId, string token) =>
        PublicAddress.Absolute(Request, UserSettings.InvitationPath(userId, token));

    private async Task<UserPage> PageAsync(User? user, UserForm form, CancellationToken cancellationToken, string? query = null,
        int? page = null, string? find = null)
    {
        if (user is null)
        {
            return new UserPage(null, form, UserSettings.AssignableRoles(User), true, false,
                Picker: await PickerAsync(form, find, cancellationToken));
        }

        // The user's rollouts among the viewer's, a page at a time: an administrator sees 2,000 rollouts, and a page of
        // them all as checkboxes was 620 KB (decision 0131).
        var userId = user.Id;
        var visible = access.Visible(User).AsNoTracking();
        var theirs = visible.Where(r => r.Members.Any(m => m.UserId == userId)).Matching(query);
        var window = ListWindow.Of(query, page, await theirs.CountAsync(cancellationToken));
        var rollouts = await theirs.OrderBy(r => r.Name).ThenBy(r => r.Id).Skip(window.Skip).Take(UserSearch.PageSize)
            .Select(r => new RolloutChoice(r.Id, r.Identifier, r.Name)).ToListAsync(cancellationToken);
        var findText = UserSearch.Clean(find);
        var (found, moreFound) = findText is null ? ([], false)
            : await FirstFoundAsync(visible.Where(r => !r.Members.Any(m => m.UserId == userId)).Matching(findText), cancellationToken);
        var ownsAccount = await settings.OwnsAccountAsync(User, userId, cancellationToken);
        return new UserPage(user, form, UserSettings.AssignableRoles(User), ownsAccount, userId == User.UserId(),
            new UserRollouts(rollouts, window, findText, found, moreFound));
    }

    /// <summary>The first <see cref="UserRollouts.FoundListed"/> of <paramref name="rollouts"/> by name, and whether more match.</summary>
    private static async Task<(List<RolloutChoice> Found, bool More)> FirstFoundAsync(IQueryable<Rollout> rollouts,
        CancellationToken cancellationToken)
    {
        var found = await rollouts.OrderBy(r => r.Name).ThenBy(r => r.Id).Take(UserRollouts.FoundListed + 1)
            .Select(r => new RolloutChoice(r.Id, r.Identifier, r.Name)).ToListAsync(cancellationToken);
        var more = found.Count > UserRollouts.FoundListed;
        if (more)
        {
            found.RemoveAt(UserRollouts.FoundListed);
        }

        return (found, more);
    }

    /// <summary>
    /// The new user's rollouts (decision 0138): those ticked, kept across searches, and the first
    /// <see cref="UserRollouts.FoundListed"/> of the editor's others by name (matching <paramref name="find"/> when given):
    /// an administrator of 2,000 rollouts got a page of 2,000 checkboxes.
    /// </summary>
    private async Task<RolloutPicker> PickerAsync(UserForm form, string? find, CancellationToken cancellationToken)
    {
        var visible = access.Visible(User).AsNoTracking();
        List<int> ticked = [.. (form.RolloutIds ?? []).Distinct()];
        var chosen = ticked.Count == 0 ? [] : await visible.Where(r => ticked.Contains(r.Id))
            .OrderBy(r => r.Name).ThenBy(r => r.Id).Select(r => new RolloutChoice(r.Id, r.Identifier, r.Name)).ToListAsync(cancellationToken);
        var findText = UserSearch.Clean(find);
        var others = visible.Where(r => !ticked.Contains(r.Id));
        var (found, moreFound) = await FirstFoundAsync(findText is null ? others : others.Matching(findText), cancellationToken);
        var total = await visible.CountAsync(cancellationToken);
        return new RolloutPicker(chosen, findText, found, moreFound, total);
    }
}
