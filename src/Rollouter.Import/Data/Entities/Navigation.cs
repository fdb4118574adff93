namespace Rollouter.Import.Data.Entities;

/// <summary>
/// A required navigation read before it was loaded or set. EF Core fills a navigation through its backing field
/// (Include, fix-up, a new entity's assignment), so the getter can promise a value instead of starting as <c>null!</c>.
/// </summary>
internal static class Navigation
{
    public static InvalidOperationException NotLoaded(object entity, string navigation) =>
        new($"{entity.GetType().Name}.{navigation} is not loaded: include it in the query, or set it.");
}
