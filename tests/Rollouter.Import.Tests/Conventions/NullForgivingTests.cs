using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Rollouter.Import.Tests.Conventions;

/// <summary>
/// The code says where a value may be missing (nullable types, [NotNullWhen], [MemberNotNullWhen], checks the compiler
/// follows) instead of silencing the compiler with the null-forgiving operator; only the generated migrations may use
/// it (docs/development.md, "Conventions").
/// </summary>
public sealed partial class NullForgivingTests
{
    [Fact]
    public void No_source_file_uses_the_null_forgiving_operator()
    {
        var found = SourceFiles("*.cs").SelectMany(CSharpUses)
            .Concat(SourceFiles("*.cshtml").SelectMany(RazorUses))
            .ToList();

        Assert.True(found.Count == 0,
            $"{found.Count} null-forgiving '!' in src; state the nullability instead (docs/development.md):\n" +
            string.Join("\n", found));
    }

    [Fact]
    public void The_check_finds_the_operator_and_nothing_else()
    {
        const string code = """
            var a = b!.C; var d = e!; f(g!, h![0]); var i = $"{j!.K}";
            var l = !m && n != o; var p = "q!."; // r!.
            """;

        var uses = CSharpUses("x.cs", code).ToList();
        Assert.Equal(5, uses.Count);
        Assert.All(uses, use => Assert.StartsWith("x.cs:1:", use, StringComparison.Ordinal));
        Assert.Equal(2, RazorUses("x.cshtml", "<h1>@Model.Rollout!.Name Done!</h1>\n@(isNew ? \"\" : Model.Type!.Id)").Count());
    }

    private static IEnumerable<string> CSharpUses(string path) => CSharpUses(Relative(path), File.ReadAllText(path));

    /// <summary>Exact: the compiler's own parse, so strings, comments and logical not never count.</summary>
    private static IEnumerable<string> CSharpUses(string name, string code) =>
        CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot()
            .DescendantNodes()
            .Where(n => n.IsKind(SyntaxKind.SuppressNullableWarningExpression))
            .Select(n => $"{name}:{n.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {n}");

    private static IEnumerable<string> RazorUses(string path) => RazorUses(Relative(path), File.ReadAllText(path));

    /// <summary>
    /// In a view, C# and markup mix: a name, ")" or "]" right before "!" and "." "," ";" ")" "]" "}" right after is the
    /// operator (prose puts a space or a quote after its "!").
    /// </summary>
    private static IEnumerable<string> RazorUses(string name, string code) =>
        code.Split('\n').SelectMany((line, i) => RazorOperator().Matches(line).Select(_ => $"{name}:{i + 1}: {line.Trim()}"));

    [GeneratedRegex(@"[\w\)\]]!(?=[.,;\)\]\}])")]
    private static partial Regex RazorOperator();

    /// <summary>The files of src, without build output and without the migrations EF Core generates.</summary>
    private static IEnumerable<string> SourceFiles(string pattern)
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        return Directory.EnumerateFiles(src, pattern, SearchOption.AllDirectories)
            .Where(f => !Relative(f).Split('/').Any(part => part is "bin" or "obj"))
            .Where(f => !GeneratedMigration().IsMatch(Relative(f)));
    }

    [GeneratedRegex(@"^src/Migrations/[^/]+/Migrations/")]
    private static partial Regex GeneratedMigration();

    private static string Relative(string path) => Path.GetRelativePath(RepositoryRoot(), path).Replace('\\', '/');

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
