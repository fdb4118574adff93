using System.Globalization;

namespace Rollouter.Import.Data.ClientLists;

public enum ClientSortColumn
{
    Name,
    Status,
    Assignee,
    ClientUser,
    Description,
    CustomField,
}

/// <summary>
/// A column the client list sorts by: its key in URLs (<c>name</c>, <c>status</c>, <c>assignee</c>,
/// <c>clientuser</c>, <c>description</c>, <c>f12</c> for the custom field with id 12). Every sort ends with the
/// client's id, so that clients with the same value keep one order.
/// </summary>
public sealed record ClientSort(ClientSortColumn Column, int FieldId = 0)
{
    public static readonly ClientSort Name = new(ClientSortColumn.Name);

    /// <summary>A sort without an index of its own: only lists of up to <see cref="ClientPages.SortBound"/> clients.</summary>
    public bool IsBounded => Column is ClientSortColumn.Description or ClientSortColumn.CustomField;

    public string Key => Column switch
    {
        ClientSortColumn.CustomField => "f" + FieldId.ToString(CultureInfo.InvariantCulture),
        ClientSortColumn.ClientUser => "clientuser",
        _ => Column.ToString().ToLowerInvariant(),
    };

    /// <summary>The sort of <paramref name="key"/>, or null for an unknown key or a field the inventory does not have.</summary>
    public static ClientSort? Parse(string? key, IEnumerable<int> inventoryFieldIds)
    {
        ArgumentNullException.ThrowIfNull(inventoryFieldIds);
        switch (key?.Trim().ToLowerInvariant())
        {
            case null or "" or "name":
                return Name;
            case "status":
                return new ClientSort(ClientSortColumn.Status);
            case "assignee":
                return new ClientSort(ClientSortColumn.Assignee);
            case "clientuser":
                return new ClientSort(ClientSortColumn.ClientUser);
            case "description":
                return new ClientSort(ClientSortColumn.Description);
            case ['f', .. var id] when int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var fieldId)
                                       && inventoryFieldIds.Contains(fieldId):
                return new ClientSort(ClientSortColumn.CustomField, fieldId);
            default:
                return null;
        }
    }
}
