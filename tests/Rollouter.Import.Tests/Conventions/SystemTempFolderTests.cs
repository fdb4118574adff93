using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Rollouter.Import.Tests.Conventions;

/// <summary>
/// The data folder is the one place the app writes (docs/operations.md): uploads, kept files and reports go there, never
/// into the system's temporary folder, which may be small, shared or cleared. QA: <c>ImportFileReader.Open(Stream)</c>,
/// which nothing of the app called, copied a stream that could not seek into it.
/// </summary>
public sealed class SystemTempFolderTests
{
    private static readonly string[] TempFolderMembers = ["GetTempFileName", "GetTempPath", "CreateTempSubdirectory"];

    [Fact]
    public void No_source_file_writes_to_the_systems_temporary_folder()
    {
        var found = SourceFiles().SelectMany(path => Uses(Relative(path), File.ReadAllText(path))).ToList();

        Assert.True(found.Count == 0,
            $"{found.Count} uses of the system's temporary folder in src; write under the data folder instead:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_check_finds_the_calls_and_not_comments_or_strings()
    {
        const string code = """
            var a = Path.GetTempFileName(); var b = System.IO.Path.GetTempPath(); Directory.CreateTempSubdirectory("x");
            // Path.GetTempPath()
            var c = "GetTempFileName";
            """;

        Assert.Equal(3, Uses("x.cs", code).Count());
    }

    /// <summary>Exact: the compiler's own parse, so a comment or a string never counts.</summary>
    private static IEnumerable<string> Uses(string name, string code) =>
        CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot()
            .DescendantNodes()
            .OfType<IdentifierNameSyntax>()
            .Where(n => TempFolderMembers.Contains(n.Identifier.ValueText, StringComparer.Ordinal))
            .Select(n => $"{name}:{n.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {n.Parent}");

    /// <summary>The C# files of src, without build output.</summary>
    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !Relative(f).Split('/').Any(part => part is "bin" or "obj"));

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

        throw new InvalidOperationException("Rollouter.Import.sln not found above " + AppContext.BaseDirectory);
    }
}
