using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;

namespace Rollouter.Import.Data.ClientLists;

/// <summary>
/// The part of a search text PostgreSQL's trigram index is asked for (decision 0035): in each column (name key,
/// description), its rarest word of 3 letters or digits or more, when the table's statistics say it is rare there; the
/// whole text is then checked on the clients that index finds. A text's words that every client has ("pc", "desk",
/// "floor") make the index read the whole posting list of each of their trigrams (2,211 index pages for "desk 512,
/// floor" among a million clients, 37 ms; 10 ms for "PC-01234"), where the rare word alone reads a few (9 ms and under
/// 1 ms). Exact: a client whose name or description holds the text holds each of its words.
/// </summary>
public static class SearchAnchor
{
    /// <summary>A word is rare enough when the statistics give it to at most this share of the clients.</summary>
    public const double RareShare = 0.01;

    /// <summary>How long the statistics read from pg_stats are used before they are read again.</summary>
    public static readonly TimeSpan StatisticsAge = TimeSpan.FromMinutes(5);

    private static readonly ConcurrentDictionary<string, (DateTimeOffset Read, ColumnSample? Names, ColumnSample? Descriptions)> Statistics = new();

    /// <summary>
    /// The words of <paramref name="text"/> to ask the index for, one per column (each column's rarest: the name's and
    /// the description's words are not the same, "desk" is in no name and "512" in a thousand names' numbers), or null:
    /// no word of 3 characters or more, a column without a word rare enough, the text is that word alone, or no
    /// statistics.
    /// </summary>
    public static SearchAnchors? Choose(string text, ColumnSample? names, ColumnSample? descriptions)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (names is null || descriptions is null)
        {
            return null;
        }

        var lower = text.ToLowerInvariant();
        return Rarest(lower, names) is { } name && Rarest(lower, descriptions) is { } description
            ? new SearchAnchors(name, description)
            : null;
    }

    /// <summary>The column's rarest word of <paramref name="lower"/> when it is rare enough and not the whole text.</summary>
    private static string? Rarest(string lower, ColumnSample column)
    {
        string? best = null;
        var bestShare = double.MaxValue;
        foreach (var word in Words(lower))
        {
            var share = column.Share(word);
            if (best is null || share < bestShare || (share == bestShare && word.Length > best.Length))
            {
                (best, bestShare) = (word, share);
            }
        }

        return best is not null && bestShare <= RareShare && best != lower ? best : null;
    }

    /// <summary>The runs of letters and digits of 3 characters or more (the trigram index's words).</summary>
    public static IEnumerable<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                if (i - start >= 3)
                {
                    yield return text[start..i];
                }

                start = -1;
            }
        }
    }

    /// <summary>The words to ask PostgreSQL's trigram index for, from the statistics of "Clients" (read every 5 minutes).</summary>
    public static async Task<SearchAnchors?> ChooseAsync(DbConnection connection, string text, CancellationToken cancellationToken)
    {
        var (names, descriptions) = await StatisticsAsync(connection, cancellationToken);
        return Choose(text, names, descriptions);
    }

    /// <summary>
    /// Whether the statistics say that at most <see cref="RareShare"/> of the clients have a name holding
    /// <paramref name="text"/> (false without statistics).
    /// </summary>
    public static async Task<bool> RareInNamesAsync(DbConnection connection, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (names, _) = await StatisticsAsync(connection, cancellationToken);
        return names is not null && names.Share(text.ToLowerInvariant()) <= RareShare;
    }

    private static async Task<(ColumnSample? Names, ColumnSample? Descriptions)> StatisticsAsync(DbConnection connection,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var key = connection.ConnectionString;
        if (!Statistics.TryGetValue(key, out var statistics) || DateTimeOffset.UtcNow - statistics.Read > StatisticsAge)
        {
            // Statistics that cannot be read leave the search as it was, never failing it.
            var (names, descriptions) = await ReadOrNoneAsync(connection, cancellationToken);
            statistics = (DateTimeOffset.UtcNow, names, descriptions);
            Statistics[key] = statistics;
        }

        return (statistics.Names, statistics.Descriptions);
    }

    /// <summary>Forgets the statistics read (tests that analyze a table and want them read again).</summary>
    public static void Forget() => Statistics.Clear();

    private static async Task<(ColumnSample? Names, ColumnSample? Descriptions)> ReadOrNoneAsync(DbConnection connection,
        CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(connection, cancellationToken);
        }
        catch (DbException)
        {
            return (null, null);
        }
    }

    private static async Task<(ColumnSample? Names, ColumnSample? Descriptions)> ReadAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT attname::text, null_frac, most_common_vals::text::text[], most_common_freqs, histogram_bounds::text::text[]
            FROM pg_stats
            WHERE schemaname = current_schema() AND tablename = 'Clients' AND attname IN ('NameKey', 'Description')
            """;
        ColumnSample? names = null, descriptions = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var sample = new ColumnSample(
                reader.GetFloat(1),
                reader.IsDBNull(2) ? [] : reader.GetFieldValue<string[]>(2),
                reader.IsDBNull(3) ? [] : reader.GetFieldValue<float[]>(3),
                reader.IsDBNull(4) ? [] : reader.GetFieldValue<string[]>(4));
            if (reader.GetString(0) == "NameKey")
            {
                names = sample;
            }
            else
            {
                descriptions = sample;
            }
        }

        return (names, descriptions);
    }
}

/// <summary>The word of a search text the trigram index is asked for in the name key, and the one in the description.</summary>
public sealed record SearchAnchors(string Name, string Description);

/// <summary>
/// What PostgreSQL's statistics say of a column's values: its most common values with their shares, and a histogram of
/// the others (each bound standing for an equal share of them), as the planner estimates a <c>LIKE '%…%'</c>.
/// </summary>
public sealed class ColumnSample(double nullShare, string[] common, float[] commonShares, string[] histogram)
{
    private readonly string[] _common = [.. common.Select(v => v.ToLowerInvariant())];

    private readonly string[] _histogram = [.. histogram.Select(v => v.ToLowerInvariant())];

    /// <summary>The estimated share of the clients whose value holds <paramref name="word"/> (lower case).</summary>
    public double Share(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var share = 0.0;
        var commonTotal = 0.0;
        for (var i = 0; i < _common.Length && i < commonShares.Length; i++)
        {
            commonTotal += commonShares[i];
            if (_common[i].Contains(word, StringComparison.Ordinal))
            {
                share += commonShares[i];
            }
        }

        if (_histogram.Length > 0)
        {
            var rest = Math.Max(0, 1 - nullShare - commonTotal);
            share += rest * _histogram.Count(v => v.Contains(word, StringComparison.Ordinal)) / _histogram.Length;
        }

        return share;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{_common.Length} common values, {_histogram.Length} histogram bounds");
}
