using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Configurations;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reports;

namespace Rollouter.Import.Exporting;

/// <summary>
/// An inventory's clients as an .xlsx that imports back unchanged: the headers are the ones the automatic mapping
/// maps exactly (Name, Status, Assignee, Client User, Description, Client flag, then the custom fields in order),
/// users are written by email (the lookup the mapping picks for those headers; "Assignee (email)" where the inventory's
/// remembered mapping looks "Assignee" up otherwise), multi-selections joined by the
/// mapping's default separator, or, for a field whose values hold it, by another that its header names
/// (<see cref="SeparatorHeader"/>). Clients are read by name in pages of <see cref="DefaultPageSize"/> (keyset, on the
/// client list's index) and written as they come, so an inventory of any size is exported in bounded memory.
/// </summary>
public static class ClientExport
{
    public const int DefaultPageSize = 1_000;

    public const string SheetName = "Clients";

    public static string FileName(string inventoryName, DateTimeOffset at)
    {
        var cleaned = new string([.. (inventoryName ?? "").Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-')]).Trim('-');
        return (cleaned.Length == 0 ? "inventory" : cleaned) + string.Create(CultureInfo.InvariantCulture, $"-clients-{at:yyyy-MM-dd}.xlsx");
    }

    /// <summary>Writes the inventory's clients, ordered by name, into <paramref name="output"/>. Returns the client count.</summary>
    public static async Task<int> WriteAsync(RolloutDbContext db, int inventoryId, Stream output, CancellationToken cancellationToken,
        int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var inventory = await InventoryDefinition.LoadAsync(db, inventoryId, cancellationToken);
        var statuses = inventory.Statuses.ToDictionary(s => s.Id, s => s.Name);
        var users = new Dictionary<int, string?>();
        var fields = inventory.CustomFields;
        var separators = await SeparatorsAsync(db, inventory, cancellationToken);
        var headers = ImportTemplate.Headers(inventory).ToArray();
        // The mapping reuses the separator remembered for a header: a column last imported with "|" under the field's
        // plain name would read this file's ";" as part of the values, so such a header names its ";" too.
        var remembered = await db.Inventories.Where(i => i.Id == inventoryId).Select(i => i.LastImportMapping)
            .FirstOrDefaultAsync(cancellationToken) is { } json
            ? ImportMapping.FromJson(json).Columns
            : [];
        for (var f = 0; f < fields.Count; f++)
        {
            var name = fields[f].Name;
            var otherSeparator = fields[f].IsMultiValued && remembered.Any(c => c.Header == name && c.Target == name
                && c.Separator is { Length: > 0 } s && s != separators[f]);
            headers[6 + f] = SeparatorHeader.Header(name, separators[f], otherSeparator);
        }

        // Users are written by email. The mapping also reuses the lookup remembered for a header: a column last
        // imported as "Assignee" by name would look these emails up as names, so such a header says "(email)", which
        // the mapping reads as the email lookup.
        foreach (var index in (ReadOnlySpan<int>)[2, 3])
        {
            var header = headers[index];
            if (remembered.Any(c => c.Header == header && c.Lookup is { } lookup && lookup != ColumnMapping.DefaultLookup))
            {
                headers[index] = header + " (email)";
            }
        }

        // Every column is text (the product has no number or date field: a status, a user's email, an option and a value
        // are texts): formatted as Text, in the cells and for the rows a person adds below, so that Excel keeps what is
        // typed there as typed (decision 0176). The template's columns are so too.
        await using var writer = await XlsxStreamWriter.CreateAsync(output, SheetName, cancellationToken,
            [.. headers.Select(h => (double?)ImportTemplate.ColumnWidth(h))], textColumns: headers.Length);
        await writer.WriteHeaderAsync(headers);
        var row = new string?[6 + fields.Count];
        var count = 0;
        string? after = null;
        while (true)
        {
            var query = db.Clients.AsNoTracking()
                .InInventory(inventory.RolloutId, inventory.InventoryId);
            if (after is not null)
            {
                query = query.Where(c => string.Compare(c.NameKey, after) > 0);
            }

            var page = await query
                .OrderBy(c => c.NameKey)
                .Take(pageSize)
                .Select(c => new
                {
                    c.NameKey, c.Name, c.StatusId, c.AssigneeId, c.ClientUserId, c.Description, c.Flag, c.Values,
                })
                .ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            var missing = page.SelectMany(c => new[] { c.AssigneeId, c.ClientUserId })
                .OfType<int>().Where(id => !users.ContainsKey(id)).Distinct().ToList();
            if (missing.Count > 0)
            {
                foreach (var user in await db.Users.AsNoTracking().Where(u => missing.Contains(u.Id))
                             .Select(u => new { u.Id, u.Email }).ToListAsync(cancellationToken))
                {
                    users[user.Id] = user.Email;
                }
            }

            foreach (var client in page)
            {
                row[0] = client.Name;
                row[1] = statuses.GetValueOrDefault(client.StatusId);
                row[2] = client.AssigneeId is { } assignee ? users.GetValueOrDefault(assignee) : null;
                row[3] = client.ClientUserId is { } clientUser ? users.GetValueOrDefault(clientUser) : null;
                row[4] = client.Description;
                row[5] = client.Flag;
                for (var f = 0; f < fields.Count; f++)
                {
                    row[6 + f] = client.Values.TryGetValue(fields[f].Id, out var value) && value.Length > 0
                        ? value.Length == 1 ? value[0] : string.Join(separators[f], value)
                        : null;
                }

                await writer.WriteRowAsync(row);
            }

            count += page.Count;
            after = page[^1].NameKey;
            if (page.Count < pageSize)
            {
                break;
            }

            // The user cache only grows with distinct users, but keep it from outgrowing a page's worth by far.
            if (users.Count > 50_000)
            {
                users.Clear();
            }
        }

        await writer.FinishAsync(cancellationToken);
        return count;
    }

    /// <summary>
    /// Each custom field's separator in the export (<see cref="SeparatorHeader"/>): the default unless one of the field's
    /// values holds it, then the next candidate none holds. The database is asked only for the stored values that hold
    /// the candidate somewhere (a text scan of the inventory's clients; none, in the usual case, for the default), and
    /// those are read to see which fields' values hold it.
    /// </summary>
    private static async Task<string[]> SeparatorsAsync(RolloutDbContext db, InventoryDefinition inventory, CancellationToken cancellationToken)
    {
        var fields = inventory.CustomFields;
        var separators = new string[fields.Count];
        var open = new HashSet<int>();
        for (var f = 0; f < fields.Count; f++)
        {
            separators[f] = ColumnMapping.DefaultSeparator;
            if (fields[f].IsMultiValued)
            {
                open.Add(fields[f].Id);
            }
        }

        foreach (var candidate in SeparatorHeader.Candidates)
        {
            if (open.Count == 0)
            {
                break;
            }

            var holding = new HashSet<int>();
            var pattern = "%" + candidate + "%";
            await foreach (var json in db.Database.SqlQuery<string>(
                               $"SELECT \"Values\" AS \"Value\" FROM \"Clients\" WHERE \"InventoryId\" = {inventory.InventoryId} AND \"Values\" LIKE {pattern}")
                               .AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                foreach (var (field, values) in JsonColumns.Deserialize<Dictionary<int, string[]>>(json))
                {
                    if (open.Contains(field) && values.Any(v => v.Contains(candidate, StringComparison.Ordinal)))
                    {
                        holding.Add(field);
                    }
                }

                if (holding.Count == open.Count)
                {
                    break;
                }
            }

            for (var f = 0; f < fields.Count; f++)
            {
                if (open.Contains(fields[f].Id) && !holding.Contains(fields[f].Id))
                {
                    separators[f] = candidate;
                    open.Remove(fields[f].Id);
                }
            }
        }

        // Every candidate held: the default, and those values split on re-import (the user guide says so).
        return separators;
    }
}
