using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Identity's user manager with its lockout read on the application's clock (<see cref="TimeProvider"/>), as the rest
/// of the app is, instead of <see cref="DateTimeOffset.UtcNow"/>: the lockout window can then be shown to end in a test.
/// The rule is Identity's own: <see cref="IdentityOptions.Lockout"/> failures in a row lock the account for its window,
/// and the count starts again. A save that gives the user a new security stamp (a new password, a reset or invitation
/// link, a deactivation) also deletes the user's sign-in sessions (<see cref="UserSessions"/>): the stamp already
/// refuses their cookies, and the rows go at once instead of at the purge.
/// </summary>
public sealed class RolloutUserManager(
    IUserStore<User> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<User> passwordHasher,
    IEnumerable<IUserValidator<User>> userValidators,
    IEnumerable<IPasswordValidator<User>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<User>> logger,
    TimeProvider clock,
    RolloutDbContext db)
    : UserManager<User>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors,
        services, logger)
{
    public override Task<bool> IsLockedOutAsync(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Task.FromResult(user.LockoutEnabled && user.LockoutEnd >= clock.GetUtcNow());
    }

    public override Task<IdentityResult> AccessFailedAsync(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.AccessFailedCount++;
        if (user.AccessFailedCount >= Options.Lockout.MaxFailedAccessAttempts)
        {
            user.LockoutEnd = clock.GetUtcNow() + Options.Lockout.DefaultLockoutTimeSpan;
            user.AccessFailedCount = 0;
        }

        return UpdateUserAsync(user);
    }

    protected override async Task<IdentityResult> UpdateUserAsync(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        // Identity's store saves a user it tracks; one it does not (read without tracking) is compared with its row.
        var entry = db.Entry(user);
        var stampChanged = entry.State == EntityState.Detached
            ? !string.Equals(user.SecurityStamp, await db.Users.Where(u => u.Id == user.Id).Select(u => u.SecurityStamp)
                .SingleOrDefaultAsync(CancellationToken), StringComparison.Ordinal)
            : entry.Property(u => u.SecurityStamp).IsModified;
        var result = await base.UpdateUserAsync(user);
        if (result.Succeeded && stampChanged)
        {
            await UserSessions.EndAllAsync(db, user.Id, CancellationToken);
        }

        return result;
    }
}
