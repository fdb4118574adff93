using System.Globalization;

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
            importErrors.Add(string.Create(CultureInfo.InvariantCulture,
                $"The import would exceed the client limit ({existingClients + newClients:N0} of {max:N0}): the rollout holds {existingClients:N0} clients and the file would create {newClients:N0}. The limit of {max:N0} clients is set on rollout \"{rolloutName}\"; an administrator can raise it under Settings → Rollouts → {rolloutName}."));
        }
    }
}
