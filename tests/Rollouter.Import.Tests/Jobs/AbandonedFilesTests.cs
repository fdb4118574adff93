using System.Text;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Tests.Jobs;

/// <summary>
/// Files a killed process left in the data folder (an upload received when the app was killed, or whose import was
/// committed just before; a cached copy half-written; a failed rows report being downloaded) are swept once they are an hour old: at start-up and every
/// 15 minutes. Younger ones stay, as they may be another instance's, still being written or read.
/// </summary>
public sealed class AbandonedFilesTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private string Uploads => Directory.CreateDirectory(Path.Combine(factory.DataFolder, "uploads")).FullName;

    private string Cache => Directory.CreateDirectory(Path.Combine(factory.DataFolder, "import-cache")).FullName;

    private string Reports => Directory.CreateDirectory(Path.Combine(factory.DataFolder, "reports")).FullName;

    private static string Write(string folder, string name, TimeSpan age)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "Name\nPC-1\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    [Fact]
    public async Task AtStartUp_UploadsAndHalfWrittenCopiesOlderThanAnHour_AreDeleted_YoungerOnesAndCompleteCopiesStay()
    {
        var import = await ImportAsync();
        var copy = Assert.Single(Directory.GetFiles(Cache, $"import-{import.Id}-*"));
        File.SetLastWriteTimeUtc(copy, DateTime.UtcNow.AddDays(-30));
        var killedUpload = Write(Uploads, Guid.NewGuid().ToString("N") + ".upload", TimeSpan.FromHours(2));
        var uploadInProgress = Write(Uploads, Guid.NewGuid().ToString("N") + ".upload", TimeSpan.FromMinutes(5));
        var notAnUpload = Write(Uploads, "notes.txt", TimeSpan.FromDays(2));
        var killedCopy = Write(Cache, $"{Path.GetFileName(copy)}.{Guid.NewGuid():N}.part", TimeSpan.FromHours(2));
        var copyInProgress = Write(Cache, $"{Path.GetFileName(copy)}.{Guid.NewGuid():N}.part", TimeSpan.FromMinutes(5));
        var killedReport = Write(Reports, $"report-{Guid.NewGuid():N}.xlsx", TimeSpan.FromHours(2));
        var reportInProgress = Write(Reports, $"report-{Guid.NewGuid():N}.xlsx", TimeSpan.FromMinutes(5));

        await ImportJobsSetup.ResumeInterruptedImportsAsync(factory.Services);

        Assert.False(File.Exists(killedUpload));
        Assert.False(File.Exists(killedCopy));
        Assert.False(File.Exists(killedReport));
        Assert.True(File.Exists(reportInProgress));
        Assert.True(File.Exists(uploadInProgress));
        Assert.True(File.Exists(copyInProgress));
        Assert.True(File.Exists(notAnUpload));
        Assert.True(File.Exists(copy));
    }

    [Fact]
    public async Task WhileRunning_EveryInstanceSweepsEvery15Minutes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var recovery = new ImportRecovery(factory.Services.GetRequiredService<IServiceScopeFactory>(),
            factory.Services.GetRequiredService<JobStorage>(), clock, NullLogger<ImportRecovery>.Instance);
        await recovery.StartAsync(CancellationToken.None);
        try
        {
            var killedUpload = Write(Uploads, Guid.NewGuid().ToString("N") + ".upload", TimeSpan.FromHours(2));
            var killedCopy = Write(Cache, $"import-{int.MaxValue}-abc.csv.{Guid.NewGuid():N}.part", TimeSpan.FromHours(2));

            clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.True(File.Exists(killedUpload), "swept before 15 minutes");

            clock.Advance(TimeSpan.FromMinutes(15));
            var until = DateTime.UtcNow.AddSeconds(20);
            while ((File.Exists(killedUpload) || File.Exists(killedCopy)) && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }

            Assert.False(File.Exists(killedUpload));
            Assert.False(File.Exists(killedCopy));
        }
        finally
        {
            await recovery.StopAsync(CancellationToken.None);
        }
    }

    private async Task<ClientImport> ImportAsync()
    {
        int rolloutId, inventoryId, userId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            rolloutId = await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync();
            inventoryId = await db.Inventories.Where(i => i.RolloutId == rolloutId && i.Name == "Laptops").Select(i => i.Id).SingleAsync();
            userId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        }

        return (await TestImports.CreateAsync(factory.Services, rolloutId, inventoryId, "swept.csv",
            Encoding.UTF8.GetBytes($"Name\nSWEPT-{Guid.NewGuid():N}\n"), userId)).Import;
    }
}
