using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rollouter.Import.Data.Configurations;

/// <summary>
/// Stores a value as JSON in a plain text column on every provider. The values are only ever read whole, and the
/// application is their only writer: PostgreSQL's <c>json</c> type would parse each one again to validate it (a tenth
/// of the database's work in a million-row import), <c>jsonb</c> would cost more still.
/// </summary>
internal static class JsonColumns
{
    // Letters stay as they are, only quotes, backslashes and control characters are escaped: PostgreSQL's sort key of a
    // custom field is the value's text as stored (ClientListSql.FieldKey). The text never goes into HTML as it is.
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property)
        where T : class, new()
    {
        var comparer = new ValueComparer<T>(
            (a, b) => Serialize(a) == Serialize(b),
            v => Serialize(v).GetHashCode(StringComparison.Ordinal),
            v => Deserialize<T>(Serialize(v)));
        property
            .HasConversion(v => Serialize(v), v => Deserialize<T>(v))
            .Metadata.SetValueComparer(comparer);
        return property.IsRequired();
    }

    /// <summary>As <see cref="HasJsonConversion{T}"/>, for a value that may be absent: null is stored as NULL.</summary>
    public static PropertyBuilder<T?> HasNullableJsonConversion<T>(this PropertyBuilder<T?> property)
        where T : class, new()
    {
        var comparer = new ValueComparer<T?>(
            (a, b) => Serialize(a) == Serialize(b),
            v => v == null ? 0 : Serialize(v).GetHashCode(StringComparison.Ordinal),
            v => v == null ? null : Deserialize<T>(Serialize(v)));
        property
            .HasConversion(v => Serialize(v), v => Deserialize<T>(v))
            .Metadata.SetValueComparer(comparer);
        return property.IsRequired(false);
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) where T : new() =>
        string.IsNullOrEmpty(json) ? new T() : JsonSerializer.Deserialize<T>(json, Options) ?? new T();
}
