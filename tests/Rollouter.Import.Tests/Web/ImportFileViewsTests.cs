using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Tests.Reading;
using Rollouter.Import.Web.Features.Imports;

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
        Assert.Same(first.View, second.View);
        Assert.Equal(["Name", "Status"], first.View!.Columns.Select(c => c.Header));
        Assert.Equal(["PC-1", "PC-2"], first.View.SampleRows.Select(r => r[0]));

        import.ParseOptions = new ParseOptions(HeaderRow: 2).ToJson();
        var reread = await views.GetAsync(import, Open, default);

        Assert.Equal(2, opened);
        Assert.Equal(["PC-1", "New"], reread.View!.Columns.Select(c => c.Header));
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

        var (view, problem) = await views.GetAsync(import, Open, default);
        await views.GetAsync(import, Open, default);

        Assert.Null(view);
        Assert.Equal(FileProblemKind.Empty, problem!.Kind);
        Assert.Equal(1, opened);

        import.FileSha256 = "two";
        await views.GetAsync(import, Open, default);
        Assert.Equal(2, opened);
    }

    public void Dispose() => files.Dispose();
}
