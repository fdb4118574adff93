using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data;

/// <summary>
/// The name keys stored before names were compared as seen (decision 0041, 2026-12-05), rewritten once by the upgrade.
/// A key was then the name in lower case as stored: "Müller-PC" typed on a Mac (<c>u</c> + U+0308), or a name holding a
/// zero-width or no-break space, kept a key that a search, which looks for the text as seen in the name key
/// (<see cref="NameSearch.Clean"/>, decision 0030), never holds; the unique index let a new client of the same name as
/// seen in beside it. <see cref="RewriteAsync"/> gives each such client the key <see cref="Client.KeyOf(string)"/>
/// gives its name now. Its name keeps its spelling.
/// </summary>
public static class NameKeysAsSeen
{
    /// <summary>
    /// The migration that records the rewrite as done (its name; each provider's id adds its time). It changes no
    /// table: the start that finds it pending migrates up to the one before it, rewrites, then applies it and the rest,
    /// so a start stopped during the rewrite does it again, and every later start skips it.
    /// </summary>
    public const string Migration = "NameKeysAsSeen";

    /// <summary>Clients read at a time, by id: the rewrite holds one batch, whatever the number of clients.</summary>
    internal const int Batch = 5_000;

    /// <summary>The clients kept on their old key that the result names (all are counted).</summary>
    public const int ConflictsListed = 100;

    /// <summary>
    /// Reads every client, <see cref="Batch"/> at a time in the order of their ids, and gives those whose stored key is
    /// not <see cref="Client.KeyOf(string)"/> of their name that key, one statement each, one transaction a batch
    /// (nearly every name is plain text, whose key is the same either way). A client whose name is the same as seen as another client's of its
    /// rollout (both stored before, which the unique index allowed then) keeps its key: the index refuses two, and
    /// which one is meant is for a person to say. Reads and writes only the clients' id, rollout, name and name key,
    /// which every migration since <c>Initial</c> has. Running it again changes nothing.
    /// </summary>
    public static async Task<NameKeyRewrite> RewriteAsync(RolloutDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var (read, rewritten, kept) = (0, 0, 0);
        var conflicts = new List<NameKeyConflict>();
        var after = 0;
        while (true)
        {
            var batch = await db.Clients.AsNoTracking().Where(c => c.Id > after).OrderBy(c => c.Id)
                .Select(c => new { c.Id, c.RolloutId, c.Name, c.NameKey }).Take(Batch).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            read += batch.Count;
            after = batch[^1].Id;
            var changed = batch.Select(c => (c.Id, c.RolloutId, c.Name, Key: Client.KeyOf(c.Name), c.NameKey))
                .Where(c => !string.Equals(c.Key, c.NameKey, StringComparison.Ordinal)).ToList();
            if (changed.Count == 0)
            {
                continue;
            }

            // One transaction a batch: on SQLite a statement of its own is a commit, and a commit a write to the disk.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var client in changed)
            {
                var key = client.Key;
                var holder = await db.Clients.AsNoTracking()
                    .Where(c => c.RolloutId == client.RolloutId && c.NameKey == key && c.Id != client.Id)
                    .Select(c => new { c.Id, c.Name }).FirstOrDefaultAsync(cancellationToken);
                if (holder is not null)
                {
                    kept++;
                    if (conflicts.Count < ConflictsListed)
                    {
                        conflicts.Add(new NameKeyConflict(client.Id, client.Name, client.RolloutId, holder.Id, holder.Name));
                    }

                    continue;
                }

                await db.Clients.Where(c => c.Id == client.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.NameKey, key), cancellationToken);
                rewritten++;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return new NameKeyRewrite(read, rewritten, kept, conflicts);
    }
}

/// <summary>What <see cref="NameKeysAsSeen.RewriteAsync"/> did: clients read, keys rewritten, keys kept (and the first of those).</summary>
public sealed record NameKeyRewrite(int Clients, int Rewritten, int Kept, IReadOnlyList<NameKeyConflict> Conflicts);

/// <summary>A client kept on its old key, since its name is the same as seen as that of another client of its rollout.</summary>
public sealed record NameKeyConflict(int ClientId, string Name, int RolloutId, int OtherClientId, string OtherName);
