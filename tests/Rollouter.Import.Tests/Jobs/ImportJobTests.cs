using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Tests.Jobs;

/// <summary>The approval job: one run per import whatever calls it, and nothing written twice.</summary>
public abstract class ImportJobTests(RolloutWebFactory factory)
{
    protected RolloutWebFactory Factory => factory;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>An import created through the API and approved without a job, as after a crash.</summary>
    private async Task<(HttpClient Client, int ImportId, string Name)> InterruptedImportAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var name = Unique("JOB");
        var import = await ApiTestClient.ReadAsync(
            await client.UploadAsync(rolloutId, laptops, "job.csv", $"Name,Department\n{name},IT\n"));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var managerId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, import.Id(), managerId);
        return (client, import.Id(), name);
    }

    private async Task<int> ClientCountAsync(string name)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients.CountAsync(c => c.Name == name);
    }

    private async Task RunJobAsync(int importId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ImportJob>().RunAsync(importId, CancellationToken.None);
    }

    [Fact]
    public async Task TwoRunsOfTheSameImportAtOnce_WriteItOnce_AndItCompletes()
    {
        var (client, importId, name) = await InterruptedImportAsync();

        await Task.WhenAll(Task.Run(() => RunJobAsync(importId)), Task.Run(() => RunJobAsync(importId)));

        var import = await client.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal("Completed", import.Status());
        Assert.Equal(1, import["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task RunningACompletedImportAgain_ChangesNothing()
    {
        var (client, importId, name) = await InterruptedImportAsync();
        await RunJobAsync(importId);
        var finished = await client.GetJsonAsync($"/api/imports/{importId}");

        await RunJobAsync(importId);

        var again = await client.GetJsonAsync($"/api/imports/{importId}");
        Assert.Equal("Completed", again.Status());
        Assert.Equal(finished["finishedAt"]!.GetValue<DateTimeOffset>(), again["finishedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task ImportLeftInProgressWithoutJob_IsEnqueuedAgainAtStartUp_AndCompletes()
    {
        var (client, importId, name) = await InterruptedImportAsync();

        // What Program does after the migrations: an in-memory queue is empty after a restart, and a durable one
        // lacks the job when the app stopped between the approval and the enqueue.
        await ImportJobsSetup.ResumeInterruptedImportsAsync(Factory.Services);

        var result = await client.WaitForResultAsync(importId);
        Assert.Equal("Completed", result.Status());
        Assert.Equal(1, result["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task ImportInProgressWithAWaitingJob_IsNotEnqueuedTwiceAtStartUp()
    {
        var (_, importId, _) = await InterruptedImportAsync();
        var jobs = factory.Services.GetRequiredService<IBackgroundJobClient>();
        var retry = jobs.Schedule<ImportJob>(job => job.RunAsync(importId, CancellationToken.None), TimeSpan.FromHours(1));

        await ImportJobsSetup.ResumeInterruptedImportsAsync(Factory.Services);

        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var others = monitoring.EnqueuedJobs("default", 0, 1000).Select(j => (j.Key, j.Value.Job))
            .Concat(monitoring.ProcessingJobs(0, 1000).Select(j => (j.Key, j.Value.Job)))
            .Concat(monitoring.SucceededJobs(0, 1000).Select(j => (j.Key, j.Value.Job)))
            .Concat(monitoring.FailedJobs(0, 1000).Select(j => (j.Key, j.Value.Job)))
            .Where(j => j.Job?.Type == typeof(ImportJob) && j.Job.Args[0] is int id && id == importId && j.Key != retry)
            .ToList();
        Assert.Empty(others);
        jobs.Delete(retry);
    }
}

public sealed class SqliteImportJobTests(RolloutWebFactory factory)
    : ImportJobTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportJobTests(PostgresWebFactory factory)
    : ImportJobTests(factory), IClassFixture<PostgresWebFactory>;
