using System.Linq.Expressions;
using System.Reflection;

namespace Rollouter.Import.Data;

/// <summary>
/// Conditions on a text column that ignore case as the app does in C# (<see cref="string.ToUpperInvariant"/>,
/// <see cref="string.ToLowerInvariant"/>), on every database (decision 0051). SQLite's <c>upper()</c> and
/// <c>lower()</c> fold ASCII letters only: "Özlem" was not found by "özlem", and "BÜRORAUM" was not the same name as
/// "Büroraum". So the column, folded by the database, also has each capital (or small) form of the text's own
/// non-ASCII letters replaced by the form the text has (<c>replace(upper(Name), 'ü', 'Ü')</c>): exact for the letters the
/// text holds, which are the only ones that can make the column equal to it or contain it; a letter the text does not
/// hold makes no difference, whatever its case. One replacement per such letter (and per other letter folding to the
/// same one, as "ς" and "σ" to "Σ"), in one query the database's indexes and the page's count and paging run on; on
/// PostgreSQL, whose functions fold every letter, the replacements change nothing. A text of ASCII letters only
/// compares as before. The text's values are parameters, so the statement depends only on how many letters are
/// replaced.
/// </summary>
public static class IgnoringCase
{
    private static readonly MethodInfo ToUpper = typeof(string).GetMethod(nameof(string.ToUpper), Type.EmptyTypes)
        ?? throw new InvalidOperationException("string.ToUpper() is missing.");

    private static readonly MethodInfo ToLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)
        ?? throw new InvalidOperationException("string.ToLower() is missing.");

    private static readonly MethodInfo Replace = typeof(string).GetMethod(nameof(string.Replace), [typeof(string), typeof(string)])
        ?? throw new InvalidOperationException("string.Replace(string, string) is missing.");

    private static readonly MethodInfo ContainsText = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])
        ?? throw new InvalidOperationException("string.Contains(string) is missing.");

    /// <summary>For each capital letter outside ASCII (as <see cref="char.ToUpperInvariant"/> gives it), the other letters that have it as their capital.</summary>
    private static readonly Lazy<ILookup<char, char>> Capitals = new(() => Partners(char.ToUpperInvariant));

    /// <summary>For each small letter outside ASCII, the other letters that have it as their small form.</summary>
    private static readonly Lazy<ILookup<char, char>> Smalls = new(() => Partners(char.ToLowerInvariant));

    /// <summary><c>x =&gt; column(x)</c> is <paramref name="text"/>, ignoring case; a null column is not.</summary>
    public static Expression<Func<T, bool>> Equal<T>(Expression<Func<T, string?>> column, string text)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(text);
        var upper = text.ToUpperInvariant();
        var folded = Folded(column.Body, ToUpper, upper, Capitals.Value);
        return Expression.Lambda<Func<T, bool>>(Expression.Equal(folded, Parameter(upper)), column.Parameters);
    }

    /// <summary><c>x =&gt; column(x)</c> contains <paramref name="text"/>, ignoring case; a null column does not.</summary>
    public static Expression<Func<T, bool>> Containing<T>(Expression<Func<T, string?>> column, string text)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(text);
        var lower = text.ToLowerInvariant();
        var folded = Folded(column.Body, ToLower, lower, Smalls.Value);
        var body = Expression.AndAlso(
            Expression.NotEqual(column.Body, Expression.Constant(null, typeof(string))),
            Expression.Call(folded, ContainsText, Parameter(lower)));
        return Expression.Lambda<Func<T, bool>>(body, column.Parameters);
    }

    /// <summary>One of <paramref name="conditions"/> (on the same entity) holds.</summary>
    public static Expression<Func<T, bool>> Either<T>(params Expression<Func<T, bool>>[] conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        if (conditions.Length == 0)
        {
            throw new ArgumentException("At least one condition is needed.", nameof(conditions));
        }

        var parameter = conditions[0].Parameters[0];
        var body = conditions[0].Body;
        foreach (var condition in conditions.Skip(1))
        {
            body = Expression.OrElse(body, new Substitution(condition.Parameters[0], parameter).Visit(condition.Body));
        }

        return Expression.Lambda<Func<T, bool>>(body, parameter);
    }

    /// <summary>The column folded by the database, then each other form of the text's non-ASCII letters replaced by the text's.</summary>
    private static Expression Folded(Expression column, MethodInfo fold, string folded, ILookup<char, char> partners)
    {
        Expression result = Expression.Call(column, fold);
        foreach (var letter in folded.Where(c => !char.IsAscii(c)).Distinct())
        {
            foreach (var other in partners[letter])
            {
                result = Expression.Call(result, Replace, Parameter(new string(other, 1)), Parameter(new string(letter, 1)));
            }
        }

        return result;
    }

    private static ILookup<char, char> Partners(Func<char, char> fold)
    {
        var pairs = new List<(char Folded, char Other)>();
        for (var c = '\u0080'; c < char.MaxValue; c++)
        {
            if (char.IsSurrogate(c))
            {
                continue;
            }

            var f = fold(c);
            if (f != c && !char.IsAscii(f))
            {
                pairs.Add((f, c));
            }
        }

        return pairs.ToLookup(p => p.Folded, p => p.Other);
    }

    /// <summary>A value the query provider sends as a parameter (a captured variable), not written into the statement.</summary>
    private static MemberExpression Parameter(string value) =>
        Expression.Property(Expression.Constant(new Captured(value)), nameof(Captured.Value));

    private sealed class Captured(string value)
    {
        public string Value { get; } = value;
    }

    private sealed class Substitution(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
