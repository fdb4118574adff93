using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>A client at the other end of an advanced link, with its stored custom field values.</summary>
internal sealed record LinkedClient(int Id, int InventoryId, string Name, Dictionary<int, string[]> Values);

/// <summary>A client of this inventory in an advanced link: its partner and the shared fields the file maps.</summary>
internal sealed record LinkEnd(LinkedClient Partner, FieldPlan[] SharedFields);

/// <summary>
/// Custom fields shared by an active advanced link, for rows that update a linked client of this inventory:
/// <list type="bullet">
/// <item>the file's value differs from the linked client's: the file wins, and the linked client is updated too;</item>
/// <item>two rows of the file for directly linked clients give different values: each of them fails.</item>
/// </list>
/// Only the rows of linked clients are remembered (row number, name and their shared values).
/// </summary>
internal sealed class AdvancedLinkRule(Dictionary<int, LinkEnd> links)
{
    private Dictionary<int, LinkedRow> _rows = [];

    public void BeginPass() => _rows = [];

    /// <summary>Whether the client of this inventory is in an advanced link whose shared fields the file maps.</summary>
    public bool IsLinked(int? clientId) => clientId is { } id && links.ContainsKey(id);

    /// <summary>
    /// The second scenario: two rows of the file for directly linked clients must agree on each shared field they both
    /// set. The earlier row is remembered until its partner comes.
    /// </summary>
    /// <returns>
    /// The partner (its id and stored name) when its earlier row, until now counted as a good update, fails now (so that
    /// the count of updates and their names leave it); else null.
    /// </returns>
    public LinkedClient? CheckRow(SourceRow row, RowBuffer buffer, ErrorCollector errors)
    {
        if (!buffer.IsUpdate || !links.TryGetValue(buffer.Existing.Value.Id, out var link))
        {
            return null;
        }

        LinkedClient? newlyFailed = null;
        var values = new string[]?[link.SharedFields.Length];
        for (var i = 0; i < link.SharedFields.Length; i++)
        {
            values[i] = buffer.Values[link.SharedFields[i].Index];
        }

        var current = new LinkedRow(row.RowNumber, buffer.Name, values);
        if (_rows.TryGetValue(link.Partner.Id, out var partner))
        {
            for (var i = 0; i < link.SharedFields.Length; i++)
            {
                if (values[i] is not { } mine || partner.Values[i] is not { } theirs || SameValue(mine, theirs))
                {
                    continue;
                }

                var field = link.SharedFields[i];
                var column = field.MappedColumn;
                errors.Add(column, Display(mine, field, column),
                    $"Field \"{field.Field.Name}\" is shared with the linked client \"{ErrorText.Shorten(partner.Name)}\" in row {partner.Row}, which gives \"{ErrorText.Shorten(Display(theirs, field, column))}\"; directly linked clients must have the same value.");
                errors.AddToEarlierRow(partner.Row, column, Display(theirs, field, column),
                    $"Field \"{field.Field.Name}\" is shared with the linked client \"{ErrorText.Shorten(current.Name)}\" in row {row.RowNumber}, which gives \"{ErrorText.Shorten(Display(mine, field, column))}\"; directly linked clients must have the same value.",
                    rowAlreadyFailed: partner.Failed);
                newlyFailed ??= partner.Failed ? null : link.Partner;
                partner.Failed = true;
            }
        }

        current.Failed = errors.RowHasErrors;
        _rows[buffer.Existing.Value.Id] = current;
        return newlyFailed;
    }

    /// <summary>
    /// The first scenario, once the whole file is known: for each file row of a linked client, what the file imposes
    /// on its partner (unless the partner's own row sets the field), as an update of nothing else.
    /// </summary>
    public IEnumerable<ResolvedRow> UpdatesOfFile()
    {
        foreach (var (clientId, row) in _rows)
        {
            if (!links.TryGetValue(clientId, out var link))
            {
                continue;
            }

            var updates = Updates(row, link);
            if (updates.Count > 0)
            {
                yield return new ResolvedRow
                {
                    RowNumber = row.Row,
                    ExistingClientId = clientId,
                    Name = row.Name,
                    LinkedUpdates = updates,
                    InAdvancedLink = true,
                };
            }
        }
    }

    /// <summary>
    /// The clients <see cref="UpdatesOfFile"/> would change, each once, after the whole file is checked: for the dry
    /// run's count of clients changed (the writer's). Only good rows impose; <c>Matched</c> says whether the client has
    /// a good row of its own in the file (a matched client, counted among the file's updates).
    /// </summary>
    public IEnumerable<(int Id, string Name, bool Matched)> ClientsChangedThroughLinks()
    {
        var seen = new HashSet<int>();
        foreach (var (clientId, row) in _rows)
        {
            if (row.Failed || !links.TryGetValue(clientId, out var link) || Updates(row, link).Count == 0
                || !seen.Add(link.Partner.Id))
            {
                continue;
            }

            yield return (link.Partner.Id, link.Partner.Name,
                _rows.TryGetValue(link.Partner.Id, out var partnerRow) && !partnerRow.Failed);
        }
    }

    private List<LinkedClientUpdate> Updates(LinkedRow row, LinkEnd link)
    {
        var updates = new List<LinkedClientUpdate>();
        var partnerRow = _rows.GetValueOrDefault(link.Partner.Id);
        for (var i = 0; i < link.SharedFields.Length; i++)
        {
            var field = link.SharedFields[i];
            if (row.Values[i] is not { } value || partnerRow?.Values[i] is not null)
            {
                // Nothing imposed, or the partner's own row sets the field (to the same value, or the check failed).
                continue;
            }

            if (link.Partner.Values.TryGetValue(field.Field.Id, out var current) && SameValue(current, value))
            {
                continue;
            }

            updates.Add(new LinkedClientUpdate(link.Partner.Id, field.Field.Id, value, link.Partner.Name));
        }

        return updates;
    }

    /// <summary>Multi-selections are sets: the order of the values does not matter; as the writer compares (decision 0164).</summary>
    private static bool SameValue(string[] a, string[] b) => ClientValues.Same(a, b);

    private static string Display(string[] value, FieldPlan field, ColumnPlan column) =>
        string.Join(field.Field.IsMultiValued ? column.Separator : "", value);

    private sealed class LinkedRow(int row, string name, string[]?[] values)
    {
        public int Row { get; } = row;

        public string Name { get; } = name;

        /// <summary>The row's values of the link's shared fields, in the order of <see cref="LinkEnd.SharedFields"/>.</summary>
        public string[]?[] Values { get; } = values;

        public bool Failed { get; set; }
    }
}
