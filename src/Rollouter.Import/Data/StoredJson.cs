using Rollouter.Import.Data.Configurations;

namespace Rollouter.Import.Data;

/// <summary>How a value is written into the database's JSON text columns (the history's <c>Changes</c>, for one).</summary>
public static class StoredJson
{
    /// <summary>
    /// <paramref name="value"/> as a JSON string, quoted and escaped exactly as the JSON columns store it (only quotes,
    /// backslashes and control characters escaped; decision 0144 matches an erased user's email in the stored text by it).
    /// </summary>
    public static string String(string value) => JsonColumns.Serialize(value);
}
