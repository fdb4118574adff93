using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Compares client names by their <see cref="Client.KeyOf(string)"/> (invariant lower case) without making the
/// lower-cased strings: a dictionary of a rollout's names keeps each name once, and looks names up from a span.
/// </summary>
internal sealed class NameKeyComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    public static readonly NameKeyComparer Instance = new();

    private const int StackLimit = 512;

    public bool Equals(string? x, string? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && Equals(x.AsSpan(), y));

    public int GetHashCode(string obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<char> alternate, string other)
    {
        if (alternate.Length != other.Length)
        {
            return false;
        }

        Span<char> a = alternate.Length <= StackLimit ? stackalloc char[alternate.Length] : new char[alternate.Length];
        Span<char> b = other.Length <= StackLimit ? stackalloc char[other.Length] : new char[other.Length];
        Client.KeyOf(alternate, a);
        Client.KeyOf(other, b);
        return a.SequenceEqual(b);
    }

    public int GetHashCode(ReadOnlySpan<char> alternate)
    {
        Span<char> lower = alternate.Length <= StackLimit ? stackalloc char[alternate.Length] : new char[alternate.Length];
        Client.KeyOf(alternate, lower);
        return string.GetHashCode(lower);
    }

    public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();
}
