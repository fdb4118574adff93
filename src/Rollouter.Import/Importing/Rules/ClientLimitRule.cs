using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;

namespace Rollouter.Import.Importing.Rules;

/// <summary>The import as a whole: the rollout's clients and the file's new ones must fit the rollout's client limit.</summary>
internal sealed class ClientLimitRule(int? limit, int existingClients, string rolloutName = "")
{
    /// <summary>
    /// Whether <paramref name="newClients"/> already go past the limit. New clients only ever add up, so once true the
    /// import fails whatever the rows left hold: the writer stops there instead of writing rows it will roll back.
    /// </summary>
    public bool IsExceeded(int newClients) => limit is { } max && existingClients + newClients > max;

    public void Check(int newClients, List<string> importErrors)
    {
        if (limit is { } max && IsExceeded(newClients))
        {
            importErrors.Add(Message(max, existingClients, newClients, rolloutName));
        }
    }

    /// <summary>
    /// The limit checked again by the writer under the rollout's write lock, just before it commits
    /// <paramref name="newClients"/>: the check counted the rollout's clients when it started, and another import into
    /// the rollout may have committed since (or an administrator lowered the limit). Reads the rollout's kept counts
    /// (decision 0031) and its limit as they are now; the check's message when exceeded, otherwise null.
    /// </summary>
    public static async Task<string?> RecheckAsync(RolloutDbContext db, int rolloutId, int newClients,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (newClients <= 0)
        {
            return null;
        }

        var rollout = await db.Rollouts.AsNoTracking().Where(r => r.Id == rolloutId)
            .Select(r => new { r.ClientLimit, r.Name, Clients = r.Inventories.Sum(i => i.ClientCount) })
            .SingleAsync(cancellationToken);
        return rollout.ClientLimit is { } max && rollout.Clients + newClients > max
            ? Message(max, rollout.Clients, newClients, rollout.Name)
            : null;
    }

    private static string Message(int max, int existingClients, int newClients, string rolloutName) =>
        string.Create(CultureInfo.InvariantCulture,
            $"The import would exceed the client limit ({existingClients + newClients:N0} of {max:N0}): the rollout holds {Clients(existingClients)} and the file would create {newClients:N0}. The limit of {Clients(max)} is set on rollout \"{rolloutName}\"; an administrator can raise it under Settings → Rollouts → {rolloutName}.");

    /// <summary>"1 client", "25,000 clients".</summary>
    private static string Clients(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? "client" : "clients")}");
}
