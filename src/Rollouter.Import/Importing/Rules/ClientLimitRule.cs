using System.Globalization;

namespace Rollouter.Import.Importing.Rules;

/// <summary>The import as a whole: the rollout's clients and the file's new ones must fit the rollout's client limit.</summary>
internal sealed class ClientLimitRule(int? limit, int existingClients, string rolloutName = "")
{
    public void Check(int newClients, List<string> importErrors)
    {
        if (limit is { } max && existingClients + newClients > max)
        {
            importErrors.Add(string.Create(CultureInfo.InvariantCulture,
                $"The import would exceed the client limit ({existingClients + newClients:N0} of {max:N0}): the rollout holds {existingClients:N0} clients and the file would create {newClients:N0}. The limit of {max:N0} clients is set on rollout \"{rolloutName}\"; an administrator can raise it under Settings → Rollouts → {rolloutName}."));
        }
    }
}
