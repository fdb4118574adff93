using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Users;

/// <summary>What a user page and <c>POST /api/users</c> send.</summary>
public sealed class UserForm
{
    [Required(ErrorMessage = "Enter the user's name.")]
    [StringLength(200, ErrorMessage = "The name can have at most 200 characters.")]
    [Display(Name = "Name")]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Enter the user's email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can have at most 256 characters.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter a user ID (the one imports can look the user up by, e.g. U-0042).")]
    [StringLength(50, ErrorMessage = "The user ID can have at most 50 characters.")]
    [Display(Name = "User ID")]
    public string UserCode { get; set; } = "";

    public Role Role { get; set; } = Role.Technician;

    [Display(Name = "Key account manager")]
    public bool IsKeyAccountManager { get; set; }

    /// <summary>On creation: send an invitation link instead of setting a password.</summary>
    public bool Invite { get; set; } = true;

    [DataType(DataType.Password)]
    [Display(Name = "Initial password")]
    public string? Password { get; set; }

    [DataType(DataType.Password)]
    [Display(Name = "Repeat the password")]
    public string? ConfirmPassword { get; set; }

    /// <summary>Rollouts the user is a member of (only those the editor may manage are changed).</summary>
    public List<int> RolloutIds { get; set; } = [];
}

/// <summary>A user just created, and the token of their invitation link when they were invited.</summary>
public sealed record CreatedUser(User User, string? InvitationToken);

/// <summary>
/// What a save of a user did beyond the values: <paramref name="EmailChanged"/> when the email address changed, which
/// gave the user a new security stamp, so that every invitation or password reset link made before, and their sessions
/// and API tokens, no longer work (docs/decisions/0085); <paramref name="WasInvited"/> when the user has no password yet,
/// so the link they were sent was one of those.
/// </summary>
/// <remarks><paramref name="ClientsKept"/>: when the save took the user out of a rollout or lowered their role below
/// Technician, how many clients still have them ("They stay assignee of 66,667 clients in W11; …"), else null
/// (decision 0088).</remarks>
public sealed record SavedUser(bool EmailChanged, bool WasInvited, string? ClientsKept = null)
{
    /// <summary>What the save says about the links, or null when the email did not change.</summary>
    public string? LinksNotice(string displayName, string? previousEmail, string? email) => !EmailChanged
        ? null
        : WasInvited
            ? $"The email address changed from {previousEmail} to {email}. Links made before this change no longer work: " +
              $"the invitation link sent to {previousEmail} cannot be used. Send a new one to {email}."
            : $"The email address changed from {previousEmail} to {email}. Links made before this change no longer work, " +
              $"and {displayName}'s sessions and API tokens ended: they sign in with {email} and their password.";
}

/// <summary>
/// Users: create (with a password or an invitation link), edit, deactivate, rollout memberships. A rollout manager
/// manages only the users of their rollouts, never an administrator (<see cref="UserAccess"/>: callers find the user
/// through <see cref="FindAsync"/>, which answers null for anyone else), creates users into at least one of their
/// rollouts, and changes a user's account (name, email, user ID, role, key account manager flag, deactivation, links)
/// only when every rollout of the user is theirs (<see cref="OwnsAccountAsync"/>). Only administrators give the
/// Administrator role. Nobody deactivates themselves, and the last active administrator stays one. Creating a user and
/// every change of a role, the key account manager flag, a name, email or user ID, a deactivation and each membership
/// added or removed are audit events, written once the change committed; so is each invitation or password reset link
/// made, without its token.
/// </summary>
public sealed class UserSettings(RolloutDbContext db, UserManager<User> users, RolloutAccess access, AuditLog audit,
    TimeProvider clock)
{
    /// <summary>The longest name, email address and user ID (<see cref="UserForm"/>'s attributes, the columns' sizes).</summary>
    public const int DisplayNameLength = 200, EmailLength = 256, UserCodeLength = 50;

    /// <summary>Roles <paramref name="actor"/> may give.</summary>
    public static IReadOnlyList<Role> AssignableRoles(ClaimsPrincipal actor) =>
        [.. Enum.GetValues<Role>().Where(r => r != Role.Administrator || actor.IsAdministrator()).OrderDescending()];

    /// <summary>The user if <paramref name="actor"/> manages them; null, as for a user that does not exist, otherwise.</summary>
    public Task<User?> FindAsync(ClaimsPrincipal actor, int id, CancellationToken cancellationToken) =>
        db.Manageable(actor).SingleOrDefaultAsync(u => u.Id == id, cancellationToken);

    /// <summary>Whether <paramref name="actor"/> still manages the user, e.g. after taking them out of their rollouts.</summary>
    public Task<bool> ManagesAsync(ClaimsPrincipal actor, int id, CancellationToken cancellationToken) =>
        db.Manageable(actor).AnyAsync(u => u.Id == id, cancellationToken);

    /// <summary>
    /// Whether <paramref name="actor"/> may change the user's account itself (name, email, user ID, role, key account
    /// manager flag, active, links): an administrator always; a rollout manager when every rollout of the user is theirs
    /// (<see cref="UserAccess.OnlyInRolloutsOf"/>). The account is one for the whole installation, so a change to a user
    /// who is also in another rollout would change that rollout's people too (docs/decisions/0018).
    /// </summary>
    public Task<bool> OwnsAccountAsync(ClaimsPrincipal actor, int userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId).OnlyInRolloutsOf(db, actor).AnyAsync(cancellationToken);

    /// <summary>A new user, with the token of their invitation link when they were invited rather than given a password.</summary>
    public async Task<Result<CreatedUser>> CreateAsync(
        ClaimsPrincipal actor, UserForm form, CancellationToken cancellationToken)
    {
        var errors = new ProblemList();
        Normalize(form);
        await CheckAsync(actor, form, null, errors, cancellationToken);
        if (!actor.IsAdministrator()
            && !(await access.Visible(actor).Select(r => r.Id).ToListAsync(cancellationToken)).Intersect(form.RolloutIds).Any())
        {
            // A rollout manager manages the users of their rollouts: a user outside all of them would be out of reach at once.
            errors.Invalid(nameof(UserForm.RolloutIds), "Choose at least one of your rollouts for the user.");
        }

        if (!form.Invite)
        {
            if (string.IsNullOrEmpty(form.Password))
            {
                errors.Invalid(nameof(UserForm.Password), "Enter an initial password, or choose to send an invitation link.");
            }
            else if (form.ConfirmPassword is not null && form.ConfirmPassword != form.Password)
            {
                errors.Invalid(nameof(UserForm.ConfirmPassword), "The two passwords are not the same.");
            }
        }

        if (errors.Failed)
        {
            return errors.Problem;
        }

        var user = new User
        {
            DisplayName = form.DisplayName,
            Email = form.Email,
            UserName = form.Email,
            UserCode = form.UserCode,
            Role = form.Role,
            IsKeyAccountManager = form.IsKeyAccountManager,
            EmailConfirmed = true,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Without an invitation the password was checked above: it is there.
        var result = form.Invite || form.Password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, form.Password);
        if (!result.Succeeded)
        {
            AddIdentityErrors(result, errors);
            return errors.Problem ?? Problem.Invalid("The user was not created.");
        }

        var memberships = await SetRolloutsAsync(actor, user.Id, form.RolloutIds, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        audit.UserCreated(actor.UserId(), user.Id, user.DisplayName, user.Email ?? "", user.Role.ToString(), user.IsKeyAccountManager);
        AuditMemberships(actor, user, memberships);
        var token = form.Invite ? await NewInvitationTokenAsync(actor, user) : null;
        return new CreatedUser(user, token);
    }

    /// <summary>
    /// Saves the user's account and memberships. A changed email address (other than in its letters' case) also gives
    /// the user a new security stamp: the invitation or reset link made for the old address no longer opens the account,
    /// and the user's sessions and API tokens end, as after a new password (docs/decisions/0085).
    /// </summary>
    public async Task<Result<SavedUser>> UpdateAsync(ClaimsPrincipal actor, User user, UserForm form, CancellationToken cancellationToken,
        bool setRollouts = true)
    {
        ArgumentNullException.ThrowIfNull(user);
        var errors = new ProblemList();
        Normalize(form);
        if (AccountChanges(user, form) && !await OwnsAccountAsync(actor, user.Id, cancellationToken))
        {
            // The account is one for the whole installation: its role, name, email and user ID count in the user's
            // other rollouts too (docs/decisions/0018, amendment of 2026-12-05). The memberships of the actor's own
            // rollouts are theirs to change.
            return Problem.Forbidden(AskAnAdministrator(user,
                "to change their name, email, user ID, role or key account manager flag (you change only which of your rollouts they are in)"));
        }

        await CheckAsync(actor, form, user, errors, cancellationToken);
        if (user.Role == Role.Administrator && form.Role != Role.Administrator && user.IsActive
            && !await OtherActiveAdministratorsAsync(user.Id, cancellationToken))
        {
            errors.Invalid(nameof(UserForm.Role),
                $"{user.DisplayName} is the last active administrator: make someone else an administrator first.");
        }

        if (errors.Failed)
        {
            return errors.Problem;
        }

        var details = DetailChanges(user, form);
        var emailChanged = !string.Equals(users.NormalizeEmail(form.Email), users.NormalizeEmail(user.Email), StringComparison.Ordinal);
        var saved = new SavedUser(emailChanged, user.PasswordHash is null);
        var oldKeyAccountManager = user.IsKeyAccountManager;
        user.DisplayName = form.DisplayName;
        user.Email = form.Email;
        user.UserName = form.Email;
        user.UserCode = form.UserCode;
        var oldRole = user.Role;
        user.Role = form.Role;
        user.IsKeyAccountManager = form.IsKeyAccountManager;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // A link is a password-reset token, which names the stamp: a new stamp voids the links made for the old address.
        var result = emailChanged ? await users.UpdateSecurityStampAsync(user) : await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            AddIdentityErrors(result, errors);
            return errors.Problem ?? Problem.Invalid("The user was not saved.");
        }

        // The user's page leaves the memberships to its add and remove buttons (decision 0131); the API sets them.
        var memberships = setRollouts ? await SetRolloutsAsync(actor, user.Id, form.RolloutIds, cancellationToken) : [];
        await transaction.CommitAsync(cancellationToken);
        saved = saved with
        {
            ClientsKept = await ClientsKeptAsync(actor, user, memberships,
                oldRole >= Role.Technician && user.Role < Role.Technician, cancellationToken),
        };
        var actorId = actor.UserId();
        if (details.Count > 0)
        {
            audit.UserDetailsChanged(actorId, user.Id, user.DisplayName, string.Join("; ", details));
        }

        if (oldRole != user.Role)
        {
            audit.RoleChanged(actorId, user.Id, user.DisplayName, oldRole.ToString(), user.Role.ToString());
        }

        if (oldKeyAccountManager != user.IsKeyAccountManager)
        {
            audit.KeyAccountManagerChanged(actorId, user.Id, user.DisplayName, oldKeyAccountManager, user.IsKeyAccountManager);
        }

        AuditMemberships(actor, user, memberships);
        return saved;
    }

    /// <summary>
    /// Deactivates or reactivates. A deactivated user can no longer sign in, and their sessions and tokens end: the new
    /// security stamp also keeps them ended after a reactivation.
    /// </summary>
    public async Task<Result> SetActiveAsync(ClaimsPrincipal actor, User user, bool active, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var errors = new ProblemList();
        if (!active && user.Id == actor.UserId())
        {
            errors.Invalid("", "You cannot deactivate yourself.");
        }
        else if (!active && user.Role == Role.Administrator && !await OtherActiveAdministratorsAsync(user.Id, cancellationToken))
        {
            errors.Invalid("", $"{user.DisplayName} is the last active administrator and stays active.");
        }
        else if (user.IsActive != active && !await OwnsAccountAsync(actor, user.Id, cancellationToken))
        {
            // Deactivating signs the user out of every rollout, and reactivating lets them back into all of them.
            errors.Forbidden(AskAnAdministrator(user, active ? "to reactivate them" : "to deactivate them"));
        }

        if (errors.Failed || user.IsActive == active)
        {
            return errors.ToResult();
        }

        user.IsActive = active;
        // Saves the user together with a new stamp when deactivating.
        var result = active ? await users.UpdateAsync(user) : await users.UpdateSecurityStampAsync(user);
        AddIdentityErrors(result, errors);
        if (result.Succeeded)
        {
            audit.UserActiveChanged(actor.UserId(), user.Id, user.DisplayName, active);
        }

        return errors.ToResult();
    }

    /// <summary>
    /// Ends every sign-in of the user (decision 0182): all their browser sessions and API tokens, at their next request, on
    /// every instance; nothing else changes (password, links, role). The same rules as deactivating: an administrator, or a
    /// rollout manager when every rollout of the user is theirs (403 otherwise); not oneself (Sign out everywhere is for
    /// that). An audit event names who ended whose sign-ins and how many.
    /// </summary>
    public async Task<Result<UserSessions.Ended>> EndSignInsAsync(ClaimsPrincipal actor, User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var errors = new ProblemList();
        if (user.Id == actor.UserId())
        {
            errors.Invalid("", "To end your own other sign-ins, use \"Sign out everywhere\" on the \"Your password\" page " +
                "(POST /api/auth/logout-everywhere): it keeps the browser or token you use.");
        }
        else if (!await OwnsAccountAsync(actor, user.Id, cancellationToken))
        {
            errors.Forbidden(AskAnAdministrator(user, "to end their sign-ins"));
        }

        if (errors.Failed)
        {
            return errors.Problem;
        }

        var ended = await UserSessions.EndAllButAsync(db, user.Id, null, clock.GetUtcNow(), cancellationToken);
        audit.SignInsEnded(actor.UserId(), user.Id, user.DisplayName, ended.Sessions, ended.Tokens);
        return ended;
    }

    /// <summary>
    /// The user's page adds the user to one rollout at a time (decision 0131): one <paramref name="actor"/> manages
    /// (<see cref="RolloutAccess.Visible"/>; any other, or none chosen, is refused as unknown), and not one they are
    /// already in (409). The same rules as the memberships the page's form set before: a rollout manager's own
    /// rollouts only; the membership is an audit event. Answers what the page confirms.
    /// </summary>
    public async Task<Result<string>> AddRolloutAsync(ClaimsPrincipal actor, User user, int? rolloutId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var rollout = rolloutId is int id
            ? await access.Visible(actor).Where(r => r.Id == id).Select(r => new { r.Id, r.Identifier, r.Name }).SingleOrDefaultAsync(cancellationToken)
            : null;
        if (rollout is null)
        {
            return Problem.Invalid(rolloutId is null
                ? "Choose a rollout to add the user to: search by its name or identifier."
                : "There is no such rollout among the rollouts you manage: search again by its name or identifier.", "RolloutId");
        }

        if (await db.RolloutMembers.AnyAsync(m => m.RolloutId == rollout.Id && m.UserId == user.Id, cancellationToken))
        {
            return Problem.Conflict($"{user.DisplayName} is already a member of {rollout.Name} ({rollout.Identifier}).", "RolloutId");
        }

        db.RolloutMembers.Add(new RolloutMember { RolloutId = rollout.Id, UserId = user.Id });
        await db.SaveChangesAsync(cancellationToken);
        AuditMemberships(actor, user, [new MembershipChange(rollout.Id, rollout.Identifier, true)]);
        return $"{user.DisplayName} was added to {rollout.Name} ({rollout.Identifier}).";
    }

    /// <summary>
    /// The user's page takes the user out of one rollout <paramref name="actor"/> manages (decision 0131); a rollout the
    /// user is not in (any more) is said so. Answers what the page confirms, with the clients that keep the user there
    /// (decision 0088), as the form's save said.
    /// </summary>
    public async Task<Result<string>> RemoveRolloutAsync(ClaimsPrincipal actor, User user, int rolloutId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var rollout = await access.Visible(actor).Where(r => r.Id == rolloutId)
            .Select(r => new { r.Id, r.Identifier, r.Name }).SingleOrDefaultAsync(cancellationToken);
        if (rollout is null)
        {
            return Problem.NotFound("There is no such rollout among the rollouts you manage.");
        }

        var member = await db.RolloutMembers.SingleOrDefaultAsync(m => m.RolloutId == rollout.Id && m.UserId == user.Id, cancellationToken);
        if (member is null)
        {
            return Problem.Conflict($"{user.DisplayName} is not a member of {rollout.Name} ({rollout.Identifier}).");
        }

        db.RolloutMembers.Remove(member);
        await db.SaveChangesAsync(cancellationToken);
        var change = new MembershipChange(rollout.Id, rollout.Identifier, false);
        var kept = await ClientsKeptAsync(actor, user, [change], false, cancellationToken);
        AuditMemberships(actor, user, [change]);
        return $"{user.DisplayName} was removed from {rollout.Name} ({rollout.Identifier}).{(kept is null ? "" : " " + kept)}";
    }

    /// <summary>
    /// A new invitation (or password reset) link's token for a user <paramref name="actor"/> manages. Opening the link
    /// signs in as the user, so a rollout manager gets one only for a user whose every rollout is theirs.
    /// </summary>
    public async Task<Result<string>> InvitationAsync(ClaimsPrincipal actor, User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var errors = new ProblemList();
        if (user.Id == actor.UserId())
        {
            // A new link would also end one's own sessions; one's own password is changed on the "Your password" page.
            errors.Invalid("", "You cannot create a link for yourself: change your password on the \"Your password\" page.");
        }
        else if (!user.IsActive)
        {
            errors.Invalid("", $"{user.DisplayName} is deactivated: reactivate the user before inviting them.");
        }
        else if (!await OwnsAccountAsync(actor, user.Id, cancellationToken))
        {
            errors.Forbidden(AskAnAdministrator(user, "for the link"));
        }

        return errors.Failed ? errors.Problem : await NewInvitationTokenAsync(actor, user);
    }

    /// <summary>
    /// A password-reset token for the invitation link. Changing the security stamp first makes every earlier link of this
    /// user invalid (and ends the user's sessions and API tokens); setting the password changes it again, so a link works
    /// once. An audit event names who made the link for whom, an invitation (the user has no password yet) or a password
    /// reset, never the token.
    /// </summary>
    private async Task<string> NewInvitationTokenAsync(ClaimsPrincipal actor, User user)
    {
        await users.UpdateSecurityStampAsync(user);
        var token = await users.GeneratePasswordResetTokenAsync(user);
        audit.SignInLinkCreated(actor.UserId(), user.Id, user.DisplayName, invitation: user.PasswordHash is null,
            clock.GetUtcNow() + SettingsSetup.InvitationLifetime);
        return token;
    }

    public static string InvitationPath(int userId, string token) =>
        $"/account/invitation?user={userId}&token={Uri.EscapeDataString(token)}";

    /// <summary>A membership the user gained (<paramref name="Added"/>) or lost, for the audit log.</summary>
    private sealed record MembershipChange(int RolloutId, string RolloutIdentifier, bool Added);

    /// <summary>
    /// Sets the user's memberships among the rollouts <paramref name="actor"/> may manage; others stay. Returns those
    /// added and removed.
    /// </summary>
    private async Task<List<MembershipChange>> SetRolloutsAsync(ClaimsPrincipal actor, int userId, IEnumerable<int> rolloutIds,
        CancellationToken cancellationToken)
    {
        var manageable = await access.Visible(actor).Select(r => new { r.Id, r.Identifier }).ToListAsync(cancellationToken);
        var ids = manageable.Select(r => r.Id).ToList();
        var wanted = rolloutIds.Intersect(ids).ToHashSet();
        var manageableIds = ids.ToHashSet();
        var current = (await db.RolloutMembers.Where(m => m.UserId == userId).ToListAsync(cancellationToken))
            .Where(m => manageableIds.Contains(m.RolloutId)).ToList();
        var removed = current.Where(m => !wanted.Contains(m.RolloutId)).ToList();
        var added = wanted.Where(id => current.All(m => m.RolloutId != id)).Order().ToList();
        db.RolloutMembers.RemoveRange(removed);
        db.RolloutMembers.AddRange(added.Select(id => new RolloutMember { RolloutId = id, UserId = userId }));
        await db.SaveChangesAsync(cancellationToken);
        var identifiers = manageable.ToDictionary(r => r.Id, r => r.Identifier);
        return
        [
            .. added.Select(id => new MembershipChange(id, identifiers[id], true)),
            .. removed.OrderBy(m => m.RolloutId).Select(m => new MembershipChange(m.RolloutId, identifiers[m.RolloutId], false)),
        ];
    }

    /// <summary>
    /// After the user left rollouts (<paramref name="changes"/>) or lost the right to be an assignee
    /// (<paramref name="demoted"/>): how many clients still have them, which keep them (an import naming them there is
    /// no change, decision 0088). Counted only on such a save, by the (inventory, assignee) and (inventory, client user)
    /// indexes.
    /// </summary>
    private async Task<string?> ClientsKeptAsync(ClaimsPrincipal actor, User user, List<MembershipChange> changes, bool demoted,
        CancellationToken cancellationToken)
    {
        var removed = changes.Where(c => !c.Added).ToList();
        var parts = new List<string>();
        foreach (var change in removed)
        {
            if (await HeldInAsync(db, user.Id, change.RolloutId, cancellationToken) is { } held)
            {
                parts.Add($"{held} in {change.RolloutIdentifier}");
            }
        }

        if (parts.Count > 0)
        {
            return Kept(string.Join("; ", parts));
        }

        if (demoted && removed.Count == 0 && await AssigneeInVisibleAsync(actor, user.Id, cancellationToken) is { } assignee)
        {
            // "a Service Desk user", but "a Client User", not "a Client User user".
            var role = user.Role.DisplayName();
            var who = role.EndsWith(" User", StringComparison.Ordinal) ? role : role + " user";
            return $"They stay assignee of {assignee}: the clients keep them, and an import that names them on such a client " +
                   $"changes nothing there, but a {who} cannot be made the assignee of another.";
        }

        return null;
    }

    /// <summary>How many rollouts a demoted user's kept clients are named in, at most; beyond, "and N more rollouts".</summary>
    private const int RolloutsNamed = 10;

    /// <summary>
    /// "3 clients in R2 and 1 client in W11": the clients that have the user as assignee in the rollouts
    /// <paramref name="actor"/> sees (an administrator every rollout), each rollout named; null for none. A rollout
    /// manager never learns of clients in rollouts they cannot see (docs/decisions/0088, amendment). By the clients'
    /// (inventory, assignee) index, the inventories of the visible rollouts.
    /// </summary>
    private async Task<string?> AssigneeInVisibleAsync(ClaimsPrincipal actor, int userId, CancellationToken cancellationToken)
    {
        // The visible inventories are read first and counted by their ids, as HeldInAsync counts a rollout's: grouped by
        // inventory, the count reads only the (inventory, assignee) index (an index-only scan on PostgreSQL). Grouped by
        // rollout through a subquery, it read every client row of the user from the table (docs/performance.md).
        var visible = access.Visible(actor).Select(r => r.Id);
        var rolloutOf = await db.Inventories.Where(i => visible.Contains(i.RolloutId))
            .ToDictionaryAsync(i => i.Id, i => i.RolloutId, cancellationToken);
        var inventories = rolloutOf.Keys.ToList();
        var counts = await db.Clients.Where(c => inventories.Contains(c.InventoryId) && c.AssigneeId == userId)
            .GroupBy(c => c.InventoryId).Select(g => new { InventoryId = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var held = counts.GroupBy(c => rolloutOf[c.InventoryId])
            .Select(g => new { RolloutId = g.Key, Count = g.Sum(c => c.Count) }).ToList();
        if (held.Count == 0)
        {
            return null;
        }

        var ids = held.Select(h => h.RolloutId).ToList();
        var identifiers = await db.Rollouts.Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Identifier, cancellationToken);
        var named = held.Select(h => (Identifier: identifiers.GetValueOrDefault(h.RolloutId, ""), h.Count))
            .OrderBy(h => h.Identifier, StringComparer.Ordinal).ToList();
        var parts = named.Take(RolloutsNamed)
            .Select(h => $"{ImportNumbers.Count(h.Count, "client", "clients")} in {h.Identifier}").ToList();
        if (named.Count > RolloutsNamed)
        {
            var rest = named.Skip(RolloutsNamed).ToList();
            parts.Add($"{ImportNumbers.Count(rest.Sum(h => h.Count), "client", "clients")} in " +
                      $"{ImportNumbers.Count(rest.Count, "more rollout", "more rollouts")}");
        }

        return parts.Count == 1 ? parts[0] : $"{string.Join(", ", parts.Take(parts.Count - 1))} and {parts[^1]}";
    }

    /// <summary>After a member left the rollout (its page's Remove, or the user's page): the clients that still have them there.</summary>
    public static async Task<string?> ClientsKeptInAsync(RolloutDbContext db, int userId, int rolloutId, string identifier,
        CancellationToken cancellationToken) =>
        await HeldInAsync(db, userId, rolloutId, cancellationToken) is { } held ? Kept($"{held} in {identifier}") : null;

    private static string Kept(string held) =>
        $"They stay {held}: the clients keep them, and an import that names them on such a client changes nothing there, " +
        "but cannot give them another.";

    /// <summary>"assignee of 66,667 clients and client user of 3 clients" of the rollout, or null for none.</summary>
    private static async Task<string?> HeldInAsync(RolloutDbContext db, int userId, int rolloutId, CancellationToken cancellationToken)
    {
        // By the clients' (inventory, assignee) and (inventory, client user) indexes, an inventory of the rollout at a
        // time: the rollout's own index leads with the name, so a count by rollout would read every client of it.
        var inventories = await db.Inventories.Where(i => i.RolloutId == rolloutId).Select(i => i.Id).ToListAsync(cancellationToken);
        var assignee = await db.Clients.CountAsync(c => inventories.Contains(c.InventoryId) && c.AssigneeId == userId, cancellationToken);
        var clientUser = await db.Clients.CountAsync(c => inventories.Contains(c.InventoryId) && c.ClientUserId == userId, cancellationToken);
        return (assignee, clientUser) switch
        {
            (0, 0) => null,
            (_, 0) => $"assignee of {ImportNumbers.Count(assignee, "client", "clients")}",
            (0, _) => $"client user of {ImportNumbers.Count(clientUser, "client", "clients")}",
            _ => $"assignee of {ImportNumbers.Count(assignee, "client", "clients")} and client user of {ImportNumbers.Count(clientUser, "client", "clients")}",
        };
    }

    private void AuditMemberships(ClaimsPrincipal actor, User user, List<MembershipChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Added)
            {
                audit.RolloutMemberAdded(actor.UserId(), change.RolloutId, change.RolloutIdentifier, user.Id, user.DisplayName);
            }
            else
            {
                audit.RolloutMemberRemoved(actor.UserId(), change.RolloutId, change.RolloutIdentifier, user.Id, user.DisplayName);
            }
        }
    }

    /// <summary>The user's name, email and user ID the form changes, each "field "before" → "after"", for the audit log.</summary>
    private static List<string> DetailChanges(User user, UserForm form)
    {
        var changes = new List<string>();
        void Compare(string what, string? before, string after)
        {
            if (!string.Equals(before ?? "", after, StringComparison.Ordinal))
            {
                changes.Add($"{what} \"{before}\" → \"{after}\"");
            }
        }

        Compare("name", user.DisplayName, form.DisplayName);
        Compare("email", user.Email, form.Email);
        Compare("user ID", user.UserCode, form.UserCode);
        return changes;
    }

    /// <summary>Whether the form changes the account itself rather than only the memberships.</summary>
    /// <remarks>The stored values are compared as the form's are normalised (<see cref="Normalize"/>), so that a value stored
    /// before names were kept as seen does not read as a change.</remarks>
    private static bool AccountChanges(User user, UserForm form) =>
        !string.Equals(form.DisplayName, SettingsNames.Clean(user.DisplayName) ?? "", StringComparison.Ordinal)
        || !string.Equals(form.Email, SettingsNames.Clean(user.Email) ?? "", StringComparison.Ordinal)
        || !string.Equals(form.UserCode, SettingsNames.Clean(user.UserCode) ?? "", StringComparison.Ordinal)
        || form.Role != user.Role
        || form.IsKeyAccountManager != user.IsKeyAccountManager;

    private static string AskAnAdministrator(User user, string what) =>
        $"{user.DisplayName} is also a member of rollouts you do not manage: ask an administrator {what}.";

    private static void Normalize(UserForm form)
    {
        form.DisplayName = SettingsNames.Clean(form.DisplayName) ?? "";
        form.Email = SettingsNames.Clean(form.Email) ?? "";
        form.UserCode = SettingsNames.Clean(form.UserCode) ?? "";
        // Each rollout once, compared in memory (SetRolloutsAsync): a list of 40,000 ids is never a statement's parameters.
        form.RolloutIds = form.RolloutIds is null ? [] : [.. form.RolloutIds.Distinct()];
    }

    private async Task CheckAsync(ClaimsPrincipal actor, UserForm form, User? existing, ProblemList errors, CancellationToken cancellationToken)
    {
        // The page's form checks the same lengths (UserForm's attributes); the API reaches here without them, and the
        // database would refuse a longer value (PostgreSQL, SQL Server) or keep it (SQLite).
        if (form.DisplayName.Length == 0)
        {
            errors.Invalid(nameof(UserForm.DisplayName), "Enter the user's name.");
        }
        else if (form.DisplayName.Length > DisplayNameLength)
        {
            errors.Invalid(nameof(UserForm.DisplayName), "The name can have at most 200 characters.");
        }
        else if (SettingsNames.LineBreakOrControl(form.DisplayName, "A user's name") is { } brokenName)
        {
            errors.Invalid(nameof(UserForm.DisplayName), brokenName);
        }

        if (form.Email.Length > EmailLength)
        {
            errors.Invalid(nameof(UserForm.Email), "The email address can have at most 256 characters.");
        }
        else if (SettingsNames.LineBreakOrControl(form.Email, "An email address") is { } brokenEmail)
        {
            errors.Invalid(nameof(UserForm.Email), brokenEmail);
        }
        else if (form.Email.Length == 0 || !new EmailAddressAttribute().IsValid(form.Email))
        {
            errors.Invalid(nameof(UserForm.Email), "Enter a valid email address.");
        }

        if (form.UserCode.Length == 0)
        {
            errors.Invalid(nameof(UserForm.UserCode), "Enter a user ID (the one imports can look the user up by, e.g. U-0042).");
        }
        else if (form.UserCode.Length > UserCodeLength)
        {
            errors.Invalid(nameof(UserForm.UserCode), "The user ID can have at most 50 characters.");
        }
        else if (SettingsNames.LineBreakOrControl(form.UserCode, "A user ID") is { } brokenCode)
        {
            errors.Invalid(nameof(UserForm.UserCode), brokenCode);
        }

        if (!Enum.IsDefined(form.Role))
        {
            errors.Invalid(nameof(UserForm.Role), "Choose a role.");
        }
        else if (form.Role == Role.Administrator && !actor.IsAdministrator())
        {
            errors.Forbidden("Only administrators make someone an Administrator.");
        }

        var id = existing?.Id ?? 0;
        // Imports look users up by user ID ignoring case, so "u-7" and "U-7" would be the same user ID.
        if (form.UserCode.Length is > 0 and <= UserCodeLength
            && await db.Users.Where(u => u.Id != id).Where(IgnoringCase.Equal<User>(u => u.UserCode, form.UserCode))
                .Select(u => new { u.Id, u.DisplayName, u.Email }).FirstOrDefaultAsync(cancellationToken) is { } holder)
        {
            // The holder is named to whoever may see them (the first administrator has U-0001 from the installation);
            // to anyone else they do not exist, as on their page.
            var who = holder.Email is { } holderEmail ? $"{holder.DisplayName} ({holderEmail})" : holder.DisplayName;
            errors.Conflict(nameof(UserForm.UserCode), await db.Manageable(actor).AnyAsync(u => u.Id == holder.Id, cancellationToken)
                ? $"{who} already has the user ID \"{form.UserCode}\": choose another, or change theirs first on their page (Settings → Users)."
                : $"Another user already has the user ID \"{form.UserCode}\".");
        }

        var email = users.NormalizeEmail(form.Email);
        if (form.Email.Length is > 0 and <= EmailLength && await db.Users.AnyAsync(u => u.Id != id && u.NormalizedEmail == email, cancellationToken))
        {
            errors.Conflict(nameof(UserForm.Email), $"Another user already has the email address {form.Email}.");
        }
    }

    private Task<bool> OtherActiveAdministratorsAsync(int userId, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Id != userId && u.IsActive && u.Role == Role.Administrator, cancellationToken);

    public static void AddIdentityErrors(IdentityResult result, ProblemList errors)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var error in result.Errors)
        {
            var field = error.Code switch
            {
                _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => nameof(UserForm.Password),
                _ when error.Code.Contains("Email", StringComparison.Ordinal) => nameof(UserForm.Email),
                _ when error.Code.Contains("UserName", StringComparison.Ordinal) => nameof(UserForm.Email),
                _ => "",
            };
            if (error.Code is "DuplicateEmail" or "DuplicateUserName")
            {
                errors.Conflict(field, error.Description);
            }
            else
            {
                errors.Invalid(field, error.Description);
            }
        }
    }
}
