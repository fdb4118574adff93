using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// The import services and Hangfire. The one place that chooses Hangfire's storage by database provider:
/// SQLite → in memory, PostgreSQL → Hangfire.PostgreSql and
/// SQL Server → Hangfire.SqlServer on the application's own database, so several instances share the queue.
/// At start-up, imports left In Progress without a job are enqueued again.
/// </summary>
public static class ImportJobsSetup
{
    public static IServiceCollection AddRollouterImports(
        this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(RolloutOptions.Section).Get<RolloutOptions>() ?? new RolloutOptions();
        var settings = configuration.GetSection(ImportSettings.Section).Get<ImportSettings>() ?? new ImportSettings();
        var dataFolder = options.ResolveDataFolder(contentRoot);
        services.AddOptions<ImportSettings>().BindConfiguration(ImportSettings.Section);
        services.AddSingleton(ReaderLimits.Default with { MaxFileBytes = settings.MaxFileBytes });
        services.AddScoped(sp => new ImportFileStore(sp.GetRequiredService<RolloutDbContext>(),
            Path.Combine(dataFolder, "import-cache")));
        services.AddSingleton(sp => new ImportUploads(Path.Combine(dataFolder, "uploads"), sp.GetRequiredService<ReaderLimits>()));
        services.AddScoped<ImportProcessor>();
        services.AddScoped<IImportQueue, HangfireImportQueue>();
        services.AddScoped<ImportLifecycle>();
        services.AddSingleton<ImportFileViews>();
        services.AddScoped<ImportsPageBuilder>();
        services.AddScoped<ImportJob>();
        services.AddSingleton<ImportProgressRegistry>();

        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // The processing server with this app's own activator and storage, never Hangfire's static JobActivator.Current
        // (AddHangfireServer ends up with the last app's one when several apps share a process, as the tests do).
        services.AddHostedService(sp => new ImportJobServer(sp, new BackgroundJobServerOptions
        {
            Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()),
            WorkerCount = Math.Max(1, settings.Workers),
            ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}",
        }));
        // Storage is a DI singleton registered after AddHangfire (which registers JobStorage.Current, Hangfire's static
        // one): several apps in one process (the tests) must not share a queue, or one app runs another's jobs.
        var provider = options.Provider;
        var connectionString = DatabaseSetup.ConnectionString(configuration, options, provider, contentRoot);
        services.AddSingleton<JobStorage>(_ => provider switch
        {
            DatabaseProvider.Sqlite => new InMemoryStorage(new InMemoryStorageOptions()),
            DatabaseProvider.PostgreSql => new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString,
                new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true }),
            DatabaseProvider.SqlServer => new SqlServerStorage(connectionString, new SqlServerStorageOptions
            {
                PrepareSchemaIfNecessary = true,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(configuration)),
        });
        return services;
    }

    /// <summary>
    /// Sweeps the local file cache of deleted imports, and enqueues every import left In Progress without a job to run
    /// it: on SQLite (in-memory queue) every one after a
    /// stop or crash; on PostgreSQL and SQL Server (durable queue) those whose job was lost, e.g. a crash between the
    /// approval and the enqueue. The write is one transaction, so nothing of an interrupted run was kept and the job
    /// runs it again from the start; should two instances enqueue the same import, its lock lets only one run write.
    /// </summary>
    public static async Task ResumeInterruptedImportsAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        await scope.ServiceProvider.GetRequiredService<ImportFileStore>().SweepCacheAsync(ct);
        var interrupted = await db.Imports.Where(i => i.Status == ImportStatus.InProgress).Select(i => i.Id).ToListAsync(ct);
        if (interrupted.Count == 0)
        {
            return;
        }

        var queued = ImportsWithJobs(scope.ServiceProvider.GetRequiredService<JobStorage>());
        var queue = scope.ServiceProvider.GetRequiredService<IImportQueue>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ImportJobsSetup));
        foreach (var id in interrupted.Where(id => !queued.Contains(id)))
        {
            queue.Enqueue(id);
            logger.LogWarning("Import {ImportId} was left In Progress without a job; it is run again", id);
        }
    }

    /// <summary>The imports that have a job waiting, scheduled (a retry) or running in the storage.</summary>
    private static HashSet<int> ImportsWithJobs(JobStorage storage)
    {
        const int Most = 10_000;
        var monitoring = storage.GetMonitoringApi();
        var jobs = monitoring.Queues().SelectMany(q => monitoring.EnqueuedJobs(q.Name, 0, Most).Select(j => j.Value?.Job))
            .Concat(monitoring.FetchedJobs("default", 0, Most).Select(j => j.Value?.Job))
            .Concat(monitoring.ProcessingJobs(0, Most).Select(j => j.Value?.Job))
            .Concat(monitoring.ScheduledJobs(0, Most).Select(j => j.Value?.Job));
        return jobs
            .Where(job => job?.Type == typeof(ImportJob) && job.Args.Count > 0 && job.Args[0] is int)
            .Select(job => (int)job!.Args[0])
            .ToHashSet();
    }

    /// <summary>The Hangfire dashboard at /hangfire, for administrators only.</summary>
    public static IEndpointConventionBuilder MapImportJobsDashboard(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new AdministratorDashboardFilter()],
            AppPath = "/",
            DisplayStorageConnectionString = false,
        });

    /// <summary>Lets only a signed-in administrator (cookie) open the dashboard.</summary>
    private sealed class AdministratorDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.Identity?.IsAuthenticated == true && user.IsAdministrator();
        }
    }
}

/// <summary>Runs Hangfire's processing server for the lifetime of the app.</summary>
internal sealed class ImportJobServer(IServiceProvider services, BackgroundJobServerOptions options) : IHostedService, IDisposable
{
    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new BackgroundJobServer(options, services.GetRequiredService<JobStorage>());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Taken once: a Dispose racing with the wait (a test host torn down while it stops) must not dispose the
        // server under WaitForShutdownAsync, which then throws ObjectDisposedException from Hangfire's wait handle.
        var server = Interlocked.Exchange(ref _server, null);
        if (server is null)
        {
            return;
        }

        server.SendStop();
        try
        {
            await server.WaitForShutdownAsync(cancellationToken);
        }
        finally
        {
            server.Dispose();
        }
    }

    public void Dispose() => Interlocked.Exchange(ref _server, null)?.Dispose();
}
