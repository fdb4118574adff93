using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Rollouts;

public sealed class RolloutForm
{
    [Required(ErrorMessage = "Enter the rollout's name.")]
    [StringLength(200, ErrorMessage = "The name can have at most 200 characters.")]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Enter an identifier (short, used in addresses, e.g. W11).")]
    public string Identifier { get; set; } = "";

    [Range(0, int.MaxValue, ErrorMessage = "The client limit is a whole number, 0 or more (empty: no limit).")]
    [Display(Name = "Client limit")]
    public int? ClientLimit { get; set; }
}

/// <summary>
/// Rollouts: only administrators create and edit them; members are managed by administrators and by rollout managers
/// who are members of the rollout themselves. Creating a rollout, changing its name, identifier or client limit, and
/// adding and removing a member are audit events.
/// </summary>
public sealed partial class RolloutSettings(RolloutDbContext db, TimeProvider clock, AuditLog audit)
{
    public const int IdentifierLength = 32;

    public async Task<Result<Rollout>> CreateAsync(ClaimsPrincipal actor, RolloutForm form, CancellationToken cancellationToken)
    {
        var errors = new ProblemList();
        if (!actor.IsAdministrator())
        {
            return Problem.Forbidden("Only administrators create rollouts.");
        }

        await CheckAsync(form, 0, errors, cancellationToken);
        if (errors.Failed)
        {
            return errors.Problem;
        }

        var rollout = new Rollout
        {
            Name = form.Name, Identifier = form.Identifier, ClientLimit = form.ClientLimit, CreatedAt = clock.GetUtcNow(),
        };
        db.Rollouts.Add(rollout);
        await db.SaveChangesAsync(cancellationToken);
        audit.RolloutCreated(actor.UserId(), rollout.Id, rollout.Identifier, rollout.Name, rollout.ClientLimit);
        return rollout;
    }

    public async Task<Result> UpdateAsync(ClaimsPrincipal actor, Rollout rollout, RolloutForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var errors = new ProblemList();
        if (!actor.IsAdministrator())
        {
            errors.Forbidden("Only administrators edit rollouts.");
            return errors.ToResult();
        }

        await CheckAsync(form, rollout.Id, errors, cancellationToken);
        // A limit is compared with the rollout's clients under the rollout's write lock, which an import holds from its
        // first write to its commit: the count then includes every import that committed, and an import that commits
        // later checks its new clients against this limit (ClientWriter). Without it, a limit saved while an import
        // commits could be lower than the clients the rollout then holds.
        await using var transaction = form.ClientLimit is null || errors.Failed
            ? null
            : await db.Database.BeginTransactionAsync(cancellationToken);
        if (transaction is not null)
        {
            await RolloutWriteLock.AcquireAsync(db, rollout.Id, cancellationToken);
        }

        if (form.ClientLimit is int limit && !errors.Failed)
        {
            // The counts kept with the inventories (Inventory.ClientCount): no need to count a million clients.
            var count = await db.Inventories.Where(i => i.RolloutId == rollout.Id).SumAsync(i => i.ClientCount, cancellationToken);
            if (count > limit)
            {
                errors.Invalid(nameof(RolloutForm.ClientLimit),
                    $"The rollout already holds {SettingReach.Count(count, "client", "clients")}: the client limit cannot be lower.");
            }
        }

        if (errors.Failed)
        {
            return errors.ToResult();
        }

        var changes = new AuditChanges().Text("name", rollout.Name, form.Name).Text("identifier", rollout.Identifier, form.Identifier)
            .Number("client limit", rollout.ClientLimit, form.ClientLimit);
        rollout.Name = form.Name;
        rollout.Identifier = form.Identifier;
        rollout.ClientLimit = form.ClientLimit;
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        if (changes.Any)
        {
            audit.RolloutChanged(actor.UserId(), rollout.Id, rollout.Identifier, changes.ToString());
        }

        return errors.ToResult();
    }

    /// <summary>
    /// Adds the user <paramref name="userId"/>, or the one whose email or user ID is <paramref name="member"/> (the
    /// page's field when the candidates are too many to list), to the rollout.
    /// </summary>
    public async Task<Result> AddMemberAsync(ClaimsPrincipal actor, Rollout rollout, int? userId, string? member,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var errors = new ProblemList();
        // A rollout manager adds only users they already manage: anyone else is as unknown to them as a user that does not
        // exist (adding a stranger would make them the manager's to edit and to send a reset link to).
        var manageable = db.Manageable(actor);
        var user = userId is int id
            ? await manageable.SingleOrDefaultAsync(u => u.Id == id, cancellationToken)
            : UserSearch.Clean(member) is null ? null : await manageable.Named(member).FirstOrDefaultAsync(cancellationToken);
        if (user is null && userId is null && UserSearch.Clean(member) is { } typed)
        {
            errors.Invalid("Member", $"No user you may add has the email or user ID \"{typed}\".");
        }
        else if (user is null)
        {
            errors.Invalid("UserId", "Choose a user to add.");
        }
        else if (!user.IsActive)
        {
            errors.Invalid("UserId", $"{user.DisplayName} is deactivated: reactivate the user first.");
        }
        else if (!await db.RolloutMembers.AnyAsync(m => m.RolloutId == rollout.Id && m.UserId == user.Id, cancellationToken))
        {
            db.RolloutMembers.Add(new RolloutMember { RolloutId = rollout.Id, UserId = user.Id });
            await db.SaveChangesAsync(cancellationToken);
            audit.RolloutMemberAdded(actor.UserId(), rollout.Id, rollout.Identifier, user.Id, user.DisplayName);
        }

        return errors.ToResult();
    }

    public async Task<Result> RemoveMemberAsync(ClaimsPrincipal actor, Rollout rollout, int userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var errors = new ProblemList();
        var member = await db.RolloutMembers.Include(m => m.User)
            .SingleOrDefaultAsync(m => m.RolloutId == rollout.Id && m.UserId == userId, cancellationToken);
        if (member is null)
        {
            return errors.ToResult();
        }

        if (member.User.Role == Role.Administrator && !actor.IsAdministrator())
        {
            errors.Forbidden("Only administrators change an administrator's rollouts.");
        }
        else if (userId == actor.UserId() && !actor.IsAdministrator())
        {
            errors.Invalid("", "You cannot remove yourself from the rollout: ask an administrator.");
        }
        else
        {
            db.RolloutMembers.Remove(member);
            await db.SaveChangesAsync(cancellationToken);
            audit.RolloutMemberRemoved(actor.UserId(), rollout.Id, rollout.Identifier, userId, member.User.DisplayName);
        }

        return errors.ToResult();
    }

    private async Task CheckAsync(RolloutForm form, int id, ProblemList errors, CancellationToken cancellationToken)
    {
        form.Name = SettingsNames.Clean(form.Name) ?? "";
        form.Identifier = form.Identifier?.Trim() ?? "";
        if (form.Name.Length == 0)
        {
            errors.Invalid(nameof(RolloutForm.Name), "Enter the rollout's name.");
        }
        else if (form.Name.Length > 200)
        {
            errors.Invalid(nameof(RolloutForm.Name), "The name can have at most 200 characters.");
        }
        else if (SettingsNames.LineBreakOrControl(form.Name, "A rollout's name") is { } broken)
        {
            errors.Invalid(nameof(RolloutForm.Name), broken);
        }

        if (!IdentifierPattern().IsMatch(form.Identifier))
        {
            errors.Invalid(nameof(RolloutForm.Identifier),
                $"The identifier is 1 to {IdentifierLength} letters (A–Z), digits, '-' or '_', starting with a letter or digit, e.g. W11.");
        }
        else
        {
            // Addresses compare the identifier exactly; identifiers differing only by case are still refused.
            if (await db.Rollouts.Where(r => r.Id != id).AnyAsync(IgnoringCase.Equal<Rollout>(r => r.Identifier, form.Identifier), cancellationToken))
            {
                errors.Conflict(nameof(RolloutForm.Identifier), $"Another rollout already has the identifier \"{form.Identifier}\".");
            }
        }

        if (form.ClientLimit < 0)
        {
            errors.Invalid(nameof(RolloutForm.ClientLimit), "The client limit is a whole number, 0 or more (empty: no limit).");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex IdentifierPattern();
}
