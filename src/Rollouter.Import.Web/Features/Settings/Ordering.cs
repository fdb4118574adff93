namespace Rollouter.Import.Web.Features.Settings;

/// <summary>Ordered lists (statuses, options): where a new item goes, and moving one a place up or down.</summary>
internal static class Ordering
{
    /// <summary>The position after the last of <paramref name="items"/> (0 for none): where a new item goes.</summary>
    public static int Next<T>(ICollection<T> items, Func<T, int> position) =>
        items.Count == 0 ? 0 : items.Max(position) + 1;

    /// <summary>
    /// Swaps the item <paramref name="isItem"/> finds with its neighbour above (-1) or below (+1) and numbers the list
    /// 0, 1, 2… again; false when there is no such item or it is already at that end.
    /// </summary>
    public static bool MoveOne<T>(IEnumerable<T> items, Func<T, int> position, Action<T, int> setPosition,
        Func<T, bool> isItem, int direction)
    {
        var ordered = items.OrderBy(position).ToList();
        var index = ordered.FindIndex(i => isItem(i));
        var other = index + Math.Sign(direction);
        if (index < 0 || other < 0 || other >= ordered.Count)
        {
            return false;
        }

        (ordered[index], ordered[other]) = (ordered[other], ordered[index]);
        for (var i = 0; i < ordered.Count; i++)
        {
            setPosition(ordered[i], i);
        }

        return true;
    }
}
