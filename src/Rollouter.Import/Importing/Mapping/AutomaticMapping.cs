using System.Text;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Mapping;

/// <summary>
/// Proposes a mapping for a file's columns: first the inventory's last mapping, for columns whose header it knows
/// (the mapping of its latest approved import, then the one its last completed run remembered, decision 0112),
/// then by header: exact, then ignoring case, spaces and punctuation, then common aliases, then close spelling.
/// Each target is used once; a column that could mean two targets equally well is left unmapped. Of the last mapping
/// only which column goes to which field, the user lookups and the separators are reused: the suggestion always has
/// "Update existing clients" and "Create option if not exists" unticked. The columns of an error report that are not
/// the file's (<see cref="Reports.ErrorReport.RowHeader"/>, <see cref="Reports.ErrorReport.ErrorsHeader"/>) are left
/// unmapped.
/// </summary>
public static class AutomaticMapping
{
    private const int ExactStage = 0;
    private const int NormalizedStage = 1;
    private const int AliasStage = 2;
    private const int CloseSpellingStage = 3;

    private static readonly Dictionary<string, string[]> Aliases = new()
    {
        // "Asset Name": Snipe-IT's export; "Display name": ServiceNow's (decision 0106).
        [DefaultFields.Name] = ["Client", "Client Name", "Hostname", "Host", "Computer", "Computer Name", "Device",
            "Device Name", "Gerätename", "Rechnername", "Gerät", "Asset Name", "Display name"],
        [DefaultFields.Status] = ["State", "Workflow Status", "Client Status", "Zustand"],
        [DefaultFields.Assignee] = ["Assigned To", "Technician", "Assigned Technician", "Bearbeiter", "Techniker",
            "Zugewiesen an", "Zuständig"],
        // "Checked Out To": the person a Snipe-IT asset is checked out to (decision 0106).
        [DefaultFields.ClientUser] = ["User", "End User", "Owner", "Client Owner", "Benutzer", "Anwender", "Nutzer",
            "Checked Out To"],
        [DefaultFields.Description] = ["Desc", "Beschreibung"],
        [DefaultFields.ClientFlag] = ["Flag", "Red Note", "Markierung"],
    };

    /// <summary>
    /// Names other tools give a custom field's usual names (Snipe-IT's "Serial", ServiceNow's "Model ID"): a custom
    /// field named like one of a family takes the others as aliases (decision 0106).
    /// </summary>
    private static readonly string[][] FieldFamilies =
    [
        ["Serial number", "Serial", "Serial No", "Serial Nr", "Serial #", "Seriennummer"],
        ["Model", "Model ID", "Model Name", "Modell"],
    ];

    /// <summary>ServiceNow's "Assigned to": in its asset and CI tables the person who uses the device.</summary>
    private const string ServiceNowAssignedTo = "assignedto";

    // What a user column's header may end with to say which attribute its values are ("Assignee Email").
    private static readonly (string Suffix, UserLookup Lookup)[] LookupSuffixes =
    [
        ("emailaddress", UserLookup.Email), ("mailaddress", UserLookup.Email), ("email", UserLookup.Email),
        ("mail", UserLookup.Email), ("displayname", UserLookup.Name), ("name", UserLookup.Name),
        ("userid", UserLookup.UserId), ("usercode", UserLookup.UserId), ("id", UserLookup.UserId),
        ("code", UserLookup.UserId),
    ];

    /// <param name="lookupOfValues">
    /// For a user column whose header does not say which attribute its values are, the attribute its values look like
    /// (by the column's position and its target, Assignee or Client User), or null for the default.
    /// </param>
    /// <param name="fallbackMapping">
    /// A mapping asked after <paramref name="lastMapping"/>, for the columns that one does not decide (a header it does
    /// not know, a field it names that is gone): the inventory's remembered mapping behind its latest approved import's.
    /// </param>
    public static ImportMapping Suggest(IReadOnlyList<SheetColumn> columns, InventoryDefinition inventory,
        ImportMapping? lastMapping = null, Func<int, string, UserLookup?>? lookupOfValues = null,
        ImportMapping? fallbackMapping = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(inventory);
        var result = columns.Select(c => new ColumnMapping { Letter = c.Letter, Header = c.Header }).ToArray();
        var decided = new bool[columns.Count];
        var used = new HashSet<string>(StringComparer.Ordinal);

        // An error report's own columns: the row numbers and the messages are not the file's data.
        var errorReport = columns.Any(c => c.Header == Reports.ErrorReport.ErrorsHeader);
        for (var i = 0; i < columns.Count; i++)
        {
            decided[i] = columns[i].Header == Reports.ErrorReport.ErrorsHeader
                         || (errorReport && columns[i].Header == Reports.ErrorReport.RowHeader);
        }

        // A header that says its values' separator ("Tags (separated by |)", as the export writes it) is matched by the
        // name before it, with that separator; unless a target bears the whole header as its name.
        // A ServiceNow asset or CI export (it has "Model ID", which its task tables lack): "Assigned to" is the device's
        // user there, the Client User; elsewhere it stays the Assignee, the technician (decision 0106).
        var serviceNowAssets = columns.Any(c => Normalize(c.Header) == "modelid");
        var targets = Targets(inventory, serviceNowAssets).ToList();
        var matchedHeaders = columns.Select(c => c.Header).ToArray();
        var declared = new string?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            if (SeparatorHeader.TryParse(columns[i].Header, out var name, out var separator)
                && !targets.Any(t => t.Names.Contains(columns[i].Header, StringComparer.Ordinal)))
            {
                matchedHeaders[i] = name;
                declared[i] = separator;
            }
        }

        foreach (var last in new[] { lastMapping, fallbackMapping })
        {
            if (last is not null)
            {
                ReuseLastMapping(columns, inventory, last, result, decided, used, declared);
            }
        }

        var headers = matchedHeaders.Select(Normalize).ToArray();
        for (var stage = ExactStage; stage <= CloseSpellingStage; stage++)
        {
            var candidates = new List<(int Column, Candidate Target, int Distance, UserLookup? Lookup)>();
            for (var i = 0; i < columns.Count; i++)
            {
                if (decided[i] || headers[i].Length == 0)
                {
                    continue;
                }

                var matches = new List<(Candidate Target, int Distance, UserLookup? Lookup)>();
                foreach (var target in targets)
                {
                    // Used targets still count here: a header as close to a taken target as to a free one is a guess.
                    if (Match(stage, matchedHeaders[i], headers[i], target) is { } m)
                    {
                        matches.Add((target, m.Distance, m.Lookup));
                    }
                }

                if (matches.Count == 0)
                {
                    continue;
                }

                var best = matches.Min(m => m.Distance);
                var bestMatches = matches.Where(m => m.Distance == best).ToList();
                // Equally good for two targets: a guess would be wrong half the time, so leave it to the user. At the
                // exact stages a default field wins over a custom field of the same name (the name means the default).
                if (bestMatches.Count > 1 && !(stage < CloseSpellingStage && bestMatches.Count(m => m.Target.IsDefault) == 1))
                {
                    continue;
                }

                var chosen = bestMatches.Count == 1 ? bestMatches[0] : bestMatches.Single(m => m.Target.IsDefault);
                candidates.Add((i, chosen.Target, chosen.Distance, chosen.Lookup));
            }

            foreach (var (column, target, _, lookup) in candidates.OrderBy(c => c.Distance).ThenBy(c => c.Column))
            {
                if (decided[column] || !used.Add(target.Target))
                {
                    continue;
                }

                decided[column] = true;
                result[column].Target = target.Target;
                if (DefaultFields.IsUser(target.Target))
                {
                    result[column].Lookup = lookup ?? lookupOfValues?.Invoke(column, target.Target) ?? ColumnMapping.DefaultLookup;
                }

                if (target.Field is { IsMultiValued: true })
                {
                    result[column].Separator = declared[column] ?? ColumnMapping.DefaultSeparator;
                }
            }
        }

        // "Update existing clients" and "Create option if not exists" are never suggested: the person importing ticks them
        // for each import (a two-row file once overwrote clients because they were carried over from the last import).
        return new ImportMapping { Columns = [.. result] };
    }

    private static void ReuseLastMapping(IReadOnlyList<SheetColumn> columns, InventoryDefinition inventory,
        ImportMapping lastMapping, ColumnMapping[] result, bool[] decided, HashSet<string> used, string?[] declared)
    {
        var remembered = lastMapping.Columns.Where(c => !string.IsNullOrEmpty(c.Header)).ToList();
        var taken = new bool[remembered.Count];
        // Exact headers first, so "Model" and "model " in one file each find their own remembered column.
        foreach (var exact in new[] { true, false })
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (decided[i])
                {
                    continue;
                }

                var header = exact ? columns[i].Header : Normalize(columns[i].Header);
                var index = -1;
                for (var r = 0; r < remembered.Count && index < 0; r++)
                {
                    if (!taken[r] && (exact
                            ? remembered[r].Header == header
                            : header.Length > 0 && Normalize(remembered[r].Header) == header))
                    {
                        index = r;
                    }
                }

                if (index < 0)
                {
                    continue;
                }

                var last = remembered[index];
                if (last.Target is null)
                {
                    taken[index] = decided[i] = true;
                    continue;
                }

                var field = inventory.FindField(last.Target);
                if ((!DefaultFields.IsDefault(last.Target) && field is null) || used.Contains(last.Target))
                {
                    continue;
                }

                taken[index] = decided[i] = true;
                used.Add(last.Target);
                result[i].Target = last.Target;
                result[i].Lookup = DefaultFields.IsUser(last.Target) ? last.Lookup ?? ColumnMapping.DefaultLookup : null;
                result[i].Separator = field is { IsMultiValued: true }
                    ? declared[i] ?? (last.Separator is { Length: > 0 } separator ? separator : ColumnMapping.DefaultSeparator)
                    : null;
            }
        }
    }

    private static (int Distance, UserLookup? Lookup)? Match(int stage, string header, string normalized, Candidate target)
    {
        switch (stage)
        {
            case ExactStage:
                return target.Names.Contains(header, StringComparer.Ordinal) ? (0, null) : null;
            case NormalizedStage:
                return target.NormalizedNames.Contains(normalized) ? (0, null) : null;
            case AliasStage:
                if (target.NormalizedAliases.Contains(normalized))
                {
                    return (0, null);
                }

                if (DefaultFields.IsUser(target.Target))
                {
                    foreach (var (suffix, lookup) in LookupSuffixes)
                    {
                        if (normalized.EndsWith(suffix, StringComparison.Ordinal) &&
                            normalized.Length > suffix.Length &&
                            target.NormalizedNames.Concat(target.NormalizedAliases)
                                .Contains(normalized[..^suffix.Length]))
                        {
                            return (0, lookup);
                        }
                    }
                }

                return null;
            default:
                int? best = null;
                foreach (var name in target.NormalizedNames.Concat(target.NormalizedAliases))
                {
                    if (IsCloseSpelling(normalized, name, out var distance) && (best is null || distance < best))
                    {
                        best = distance;
                    }
                }

                return best is { } d ? (d, null) : null;
        }
    }

    /// <summary>
    /// A typo, not another word: names of fewer than five letters never match loosely (Name/Game), longer ones allow
    /// one edit (a swap of neighbours counts as one), nine letters or more two; the first letter and every digit must
    /// agree ("Color 3" is not a typo of "Color 1").
    /// </summary>
    internal static bool IsCloseSpelling(string normalizedHeader, string normalizedName, out int distance)
    {
        distance = int.MaxValue;
        var allowed = normalizedName.Length switch
        {
            < 5 => 0,
            < 9 => 1,
            _ => 2,
        };
        if (allowed == 0 || normalizedHeader.Length < 4 || normalizedHeader[0] != normalizedName[0] ||
            Math.Abs(normalizedHeader.Length - normalizedName.Length) > allowed)
        {
            return false;
        }

        if (!normalizedHeader.Where(char.IsDigit).SequenceEqual(normalizedName.Where(char.IsDigit)))
        {
            return false;
        }

        distance = DamerauLevenshtein(normalizedHeader, normalizedName);
        return distance > 0 && distance <= allowed;
    }

    /// <summary>Edit distance counting insertions, deletions, substitutions and swaps of neighbours (optimal string alignment).</summary>
    internal static int DamerauLevenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>Lower case, letters and digits only: "Client-User " and "clientuser" are the same header.</summary>
    internal static string Normalize(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return "";
        }

        var builder = new StringBuilder(header.Length);
        foreach (var c in header)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    private static IEnumerable<Candidate> Targets(InventoryDefinition inventory, bool serviceNowAssets = false)
    {
        foreach (var target in DefaultFields.All)
        {
            var display = DefaultFields.DisplayName(target);
            var aliases = Aliases[target];
            if (serviceNowAssets)
            {
                aliases = target == DefaultFields.Assignee ? [.. aliases.Where(a => Normalize(a) != ServiceNowAssignedTo)]
                    : target == DefaultFields.ClientUser ? [.. aliases, "Assigned to"]
                    : aliases;
            }

            yield return new Candidate(target, null, display == target ? [target] : [display, target], aliases);
        }

        foreach (var field in inventory.CustomFields)
        {
            var name = Normalize(field.Name);
            var family = FieldFamilies.FirstOrDefault(f => f.Any(n => Normalize(n) == name));
            yield return new Candidate(field.Name, field, [field.Name], family is null ? [] : [.. family.Where(n => Normalize(n) != name)]);
        }
    }

    private sealed class Candidate(string target, CustomField? field, string[] names, string[] aliases)
    {
        public string Target { get; } = target;

        public CustomField? Field { get; } = field;

        public bool IsDefault => Field is null;

        public string[] Names { get; } = names;

        public string[] NormalizedNames { get; } = [.. names.Select(Normalize)];

        public string[] NormalizedAliases { get; } = [.. aliases.Select(Normalize)];
    }
}
