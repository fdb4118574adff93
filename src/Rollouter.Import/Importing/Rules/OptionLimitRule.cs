using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// The options an import creates, counted again by the writer under each field's row lock just before they are
/// inserted: the check counted the field's options when it started, and another import or a rollout manager may have
/// added some since (decision 0100). Together they never pass <see cref="CustomField.MaxOptions"/>.
/// </summary>
internal static class OptionLimitRule
{
    /// <summary>
    /// Locks the row of every field <paramref name="options"/> go to (by id, so two writers never wait for each other
    /// the other way round) and counts its options as they are now: the message naming the first field they no longer
    /// fit, otherwise null. The options a field already has by name are not counted twice (the insert skips them).
    /// </summary>
    public static async Task<string?> RecheckAsync(RolloutDbContext db, IReadOnlyList<NewOption> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        foreach (var group in options.GroupBy(o => o.CustomFieldId).OrderBy(g => g.Key))
        {
            var fieldId = group.Key;
            if (!await CustomFieldRowLock.ForNewOptionsAsync(db, fieldId, cancellationToken))
            {
                // Deleted meanwhile: the writer's check of the inventory's fields tells that to the user.
                continue;
            }

            var names = group.Select(o => o.Name).Distinct(StringComparer.Ordinal).ToList();
            var existing = await db.CustomFieldOptions.CountAsync(o => o.CustomFieldId == fieldId, cancellationToken);
            var present = await db.CustomFieldOptions.CountAsync(o => o.CustomFieldId == fieldId && names.Contains(o.Name), cancellationToken);
            var added = names.Count - present;
            if (added > 0 && existing + added > CustomField.MaxOptions)
            {
                var name = await db.CustomFields.Where(f => f.Id == fieldId).Select(f => f.Name).SingleAsync(cancellationToken);
                return Message(name, existing, added);
            }
        }

        return null;
    }

    private static string Message(string field, int existing, int added) =>
        string.Create(CultureInfo.InvariantCulture,
            $"The import would create {added:N0} new {(added == 1 ? "option" : "options")} of field \"{field}\", which can have at most {CustomField.MaxOptions:N0} options: it has {existing:N0} now, as options were added to it while this import ran. Nothing was written. Use its options, or remove options no client uses first, then approve the import again.");
}
