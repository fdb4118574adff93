using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Rollouter.Import.Tests.Conventions;

/// <summary>
/// The engine (src/Rollouter.Import) formats what it stores and names (an import's failure message, a row's error, an
/// export's file name) in the invariant culture, whatever thread runs it (decision 0042). CA1305 (an error there, see
/// .editorconfig) catches <c>ToString("N0")</c> and <c>Parse</c> without a culture, but not an interpolated string:
/// <c>$"{count:N0}"</c> formats in the current culture. So an interpolation with a format (<c>{x:N0}</c>,
/// <c>{at:yyyy-MM-dd}</c>, <c>{d:0.#}</c>) must be made by <c>string.Create(CultureInfo.InvariantCulture, …)</c>.
/// </summary>
public sealed class InvariantFormattingTests
{
    [Fact]
    public void EveryFormattedInterpolationInTheEngine_IsInvariant()
    {
        var src = Path.Combine(RepositoryRoot(), "src", "Rollouter.Import");
        var found = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(src, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .SelectMany(f => CultureSensitive(Path.GetRelativePath(RepositoryRoot(), f), File.ReadAllText(f)))
            .ToList();

        Assert.True(found.Count == 0,
            $"{found.Count} interpolation(s) with a format in the current culture; use string.Create(CultureInfo.InvariantCulture, $\"…\"):\n" +
            string.Join("\n", found));
    }

    [Fact]
    public void TheCheck_FindsAFormatOutsideStringCreate_AndNothingElse()
    {
        const string code = """
            var a = $"{n:N0} of {m}";
            var b = string.Create(CultureInfo.InvariantCulture, $"{n:N0} of " + $"{m:N0}");
            var c = $"{n} of {m}";
            var d = Problem.Invalid($"at most {max:N0}" + " more");
            var e = string.Create(CultureInfo.CurrentCulture, $"{n:N0}");
            """;

        var uses = CultureSensitive("x.cs", code).ToList();

        Assert.Equal(["x.cs:1", "x.cs:4", "x.cs:5"], uses.Select(u => u[..u.IndexOf(':', 5)]));
    }

    private static IEnumerable<string> CultureSensitive(string name, string code) =>
        CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot()
            .DescendantNodes()
            .OfType<InterpolatedStringExpressionSyntax>()
            .Where(s => s.Contents.OfType<InterpolationSyntax>().Any(i => i.FormatClause is not null))
            .Where(s => !MadeInvariant(s))
            .Select(s => $"{name}:{s.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {s}");

    /// <summary>The string, or the sum of interpolated strings it is part of, is string.Create(CultureInfo.InvariantCulture, …)'s.</summary>
    private static bool MadeInvariant(SyntaxNode node)
    {
        while (node.Parent is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } or ParenthesizedExpressionSyntax)
        {
            node = node.Parent;
        }

        return node.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } list }
            && invocation.Expression.ToString() is "string.Create" or "String.Create"
            && list.Arguments.Count == 2
            && list.Arguments[0].ToString() is "CultureInfo.InvariantCulture" or "System.Globalization.CultureInfo.InvariantCulture";
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rollouter.Import.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Rollouter.Import.sln above {AppContext.BaseDirectory}.");
    }
}
