using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reports;

namespace Rollouter.Import.Exporting;

/// <summary>
/// An inventory's clients as an .xlsx that imports back unchanged: the headers are the ones the automatic mapping
/// maps exactly (Name, Status, Assignee, Client User, Description, Client flag, then the custom fields in order),
/// users are written by email (the lookup the mapping picks for those headers), multi-selections joined by the
/// mapping's default separator. Clients are read by name in pages of <see cref="DefaultPageSize"/> (keyset, on the
/// client list's index) and written as they come, so an inventory of any size is exported in bounded memory.
/// </summary>
public static class ClientExport
{
    public const int DefaultPageSize = 1_000;

    public const string SheetName = "Clients";

    public static string FileName(string inventoryName, DateTimeOffset at)
    {
        var cleaned = new string([.. (inventoryName ?? "").Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-')]).Trim('-');
        return (cleaned.Length == 0 ? "inventory" : cleaned) + $"-clients-{at:yyyy-MM-dd}.xlsx";
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
        var separator = ColumnMapping.DefaultSeparator;

        await using var writer = await XlsxStreamWriter.CreateAsync(output, SheetName, cancellationToken);
        await writer.WriteHeaderAsync(ImportTemplate.Headers(inventory));
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
                        ? value.Length == 1 ? value[0] : string.Join(separator, value)
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
}
