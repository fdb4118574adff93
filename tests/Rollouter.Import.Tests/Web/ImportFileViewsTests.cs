using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Reading;

namespace Rollouter.Import.Tests.Web;

/// <summary>The import's page and the API open an import's file once per file and parse options.</summary>
public sealed class ImportFileViewsTests : IDisposable
{
    private readonly TestFiles files = new();

    [Fact]
    public async Task TheSameFileWithTheSameOptions_IsOpenedOnce_AndAgainWhenTheOptionsChange()
    {
        var path = files.Write("clients.csv", "Name;Status\nPC-1;New\nPC-2;Done\n"u8.ToArray());
        var import = new ClientImport { Id = 7, FileName = "clients.csv", FileSha256 = "abc", ParseOptions = null };
        using var views = new ImportFileViews();
        var opened = 0;
        Task<OpenResult> Open(CancellationToken _)
        {
            opened++;
            return Task.FromResult(ImportFileReader.Open(path, import.FileName, ParseOptions.FromJson(import.ParseOptions)));
        }

        var first = await views.GetAsync(import, Open, default);
        var second = await views.GetAsync(import, Open, default);

        Assert.Equal(1, opened);
        Assert.Same(first.Value, second.Value);
        Assert.Equal(["Name", "Status"], first.Expect().Columns.Select(c => c.Header));
        Assert.Equal(["PC-1", "PC-2"], first.Expect().SampleRows.Select(r => r[0]));

        import.ParseOptions = new ParseOptions(HeaderRow: 2).ToJson();
        var reread = await views.GetAsync(import, Open, default);

        Assert.Equal(2, opened);
        Assert.Equal(["PC-1", "New"], reread.Expect().Columns.Select(c => c.Header));
    }

    [Fact]
    public async Task AFileThatCannotBeRead_KeepsItsProblem_AndANewUploadIsReadAgain()
    {
        var empty = files.Write("empty.csv", []);
        var import = new ClientImport { Id = 8, FileName = "empty.csv", FileSha256 = "one" };
        using var views = new ImportFileViews();
        var opened = 0;
        Task<OpenResult> Open(CancellationToken _)
        {
            opened++;
            return Task.FromResult(ImportFileReader.Open(empty, import.FileName));
        }

        var first = await views.GetAsync(import, Open, default);
        var again = await views.GetAsync(import, Open, default);

        Assert.True(first.Failed);
        Assert.Equal(ProblemKind.Invalid, first.Problem.Kind);
        Assert.Same(first.Problem, again.Problem);
        Assert.Equal(1, opened);

        import.FileSha256 = "two";
        await views.GetAsync(import, Open, default);
        Assert.Equal(2, opened);
    }

    public void Dispose() => files.Dispose();
}
