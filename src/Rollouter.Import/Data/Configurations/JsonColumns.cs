using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rollouter.Import.Data.Configurations;

/// <summary>
/// Stores a value as JSON text: <c>json</c> on PostgreSQL (validated, stored as written: cheaper to load in bulk than
/// <c>jsonb</c>, and the values are only ever read whole), text elsewhere.
/// </summary>
internal static class JsonColumns
{
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property, DatabaseProvider provider)
        where T : class, new()
    {
        var comparer = new ValueComparer<T>(
            (a, b) => Serialize(a) == Serialize(b),
            v => Serialize(v).GetHashCode(StringComparison.Ordinal),
            v => Deserialize<T>(Serialize(v)));
        property
            .HasConversion(v => Serialize(v), v => Deserialize<T>(v))
            .Metadata.SetValueComparer(comparer);
        if (provider == DatabaseProvider.PostgreSql)
        {
            property.HasColumnType("json");
        }

        return property.IsRequired();
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) where T : new() =>
        string.IsNullOrEmpty(json) ? new T() : JsonSerializer.Deserialize<T>(json, Options) ?? new T();
}
