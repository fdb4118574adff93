using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;

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

    /// <summary>The most characters of a value the list shows; the client page shows it whole.</summary>
    public const int ClipLength = 200;

    /// <summary>The most lines of a value the list shows (its line breaks are kept).</summary>
    public const int ClipLines = 4;

    /// <summary>
    /// <paramref name="text"/> as a cell of the list shows it: at most <see cref="ClipLength"/> characters and
    /// <see cref="ClipLines"/> lines, ending in "…" when cut (a character of two code units is not split), and whether it
    /// was cut. One client with a 32,767-character description or 3,000 lines of notes made its row 180,000 px tall.
    /// </summary>
    public static (string Text, bool Clipped) Clip(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ("", false);
        }

        var end = Math.Min(text.Length, ClipLength);
        var lines = 1;
        for (var i = 0; i < end; i++)
        {
            if (text[i] == '\n' && ++lines > ClipLines)
            {
                end = i;
                break;
            }
        }

        if (end == text.Length)
        {
            return (text, false);
        }

        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return (string.Concat(text.AsSpan(0, end).TrimEnd(), "…"), true);
    }
}

/// <summary>
/// A page of an inventory's clients. <see cref="Total"/> is the inventory's count, or what a search found (at most
/// <see cref="ClientPages.SearchBound"/>, "1,000+" when <see cref="TotalIsAtLeast"/>). Pages are reached by keyset
/// cursors: First, Previous (before the first row), Next (after the last), Last.
/// </summary>
public sealed record ClientList(
    Rollout Rollout,
    Inventory Inventory,
    IReadOnlyList<CustomField> Fields,
    IReadOnlyList<ClientRow> Clients,
    string? Search,
    ClientSort Sort,
    bool Descending,
    int Total,
    bool TotalIsAtLeast,
    ClientListPage Page,
    int? ImportId = null,
    string? ImportNotice = null)
{
    public const string DefaultSort = "name";

    /// <summary>Why the Next or Previous followed was refused (the order it walked changed): shown with a link to the first page.</summary>
    public string? Restart { get; init; }

    /// <summary>The default columns the list sorts by, with their headers; each custom field sorts too (f&lt;id&gt;).</summary>
    public static readonly IReadOnlyList<(string Sort, string Label)> Columns =
        [("name", "Name"), ("status", "Status"), ("assignee", "Assignee"), ("clientuser", "Client User"), ("description", "Description")];

    public string BasePath => $"/rollouts/{Rollout.Identifier}/inventories/{Inventory.Id}";

    /// <summary>
    /// Whether the list is short enough for the sorts without an index (description, custom fields): the inventory's
    /// clients, or those a counted search found.
    /// </summary>
    public bool OffersEverySort => Inventory.ClientCount <= ClientPages.SortBound || (Page.Found is not null && !Page.FoundMore);

    /// <summary>The filter's chip: "Created or changed by import #9" (null without the filter).</summary>
    public string? ImportChip => ImportId is { } id ? $"Created or changed by import #{ImportNumbers.Id(id)}" : null;

    /// <summary>The list as it is without the import's filter (the chip's remove link).</summary>
    public string WithoutImportLink => (this with { ImportId = null }).Link(Sort.Key, Descending);

    /// <summary>The sort the address asked for and the list could not do (too many clients), with the reason.</summary>
    public string? SortNotice => Page.SortRefused is { } refused
        ? ClientListQuery.SortRefusal(refused.Column == ClientSortColumn.CustomField
            ? Fields.FirstOrDefault(f => f.Id == refused.FieldId)?.Name ?? refused.Key : "description", Inventory.ClientCount)
        : null;

    [MemberNotNullWhen(true, nameof(Search))]
    public bool IsSearch => !string.IsNullOrEmpty(Search);

    /// <summary>The list's address in <paramref name="sort"/> and direction, with the search, plus <paramref name="position"/>.</summary>
    public string Link(string sort, bool descending, string? position = null)
    {
        var query = new List<string>();
        if (IsSearch)
        {
            query.Add("search=" + Uri.EscapeDataString(Search));
        }

        if (ImportId is { } import)
        {
            query.Add("import=" + import.ToString(CultureInfo.InvariantCulture));
        }

        if (sort != DefaultSort || descending)
        {
            query.Add("sort=" + Uri.EscapeDataString(sort));
        }

        if (descending)
        {
            query.Add("dir=desc");
        }

        if (position is not null)
        {
            query.Add(position);
        }

        return query.Count == 0 ? BasePath : BasePath + "?" + string.Join("&", query);
    }

    public string FirstLink => Link(Sort.Key, Descending);

    public string LastLink => Link(Sort.Key, Descending, "last=true");

    public string? PreviousLink => Page.HasPrevious && Page.FirstCursor is { } cursor
        ? Link(Sort.Key, Descending, "before=" + cursor.Encode(Sort)) : null;

    public string? NextLink => Page.HasNext && Page.LastCursor is { } cursor
        ? Link(Sort.Key, Descending, "after=" + cursor.Encode(Sort)) : null;

    /// <summary>A header links to its own sort; the sorted column's link turns the direction round.</summary>
    public string SortLink(string sort) => Link(sort, Sort.Key == sort && !Descending);

    public string CountText => (TotalIsAtLeast ? $"{Total:N0}+" : Total.ToString("N0")) + (Total == 1 && !TotalIsAtLeast ? " client" : " clients")
        + (IsSearch ? $" matching “{Search}”" : "")
        + (ImportId is { } id ? $" created or changed by import #{ImportNumbers.Id(id)}" : "");
}
