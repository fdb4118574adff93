using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
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
    /// The row of <see cref="RolloutDbContext.NameKeysKept"/> that says the clients kept are still to be found: no
    /// client has id 0. The migration that made the table puts it there (a database the rewrite had run on before
    /// the table was kept), and the start that finds it passes over the clients once (<see cref="RetryKeptAsync"/>).
    /// </summary>
    public const int NotYetFound = 0;

    /// <summary>
    /// Reads every client, <see cref="Batch"/> at a time in the order of their ids, and gives those whose stored key is
    /// not <see cref="Client.KeyOf(string)"/> of their name that key, one statement each, one transaction a batch
    /// (nearly every name is plain text, whose key is the same either way). A client whose name is the same as seen as another client's of its
    /// rollout (both stored before, which the unique index allowed then) keeps its key: the index refuses two, and
    /// which one is meant is for a person to say. Reads and writes only the clients' id, rollout, name, name key and
    /// creating import, which every migration since <c>Initial</c> has. Running it again changes nothing but the keys of
    /// clients whose look-alike is gone since. Returns every client kept (<see cref="NameKeyRewrite.KeptIds"/>), for
    /// <see cref="RecordKeptAsync"/>.
    /// </summary>
    public static async Task<NameKeyRewrite> RewriteAsync(RolloutDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var (read, rewritten) = (0, 0);
        var kept = new List<int>();
        var conflicts = new List<NameKeyConflict>();
        var after = 0;
        while (true)
        {
            var batch = await db.Clients.AsNoTracking().Where(c => c.Id > after).OrderBy(c => c.Id)
                .Select(c => new { c.Id, c.RolloutId, c.Name, c.NameKey, c.CreatedByImportId }).Take(Batch).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            read += batch.Count;
            after = batch[^1].Id;
            var changed = batch.Where(c => !string.Equals(Client.KeyOf(c.Name), c.NameKey, StringComparison.Ordinal))
                .Select(c => new StoredName(c.Id, c.RolloutId, c.Name, c.CreatedByImportId)).ToList();
            if (changed.Count == 0)
            {
                continue;
            }

            // One transaction a batch: on SQLite a statement of its own is a commit, and a commit a write to the disk.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var client in changed)
            {
                if (await TryGiveKeyAsync(db, client, cancellationToken) is { } conflict)
                {
                    kept.Add(client.Id);
                    if (conflicts.Count < ConflictsListed)
                    {
                        conflicts.Add(conflict);
                    }

                    continue;
                }

                rewritten++;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return new NameKeyRewrite(read, rewritten, kept.Count, conflicts, kept);
    }

    /// <summary>
    /// Gives <paramref name="client"/> the key of its name as seen, unless another client of its rollout holds that key:
    /// then it changes nothing and names that client.
    /// </summary>
    private static async Task<NameKeyConflict?> TryGiveKeyAsync(RolloutDbContext db, StoredName client, CancellationToken cancellationToken)
    {
        var key = Client.KeyOf(client.Name);
        var holder = await db.Clients.AsNoTracking()
            .Where(c => c.RolloutId == client.RolloutId && c.NameKey == key && c.Id != client.Id)
            .Select(c => new { c.Id, c.Name, c.CreatedByImportId }).FirstOrDefaultAsync(cancellationToken);
        if (holder is not null)
        {
            return new NameKeyConflict(client.Id, client.Name, client.RolloutId, holder.Id, holder.Name,
                client.CreatedByImportId, holder.CreatedByImportId);
        }

        await db.Clients.Where(c => c.Id == client.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NameKey, key), cancellationToken);
        return null;
    }

    /// <summary>
    /// Keeps the ids of the clients <paramref name="rewrite"/> kept on their old key in place of whatever the table held
    /// (the row <see cref="NotYetFound"/> among it), in one transaction: the next starts and removals of clients try
    /// exactly those again (<see cref="RetryKeptAsync"/>).
    /// </summary>
    public static async Task RecordKeptAsync(RolloutDbContext db, NameKeyRewrite rewrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rewrite);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.NameKeysKept.ExecuteDeleteAsync(cancellationToken);
        foreach (var ids in rewrite.KeptIds.Chunk(Batch))
        {
            db.NameKeysKept.AddRange(ids.Select(id => new NameKeyKept { ClientId = id }));
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Tries again the clients the rewrite kept on their old key (<see cref="RolloutDbContext.NameKeysKept"/>): each whose
    /// look-alike is gone (its import reverted, its inventory deleted) gets the key of its name as seen, and each that
    /// is gone or has that key already is forgotten; the others stay, named in the result. One read of the table, which
    /// is nearly always empty, then two or three statements for each client it holds. When it holds
    /// <see cref="NotYetFound"/>, passes over every client once instead (<see cref="RewriteAsync"/>) and keeps those it
    /// kept. Called under the start-up lock at every start, and after a revert or an inventory's deletion committed.
    /// </summary>
    public static async Task<NameKeyRetry> RetryKeptAsync(RolloutDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = await db.NameKeysKept.AsNoTracking().OrderBy(k => k.ClientId).Select(k => k.ClientId).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return new NameKeyRetry([], 0, [], FullPass: null);
        }

        if (ids[0] == NotYetFound)
        {
            var pass = await RewriteAsync(db, cancellationToken);
            await RecordKeptAsync(db, pass, cancellationToken);
            return new NameKeyRetry([], pass.Kept, pass.Conflicts, pass);
        }

        var given = new List<NameKeyGiven>();
        var conflicts = new List<NameKeyConflict>();
        var keptCount = 0;
        foreach (var id in ids)
        {
            var client = await db.Clients.AsNoTracking().Where(c => c.Id == id)
                .Select(c => new { c.Id, c.RolloutId, c.Name, c.NameKey, c.CreatedByImportId }).FirstOrDefaultAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (client is not null && !string.Equals(Client.KeyOf(client.Name), client.NameKey, StringComparison.Ordinal))
            {
                NameKeyConflict? conflict;
                try
                {
                    conflict = await TryGiveKeyAsync(db, new StoredName(client.Id, client.RolloutId, client.Name, client.CreatedByImportId),
                        cancellationToken);
                }
                catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException)
                {
                    // A client of that key came in since the look (an import): rolled back, and tried again next time.
                    keptCount++;
                    continue;
                }

                if (conflict is not null)
                {
                    keptCount++;
                    if (conflicts.Count < ConflictsListed)
                    {
                        conflicts.Add(conflict);
                    }

                    continue;
                }

                given.Add(new NameKeyGiven(client.Id, client.Name, client.RolloutId));
            }

            await db.NameKeysKept.Where(k => k.ClientId == id).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return new NameKeyRetry(given, keptCount, conflicts, FullPass: null);
    }

    /// <summary>
    /// <see cref="RetryKeptAsync"/> after clients were removed (a revert, an inventory's deletion committed): each client
    /// that got its key is logged at Information. It never fails the removal: an error is logged at Warning and the
    /// clients are tried again at the next start.
    /// </summary>
    public static async Task RetryKeptAfterRemovalAsync(RolloutDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            LogGiven(logger, (await RetryKeptAsync(db, cancellationToken)).Given);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The clients kept on their old name key could not be tried again; the next start tries them");
        }
    }

    /// <summary>Logs each client that got the key of its name as seen, at Information.</summary>
    public static void LogGiven(ILogger logger, IEnumerable<NameKeyGiven> given)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(given);
        foreach (var client in given)
        {
            logger.LogInformation(
                "Client {ClientId} \"{Name:l}\" of rollout {RolloutId} got the name key of its name as seen, now that the client " +
                "of the same name as seen is gone: a search finds it by either spelling", client.ClientId, client.Name, client.RolloutId);
        }
    }

    private sealed record StoredName(int Id, int RolloutId, string Name, int? CreatedByImportId);
}

/// <summary>
/// What <see cref="NameKeysAsSeen.RewriteAsync"/> did: clients read, keys rewritten, keys kept (the first of those named,
/// the ids of all).
/// </summary>
public sealed record NameKeyRewrite(int Clients, int Rewritten, int Kept, IReadOnlyList<NameKeyConflict> Conflicts, IReadOnlyList<int> KeptIds);

/// <summary>
/// What <see cref="NameKeysAsSeen.RetryKeptAsync"/> did: the clients that got their key as seen, how many keep their
/// old one (the first named), and the pass over every client when it made one.
/// </summary>
public sealed record NameKeyRetry(IReadOnlyList<NameKeyGiven> Given, int Kept, IReadOnlyList<NameKeyConflict> Conflicts, NameKeyRewrite? FullPass);

/// <summary>A client kept on its old key before that got the key of its name as seen, its look-alike being gone.</summary>
public sealed record NameKeyGiven(int ClientId, string Name, int RolloutId);

/// <summary>
/// A client kept on its old key, since its name is the same as seen as that of another client of its rollout, with the
/// import that created each (null: not an import).
/// </summary>
public sealed record NameKeyConflict(
    int ClientId, string Name, int RolloutId, int OtherClientId, string OtherName, int? ImportId, int? OtherImportId);
