using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Files;

/// <summary>
/// A full disk is the server's problem, told as one (507), and leaves no half-written file behind: neither an upload
/// nor an import's cached copy.
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("full-disk-").FullName;

    private readonly FullDisk _disk = new() { Full = true };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheErrorOfARealFullDevice_IsRecognisedAsAFullDisk()
    {
        Assert.True(LocalDisk.IsFull(FullDisk.NoSpace()));
        Assert.False(LocalDisk.IsFull(new IOException("The pipe is broken.")));
        Assert.False(LocalDisk.IsFull(new InvalidOperationException()));
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/full"))
        {
            return;
        }

        // /dev/full answers every write with ENOSPC, as a full file system does: .NET's own exception for it.
        using var device = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);

        var error = Assert.ThrowsAny<IOException>(() => device.Write(new byte[4096]));

        Assert.True(LocalDisk.IsFull(error), $"HResult {error.HResult}: {error.Message}");
    }

    [Fact]
    public async Task AnUploadOntoAFullDisk_IsRefusedWith507_AndLeavesNoFile()
    {
        var uploads = Path.Combine(_folder, "uploads");

        var received = await new ImportUploads(uploads, ReaderLimits.Default, createFile: _disk.Create)
            .ReceiveAsync(new MemoryStream(new byte[100_000]), default);

        Assert.True(received.Failed);
        Assert.Equal(ProblemKind.InsufficientStorage, received.Problem.Kind);
        Assert.Equal("The server has no room to store this file; ask your administrator.", received.Problem.Message);
        Assert.Empty(Directory.GetFiles(uploads));
    }

    [Fact]
    public async Task ACachedCopyThatDoesNotFitOnTheDisk_IsRefusedWith507_LeavesNoPartialFile_AndIsWrittenOnceThereIsRoom()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var import = await KeptImportAsync(database);
        var cache = Path.Combine(_folder, "cache");
        await using var db = database.CreateContext();
        var store = new ImportFileStore(db, cache, createFile: _disk.Create);

        var refused = await store.OpenAsync(import, ReaderLimits.Default, default);

        Assert.False(refused.Succeeded);
        Assert.Equal(ProblemKind.InsufficientStorage, Problem.FromFile(refused.Problem).Kind);
        Assert.Equal(LocalDisk.ReadMessage, refused.Problem.Message);
        Assert.Empty(Directory.GetFiles(cache));

        _disk.Full = false;
        var opened = await store.OpenAsync(import, ReaderLimits.Default, default);
        Assert.True(opened.Succeeded, opened.Problem?.Message);
        opened.File.Dispose();
        Assert.Single(Directory.GetFiles(cache));
    }

    [Fact]
    public async Task ACachedCopyWhoseWriteBreaksOffOtherwise_LeavesNoPartialFile()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var import = await KeptImportAsync(database);
        var cache = Path.Combine(_folder, "cache");
        await using var db = database.CreateContext();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ImportFileStore(db, cache).GetLocalPathAsync(import, cancelled.Token));

        Assert.Empty(Directory.GetFiles(cache));
    }

    [Fact]
    public async Task AFullDisk_IsNotRememberedAsTheFilesProblem()
    {
        var import = new ClientImport { Id = 9, FileName = "clients.csv", FileSha256 = "abc" };
        using var views = new ImportFileViews();
        var full = true;
        var opened = 0;
        var path = Path.Combine(_folder, "clients.csv");
        await File.WriteAllTextAsync(path, "Name\nPC-1\n");
        Task<OpenResult> Open(CancellationToken _)
        {
            opened++;
            return Task.FromResult(full
                ? new OpenResult(null, new FileProblem(FileProblemKind.NoRoom, LocalDisk.ReadMessage))
                : ImportFileReader.Open(path, import.FileName));
        }

        var first = await views.GetAsync(import, Open, default);
        full = false;
        var second = await views.GetAsync(import, Open, default);

        Assert.Equal(ProblemKind.InsufficientStorage, first.Problem?.Kind);
        Assert.Equal(2, opened);
        Assert.Equal(["Name"], second.Expect().Columns.Select(c => c.Header));
    }

    /// <summary>An import whose file is kept in the database and not yet cached on this disk.</summary>
    private static async Task<ClientImport> KeptImportAsync(TestDatabase database)
    {
        var rollout = await TestRollout.AddAsync(database, "A");
        await using var db = database.CreateContext();
        var user = new User { UserName = "m@x.test", Email = "m@x.test", DisplayName = "M", UserCode = "U-1" };
        var import = new ClientImport
        {
            RolloutId = rollout.RolloutId, InventoryId = rollout.InventoryId, FileName = "clients.csv", CreatedBy = user,
        };
        db.Imports.Add(import);
        await db.SaveChangesAsync();
        var content = "Name\n" + string.Concat(Enumerable.Range(1, 100).Select(i => $"PC-{i}\n"));
        (import.FileSize, import.FileSha256) = await new ImportFileStore(db, Path.GetTempPath())
            .SaveAsync(import.Id, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), default);
        await db.SaveChangesAsync();
        return import;
    }
}
