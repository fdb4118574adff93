using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Inventories;

public sealed record ClientRow(
    int Id,
    string Name,
    string Status,
    string? Assignee,
    string? ClientUser,
    string? Description,
    string? Flag,
    Dictionary<int, string[]> Values)
{
    public string Value(CustomField field) =>
        Values.TryGetValue(field.Id, out var value) ? string.Join(", ", value) : "";
}

public sealed record ClientList(
    Rollout Rollout,
    Inventory Inventory,
    IReadOnlyList<CustomField> Fields,
    IReadOnlyList<ClientRow> Clients,
    string? Search,
    int Page,
    int Pages,
    int Total,
    string Sort = ClientList.DefaultSort,
    bool Descending = false)
{
    public const string DefaultSort = "name";

    /// <summary>The columns the list sorts by (custom fields live in a JSON column and are not sortable).</summary>
    public static readonly IReadOnlyList<string> Sorts = ["name", "status", "assignee", "clientuser", "description", "flag"];
}
