using System.Globalization;

namespace Rollouter.Import.Auditing;

/// <summary>
/// What a save changed, for an audit event's <c>Changes</c>: each "what before → after" (<c>name "A" → "B"; client limit
/// (none) → 500</c>), joined by "; ", as <see cref="AuditLog.CustomFieldChanged"/> and
/// <see cref="AuditLog.UserDetailsChanged"/> write them. What did not change is left out; <see cref="Any"/> is false when
/// nothing did, and such a save writes no event.
/// </summary>
public sealed class AuditChanges
{
    private readonly List<string> _changes = [];

    public bool Any => _changes.Count > 0;

    /// <summary>A text, quoted; null is "(none)".</summary>
    public AuditChanges Text(string what, string? before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            _changes.Add($"{what} {Quoted(before)} → {Quoted(after)}");
        }

        return this;
    }

    /// <summary>A number; null is "(none)".</summary>
    public AuditChanges Number(string what, int? before, int? after)
    {
        if (before != after)
        {
            _changes.Add($"{what} {Number(before)} → {Number(after)}");
        }

        return this;
    }

    /// <summary>A yes or no.</summary>
    public AuditChanges Flag(string what, bool before, bool after)
    {
        if (before != after)
        {
            _changes.Add($"{what} {YesNo(before)} → {YesNo(after)}");
        }

        return this;
    }

    /// <summary>A list of names, each quoted, in their order; an empty one is "(none)".</summary>
    public AuditChanges List(string what, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (!before.SequenceEqual(after, StringComparer.Ordinal))
        {
            _changes.Add($"{what} {Listed(before)} → {Listed(after)}");
        }

        return this;
    }

    public static string Quoted(string? text) => text is null ? "(none)" : $"\"{text}\"";

    public static string YesNo(bool value) => value ? "yes" : "no";

    private static string Number(int? value) => value is { } n ? n.ToString(CultureInfo.InvariantCulture) : "(none)";

    private static string Listed(IReadOnlyList<string> names) => names.Count == 0 ? "(none)" : string.Join(", ", names.Select(n => Quoted(n)));

    public override string ToString() => string.Join("; ", _changes);
}
