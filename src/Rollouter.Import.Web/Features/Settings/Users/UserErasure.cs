using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Users;

/// <summary>
/// What an erasure did: <paramref name="AlreadyErased"/> when the user had been erased before (nothing changed), else how
/// many history entries were rewritten and how many failed cells and corrections named the person.
/// </summary>
public sealed record ErasedUser(bool AlreadyErased, int HistoryEntries, int FailedCells, int Corrections)
{
    /// <summary>What the page confirms and the API answers in <c>notice</c>.</summary>
    public string Notice(int userId) => AlreadyErased
        ? $"{UserErasure.Name(userId)} was already erased: nothing was changed."
        : $"The user was erased and is now {UserErasure.Name(userId)} ({UserErasure.Email(userId)}): deactivated, signed out " +
          $"everywhere, out of every rollout, with no password. {ImportNumbers.Count(HistoryEntries, "client history entry", "client history entries")} " +
          $"now name them as {UserErasure.Email(userId)}; {ImportNumbers.Count(FailedCells, "failed cell", "failed cells")} " +
          $"and {ImportNumbers.Count(Corrections, "correction", "corrections")} that held their email or name were cleared. " +
          "Their clients keep them as assignee or client user, under the new name. Texts typed into other fields (a note " +
          "naming them) are not changed.";
}

/// <summary>
/// An administrator's Erase of a user (decision 0144, the design of 0137): the account is kept (clients, history and
/// imports refer to it by id, decision 0006) but renamed to "Erased user N", <c>erased-N@invalid</c>, <c>ERASED-N</c>
/// (N the user's id), without a password, with a new security stamp (sessions and tokens end), deactivated and out of
/// every rollout; every client history entry that names the user's email as an Assignee or Client User value (Old, New,
/// OldValues, and the Old of an import's change that names them by id) names the new email instead; failed rows' values
/// equal to the email or the name are cleared (and their reasons' quotes of them made "…"); the corrections and value
/// replacements holding them are deleted (a correction whose original cell held them loses that original). All in one
/// transaction: a failure changes nothing, and the Erase is simply made again. A <c>UserErased</c> audit event names the
/// ids only.
/// </summary>
public sealed class UserErasure(RolloutDbContext db, UserManager<User> users, AuditLog audit)
{
    /// <summary>How many matching history entries are read, rewritten and saved at a time (memory stays bounded).</summary>
    public const int HistoryBatch = 1_000;

    public static string Name(int userId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Erased user {userId}");

    public static string Email(int userId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"erased-{userId}@invalid");

    public static string Code(int userId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ERASED-{userId}");

    /// <summary>Whether the user was erased (their email is the one an erasure gives).</summary>
    public static bool IsErased(User user) =>
        string.Equals(user?.Email, Email(user?.Id ?? 0), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Erases <paramref name="user"/> (found by the caller among those <paramref name="actor"/> manages) once
    /// <paramref name="confirmEmail"/> repeats their email. Refused for anyone but an administrator, for oneself and for
    /// the last active administrator.
    /// </summary>
    public async Task<Result<ErasedUser>> EraseAsync(ClaimsPrincipal actor, User user, string? confirmEmail,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(user);
        if (!actor.IsAdministrator())
        {
            return Problem.Forbidden("Only administrators erase users.");
        }

        if (user.Id == actor.UserId())
        {
            return Problem.Invalid("You cannot erase yourself: another administrator can.");
        }

        if (IsErased(user))
        {
            return new ErasedUser(true, 0, 0, 0);
        }

        if (user.Role == Role.Administrator && user.IsActive
            && !await db.Users.AnyAsync(u => u.Id != user.Id && u.IsActive && u.Role == Role.Administrator, cancellationToken))
        {
            return Problem.Invalid($"{user.DisplayName} is the last active administrator: make someone else an administrator first.");
        }

        var email = user.Email ?? "";
        var typed = confirmEmail?.Trim() ?? "";
        if (typed.Length == 0)
        {
            return Problem.Invalid(
                $"Type {user.DisplayName}'s email address, {email}, to confirm: an erasure cannot be undone.", "ConfirmEmail");
        }

        if (!string.Equals(users.NormalizeEmail(typed), users.NormalizeEmail(email), StringComparison.Ordinal))
        {
            return Problem.Invalid(
                $"\"{typed}\" is not {user.DisplayName}'s email address: type {email} to confirm the erasure. Nothing was erased.",
                "ConfirmEmail");
        }

        var newEmail = Email(user.Id);
        var newCode = Code(user.Id);
        var normalized = users.NormalizeEmail(newEmail);
        if (await db.Users.AnyAsync(u => u.Id != user.Id && (u.NormalizedEmail == normalized || u.UserCode.ToUpper() == newCode),
                cancellationToken))
        {
            return Problem.Conflict(
                $"Another user has the email address {newEmail} or the user ID {newCode} an erasure of {user.DisplayName} gives: " +
                "change theirs first.");
        }

        var name = user.DisplayName;
        var newName = Name(user.Id);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var history = await RewriteHistoryAsync(user.Id, email, newEmail, cancellationToken);
        var (failedCells, corrections) = await ClearImportValuesAsync(email, name, cancellationToken);
        await db.RolloutMembers.Where(m => m.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        user.DisplayName = newName;
        user.Email = newEmail;
        user.UserName = newEmail;
        user.UserCode = newCode;
        user.PasswordHash = null;
        user.IsActive = false;
        user.IsKeyAccountManager = false;
        user.LockoutEnd = null;
        user.AccessFailedCount = 0;
        // Saves the user with a new stamp: their cookies, tokens and links are refused, their sessions deleted.
        var saved = await users.UpdateSecurityStampAsync(user);
        if (!saved.Succeeded)
        {
            return Problem.Invalid($"{name} was not erased: {string.Join(" ", saved.Errors.Select(e => e.Description))}");
        }

        await transaction.CommitAsync(cancellationToken);
        audit.UserErased(actor.UserId(), user.Id, history, failedCells, corrections);
        return new ErasedUser(false, history, failedCells, corrections);
    }

    /// <summary>
    /// Rewrites the history entries naming <paramref name="email"/>, <see cref="HistoryBatch"/> at a time by their ids. The
    /// candidates are found with a LIKE on the stored JSON text for the email as a JSON string (quoted and escaped as
    /// <see cref="Data.Configurations.JsonColumns"/> writes it, the LIKE's own wildcards escaped); each is then read and
    /// only the Assignee and Client User values equal to the email are changed: a text field that happens to hold it is
    /// left as it is (a revert puts texts back from these labels).
    /// </summary>
    private async Task<int> RewriteHistoryAsync(int userId, string email, string newEmail, CancellationToken cancellationToken)
    {
        if (email.Length == 0)
        {
            return 0;
        }

        var pattern = "%" + EscapeLike(StoredJson.String(email)) + "%";
        var provider = DatabaseProviders.FromProviderName(db.Database.ProviderName);
        var rewritten = 0;
        long after = 0;
        while (true)
        {
            var ids = await CandidatesAsync(provider, after, pattern, cancellationToken);
            if (ids.Count == 0)
            {
                return rewritten;
            }

            after = ids[^1];
            var entries = await db.ClientHistory.Where(h => ids.Contains(h.Id)).ToListAsync(cancellationToken);
            foreach (var entry in entries)
            {
                var changed = false;
                var changes = entry.Changes.Select(c => Rewrite(c, userId, email, newEmail, ref changed)).ToList();
                var notes = entry.Corrections?.Select(n => Rewrite(n, email, newEmail, ref changed)).ToList();
                if (changed)
                {
                    entry.Changes = changes;
                    entry.Corrections = notes;
                    rewritten++;
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            foreach (var entry in entries)
            {
                db.Entry(entry).State = EntityState.Detached;
            }
        }
    }

    /// <summary>The ids of the next history entries after <paramref name="after"/> whose text matches the pattern.</summary>
    private Task<List<long>> CandidatesAsync(DatabaseProvider provider, long after, string pattern,
        CancellationToken cancellationToken) => provider switch
    {
        // Parameters throughout (FormattableString); '\' is the LIKE's escape character on each.
        DatabaseProvider.SqlServer => db.Database.SqlQuery<long>(
            $"SELECT TOP ({HistoryBatch}) [Id] AS [Value] FROM [ClientHistory] WHERE [Id] > {after} AND ([Changes] LIKE {pattern} ESCAPE '\\' OR [Corrections] LIKE {pattern} ESCAPE '\\') ORDER BY [Id]")
            .ToListAsync(cancellationToken),
        _ => db.Database.SqlQuery<long>(
            $"SELECT \"Id\" AS \"Value\" FROM \"ClientHistory\" WHERE \"Id\" > {after} AND (\"Changes\" LIKE {pattern} ESCAPE '\\' OR \"Corrections\" LIKE {pattern} ESCAPE '\\') ORDER BY \"Id\" LIMIT {HistoryBatch}")
            .ToListAsync(cancellationToken),
    };

    /// <summary>
    /// <paramref name="text"/> as a LIKE pattern's literal: '\' escapes itself, '%', '_' and '[' (a character class on
    /// SQL Server; escaped there and harmless on SQLite and PostgreSQL).
    /// </summary>
    public static string EscapeLike(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '%' or '_' or '[')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static FieldChange Rewrite(FieldChange change, int userId, string email, string newEmail, ref bool changed)
    {
        if (change.Field is not (ClientHistoryFields.Assignee or ClientHistoryFields.ClientUser) || change.Setting is not null)
        {
            return change;
        }

        bool Same(string? label) => string.Equals(label, email, StringComparison.OrdinalIgnoreCase);
        var old = Same(change.Old) || (change.OldId == userId && change.Old is not null) ? newEmail : change.Old;
        var @new = Same(change.New) ? newEmail : change.New;
        var oldValues = change.OldValues is { } values && values.Any(Same)
            ? values.Select(v => Same(v) ? newEmail : v).ToList()
            : change.OldValues;
        if (old == change.Old && @new == change.New && ReferenceEquals(oldValues, change.OldValues))
        {
            return change;
        }

        changed = true;
        return change with { Old = old, New = @new, OldValues = oldValues };
    }

    private static CorrectionNote Rewrite(CorrectionNote note, string email, string newEmail, ref bool changed)
    {
        bool Same(string? value) => string.Equals(value?.Trim(), email, StringComparison.OrdinalIgnoreCase);
        if (!Same(note.Original) && !Same(note.Value))
        {
            return note;
        }

        changed = true;
        return note with { Original = Same(note.Original) ? newEmail : note.Original, Value = Same(note.Value) ? newEmail : note.Value };
    }

    /// <summary>
    /// Failed rows' values equal to the email or the name (spaces around and letter case ignored) cleared, with their
    /// reasons' quotes; corrections and replacements holding them deleted, a correction's original cell holding them
    /// forgotten. The imports touched get a new concurrency stamp, so a page opened before is read again.
    /// </summary>
    private async Task<(int FailedCells, int Corrections)> ClearImportValuesAsync(string email, string name,
        CancellationToken cancellationToken)
    {
        var e = email.Trim().ToUpperInvariant();
        var n = name.Trim().ToUpperInvariant();
        var errors = db.ImportRowErrors.Where(r => r.Value != null && (r.Value.Trim().ToUpper() == e || r.Value.Trim().ToUpper() == n));
        var cells = db.ImportCellCorrections.Where(c => c.Value.Trim().ToUpper() == e || c.Value.Trim().ToUpper() == n);
        var originals = db.ImportCellCorrections.Where(c => c.Original != null
            && (c.Original.Trim().ToUpper() == e || c.Original.Trim().ToUpper() == n));
        var replacements = db.ImportValueReplacements.Where(r => r.From.ToUpper() == e || r.From.ToUpper() == n
            || r.To.Trim().ToUpper() == e || r.To.Trim().ToUpper() == n);
        var imports = await errors.Select(r => r.ImportId).Union(cells.Select(c => c.ImportId)).Union(originals.Select(c => c.ImportId))
            .Union(replacements.Select(r => r.ImportId)).Distinct().ToListAsync(cancellationToken);
        if (imports.Count == 0)
        {
            return (0, 0);
        }

        var failedCells = await ImportFileStore.ClearValuesAsync(errors, cancellationToken);
        var corrections = await cells.ExecuteDeleteAsync(cancellationToken);
        corrections += await originals.ExecuteUpdateAsync(s => s.SetProperty(c => c.Original, (string?)null), cancellationToken);
        corrections += await replacements.ExecuteDeleteAsync(cancellationToken);
        await db.Imports.Where(i => imports.Contains(i.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
        return (failedCells, corrections);
    }
}
