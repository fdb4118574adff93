namespace Rollouter.Import.Data.Entities;

/// <summary>
/// A client that kept the name key stored before names were compared as seen, since another client of its rollout
/// holds the key of its name as seen (decision 0059): tried again at every start and after clients are removed, until
/// it gets that key or is gone (<see cref="NameKeysAsSeen.RetryKeptAsync"/>, decision 0064). The row
/// <see cref="NameKeysAsSeen.NotYetFound"/> says that the clients kept are still to be found: the migration that made
/// the table puts it there, and the next start's pass over the clients replaces it with them.
/// </summary>
public class NameKeyKept
{
    public int ClientId { get; set; }
}
