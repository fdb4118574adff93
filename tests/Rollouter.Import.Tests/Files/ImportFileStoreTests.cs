using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Files;

public class ImportFileStoreTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task SavedFile_ComesBackByteForByte_InChunks(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var import = await AddImportAsync(database);
        var content = RandomNumberGenerator.GetBytes(ImportFileStore.ChunkSize * 2 + 12345);
        var cache = Directory.CreateTempSubdirectory().FullName;

        await using (var db = database.CreateContext())
        {
            var (size, sha) = await new ImportFileStore(db, cache).SaveAsync(import.Id, new MemoryStream(content), default);
            Assert.Equal(content.Length, size);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), sha);
            (import.FileSize, import.FileSha256) = (size, sha);
            Assert.Equal(3, await db.ImportFileChunks.CountAsync(c => c.ImportId == import.Id));
        }

        await using (var db = database.CreateContext())
        {
            var path = (await new ImportFileStore(db, cache).GetLocalPathAsync(import, default)).Expect();
            Assert.Equal(content, await File.ReadAllBytesAsync(path));
            Assert.EndsWith(".csv", path);
        }

        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task SavingAgain_ReplacesTheFile()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var import = await AddImportAsync(database);
        await using var db = database.CreateContext();
        var store = new ImportFileStore(db, Path.GetTempPath());

        await store.SaveAsync(import.Id, new MemoryStream(new byte[ImportFileStore.ChunkSize + 1]), default);
        await store.SaveAsync(import.Id, new MemoryStream("Name\nPC-1\n"u8.ToArray()), default);

        var copy = new MemoryStream();
        await store.CopyToAsync(import.Id, copy, default);
        Assert.Equal("Name\nPC-1\n"u8.ToArray(), copy.ToArray());
    }

    [Fact]
    public async Task AnAdoptedUpload_IsTheCachedCopy_SoTheFileIsNotFetchedBackFromTheDatabase()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var import = await AddImportAsync(database);
        var cache = Directory.CreateTempSubdirectory().FullName;
        var upload = Path.Combine(Directory.CreateTempSubdirectory().FullName, "upload.tmp");
        await File.WriteAllTextAsync(upload, "Name\nPC-1\n");
        await using var db = database.CreateContext();
        var store = new ImportFileStore(db, cache);
        await using (var content = File.OpenRead(upload))
        {
            (import.FileSize, import.FileSha256) = await store.SaveAsync(import.Id, content, default);
        }

        store.Adopt(import, upload);
        // Were the copy fetched from the database, it would hold the new content.
        await store.SaveAsync(import.Id, new MemoryStream("Name\nOTHER\n"u8.ToArray()), default);

        Assert.False(File.Exists(upload));
        Assert.Equal("Name\nPC-1\n", await File.ReadAllTextAsync((await store.GetLocalPathAsync(import, default)).Expect()));
        Assert.Single(Directory.GetFiles(cache));
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task SweepingTheCache_RemovesOnlyCopiesOfImportsThatNoLongerExist()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var kept = await AddImportAsync(database);
        var cache = Directory.CreateTempSubdirectory().FullName;
        await using var db = database.CreateContext();
        var store = new ImportFileStore(db, cache);
        var (size, sha) = await store.SaveAsync(kept.Id, new MemoryStream("Name\nPC-1\n"u8.ToArray()), default);
        (kept.FileSize, kept.FileSha256) = (size, sha);
        var keptPath = (await store.GetLocalPathAsync(kept, default)).Expect();
        var gone = Path.Combine(cache, $"import-{kept.Id + 1000}-{sha}.csv");
        var goneHalfWritten = gone + "." + Guid.NewGuid().ToString("N") + ".part";
        var unrelated = Path.Combine(cache, "notes.txt");
        foreach (var path in new[] { gone, goneHalfWritten, unrelated })
        {
            await File.WriteAllTextAsync(path, "x");
        }

        Assert.Equal(2, await store.SweepCacheAsync(default));

        Assert.True(File.Exists(keptPath));
        Assert.True(File.Exists(unrelated));
        Assert.False(File.Exists(gone));
        Assert.False(File.Exists(goneHalfWritten));
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task SweepingTheCache_KeepsACopyWrittenWhileItReadsTheImports()
    {
        // An upload (on this instance, or on another sharing the data folder) caches its file while the sweep runs: the
        // sweep read the imports first, then listed the files, so it took the new import's copy for a deleted one's.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var existing = await AddImportAsync(database);
        var cache = Directory.CreateTempSubdirectory().FullName;
        var newcomer = Path.Combine(cache, $"import-{existing.Id + 1}-{new string('a', 64)}.csv");
        var writeDuringTheRead = new AfterReader(() => File.WriteAllText(newcomer, "Name\nPC-1\n"));
        await using var db = new RolloutDbContext(new DbContextOptionsBuilder<RolloutDbContext>(database.Options)
            .AddInterceptors(writeDuringTheRead).Options);

        await new ImportFileStore(db, cache).SweepCacheAsync(default);

        Assert.True(writeDuringTheRead.Ran);
        Assert.True(File.Exists(newcomer));
        Directory.Delete(cache, recursive: true);
    }

    /// <summary>Runs an action once, just after the first query's reader opens: another writer at that moment.</summary>
    private sealed class AfterReader(Action action) : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public bool Ran { get; private set; }

        public override ValueTask<System.Data.Common.DbDataReader> ReaderExecutedAsync(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData eventData, System.Data.Common.DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (!Ran)
            {
                Ran = true;
                action();
            }

            return ValueTask.FromResult(result);
        }
    }

    private static async Task<ClientImport> AddImportAsync(TestDatabase database)
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
        return import;
    }
}
