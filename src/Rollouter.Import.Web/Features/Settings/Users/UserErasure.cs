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
public sealed record ErasedUser(bool AlreadyErased, int HistoryEntries, int FailedCells, int Corrections,
    int EarlierEmails = 0, int FailureMessages = 0)
{
    /// <summary>What the page confirms and the API answers in <c>notice</c>.</summary>
    public string Notice(int userId) => AlreadyErased
        ? $"{UserErasure.Name(userId)} was already erased: nothing was changed."
        : $"The user was erased and is now {UserErasure.Name(userId)} ({UserErasure.Email(userId)}): deactivated, signed out " +
          $"everywhere, out of every rollout, with no password. {ImportNumbers.Count(HistoryEntries, "client history entry", "client history entries")} " +
          $"now name them as {UserErasure.Email(userId)}; {ImportNumbers.Count(FailedCells, "failed cell", "failed cells")} " +
          $"and {ImportNumbers.Count(Corrections, "correction", "corrections")} that held their email or name were cleared. " +
          (EarlierEmails > 0 ? $"The history entries include those naming {ImportNumbers.Count(EarlierEmails, "earlier email address", "earlier email addresses")} of theirs. " : "") +
          (FailureMessages > 0 ? $"Their quoted email or name became \"…\" in {ImportNumbers.Count(FailureMessages, "run failure message", "run failure messages")}. " : "") +
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
        // The addresses the user had before an email change (decision 0085) that the history names them by (decision 0149).
        var earlier = await EarlierEmailsAsync(user.Id, email, cancellationToken);
        var rewrittenIds = new HashSet<long>();
        foreach (var address in earlier.Prepend(email))
        {
            await RewriteHistoryAsync(user.Id, address, newEmail, rewrittenIds, cancellationToken);
        }

        var history = rewrittenIds.Count;
        var (failedCells, corrections) = await ClearImportValuesAsync(email, name, cancellationToken);
        foreach (var address in earlier)
        {
            var (cells, notes) = await ClearImportValuesAsync(address, address, cancellationToken);
            failedCells += cells;
            corrections += notes;
        }

        var failureMessages = await ClearFailureMessagesAsync([.. earlier.Prepend(email), name], cancellationToken);
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
        return new ErasedUser(false, history, failedCells, corrections, earlier.Count, failureMessages);
    }

    /// <summary>
    /// The email addresses the user had before their current one that the history names them by (decision 0149): the
    /// app keeps no list of a user's earlier addresses (an email change is an audit event in the log, which expires), but
    /// an import's change of an Assignee or Client User keeps the old user's id beside the address it had then
    /// (<see cref="FieldChange.OldId"/>): every such label of this user that is not their current address is an earlier
    /// one. An address another user holds now is left out (the history's entries naming it may name them).
    /// </summary>
    private async Task<List<string>> EarlierEmailsAsync(int userId, string email, CancellationToken cancellationToken)
    {
        var pattern = "%" + EscapeLike(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"oldId\":{userId}")) + "%";
        var provider = DatabaseProviders.FromProviderName(db.Database.ProviderName);
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long after = 0;
        while (true)
        {
            var ids = await CandidatesAsync(provider, after, pattern, cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }

            after = ids[^1];
            var changes = await db.ClientHistory.AsNoTracking().Where(h => ids.Contains(h.Id)).Select(h => h.Changes)
                .ToListAsync(cancellationToken);
            found.UnionWith(changes.SelectMany(c => c)
                .Where(c => c.OldId == userId && c.Setting is null && c.Field is ClientHistoryFields.Assignee or ClientHistoryFields.ClientUser)
                .Select(c => c.Old?.Trim()).OfType<string>().Where(old => old.Length > 0 && old.Contains('@', StringComparison.Ordinal)));
        }

        found.Remove(email);
        if (found.Count == 0)
        {
            return [];
        }

        var normalized = found.Select(f => users.NormalizeEmail(f)).ToList();
        var heldByOthers = (await db.Users.Where(u => u.Id != userId && u.NormalizedEmail != null && normalized.Contains(u.NormalizedEmail))
            .Select(u => u.NormalizedEmail).ToListAsync(cancellationToken)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return [.. found.Where(f => !heldByOthers.Contains(users.NormalizeEmail(f) ?? "")).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The failure messages of the imports' latest runs and of their earlier runs (<see cref="ImportRun"/>, decision 0083)
    /// that quote one of <paramref name="texts"/> (the user's addresses and name) whole, as a failed row's reason quotes
    /// its cell: the quote becomes "…" (<see cref="ImportFileStore.DeletedValue"/>), as the failed rows' reasons' do. Found
    /// with a case-insensitive search of the text; how many messages changed.
    /// </summary>
    private async Task<int> ClearFailureMessagesAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        // A message quoting both the email and the name counts once.
        var changed = new HashSet<(bool Run, long Id)>();
        foreach (var text in texts.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var quoted = "\"" + text + "\"";
            var upper = quoted.ToUpperInvariant();
            var pattern = new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(quoted),
                System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant,
                TimeSpan.FromSeconds(1));
            foreach (var import in await db.Imports.Where(i => i.FailureMessage != null && i.FailureMessage.ToUpper().Contains(upper))
                         .ToListAsync(cancellationToken))
            {
                var message = pattern.Replace(import.FailureMessage ?? "", ImportFileStore.DeletedValue);
                if (message != import.FailureMessage)
                {
                    import.FailureMessage = message;
                    import.ConcurrencyStamp = Guid.NewGuid();
                    changed.Add((false, import.Id));
                }
            }

            foreach (var run in await db.ImportRuns.Where(r => r.FailureMessage != null && r.FailureMessage.ToUpper().Contains(upper))
                         .ToListAsync(cancellationToken))
            {
                var message = pattern.Replace(run.FailureMessage ?? "", ImportFileStore.DeletedValue);
                if (message != run.FailureMessage)
                {
                    run.FailureMessage = message;
                    changed.Add((true, run.Id));
                }
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return changed.Count;
    }

    /// <summary>
    /// Rewrites the history entries naming <paramref name="email"/>, <see cref="HistoryBatch"/> at a time by their ids. The
    /// candidates are found with a LIKE on the stored JSON text for the email as a JSON string (quoted and escaped as
    /// <see cref="Data.Configurations.JsonColumns"/> writes it, the LIKE's own wildcards escaped); each is then read and
    /// only the Assignee and Client User values equal to the email are changed: a text field that happens to hold it is
    /// left as it is (a revert puts texts back from these labels).
    /// </summary>
    private async Task RewriteHistoryAsync(int userId, string email, string newEmail, HashSet<long> rewrittenIds,
        CancellationToken cancellationToken)
    {
        if (email.Length == 0)
        {
            return;
        }

        var pattern = "%" + EscapeLike(StoredJson.String(email)) + "%";
        var provider = DatabaseProviders.FromProviderName(db.Database.ProviderName);
        long after = 0;
        while (true)
        {
            var ids = await CandidatesAsync(provider, after, pattern, cancellationToken);
            if (ids.Count == 0)
            {
                return;
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
                    rewrittenIds.Add(entry.Id);
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
        // An Old kept with another user's id names that user, whatever address it shows (an address given to another since).
        var old = (Same(change.Old) && (change.OldId is null || change.OldId == userId)) || (change.OldId == userId && change.Old is not null)
            ? newEmail : change.Old;
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
