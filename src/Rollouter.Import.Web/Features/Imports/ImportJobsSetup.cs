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
/// Imports left In Progress with no live run are run again (<see cref="ImportRecovery"/>).
/// </summary>
public static class ImportJobsSetup
{
    public static IServiceCollection AddRollouterImports(
        this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(RolloutOptions.Section).Get<RolloutOptions>() ?? new RolloutOptions();
        var settings = configuration.GetSection(ImportSettings.Section).Get<ImportSettings>() ?? new ImportSettings();
        var dataFolder = options.ResolveDataFolder(contentRoot);
        services.AddOptions<ImportSettings>().BindConfiguration(ImportSettings.Section).ValidateSettings();
        services.AddSingleton(ReaderLimits.Default with { MaxFileBytes = settings.MaxFileBytes });
        services.AddScoped(sp => new ImportFileStore(sp.GetRequiredService<RolloutDbContext>(),
            Path.Combine(dataFolder, "import-cache"), logger: sp.GetRequiredService<ILogger<ImportFileStore>>()));
        services.AddSingleton(sp => new ImportUploads(Path.Combine(dataFolder, "uploads"), sp.GetRequiredService<ReaderLimits>(),
            logger: sp.GetRequiredService<ILogger<ImportUploads>>()));
        services.AddSingleton(new ReportFiles(Path.Combine(dataFolder, "reports")));
        services.AddScoped<ImportProcessor>();
        services.AddScoped<IImportQueue, HangfireImportQueue>();
        services.AddScoped<ImportLifecycle>();
        services.AddSingleton(new DryRunLimiter(settings.MaxConcurrentChecks ?? DryRunLimiter.DefaultMaxConcurrent));
        services.AddSingleton<ImportFileViews>();
        services.AddScoped<ImportsPageBuilder>();
        services.AddScoped<ImportJob>();
        services.AddScoped<ImportRevertJob>();
        services.AddSingleton(new ImportProgressRegistry(options.Provider));
        services.AddSingleton<ImportRecovery>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportRecovery>());

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
        // A job whose worker died is handed out again once its invisibility timeout passes; the timeout slides (the
        // live worker renews it), so it can be short without a long import being handed out twice. ImportRecovery
        // resumes such an import sooner still; whichever job comes second finds it running or finished.
        var invisibilityTimeout = TimeSpan.FromMinutes(1);
        var postgreSqlOptions = new PostgreSqlStorageOptions
        {
            PrepareSchemaIfNecessary = true,
            InvisibilityTimeout = invisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            // Another instance's enqueue wakes this one's workers within this time (its own wake them at once).
            QueuePollInterval = TimeSpan.FromSeconds(2),
        };
        services.AddSingleton<JobStorage>(_ => provider switch
        {
            DatabaseProvider.Sqlite => new InMemoryStorage(new InMemoryStorageOptions()),
            DatabaseProvider.PostgreSql => new PostgreSqlStorage(
                new NpgsqlConnectionFactory(connectionString, postgreSqlOptions), postgreSqlOptions),
            DatabaseProvider.SqlServer => new SqlServerStorage(connectionString, new SqlServerStorageOptions
            {
                PrepareSchemaIfNecessary = true,
                SlidingInvisibilityTimeout = invisibilityTimeout,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(configuration)),
        });
        return services;
    }

    /// <summary>
    /// At start-up: sweeps the local file cache of deleted imports and the files a killed process left in the data
    /// folder (<see cref="ImportRecovery.SweepFilesAsync"/>), and runs again every import left In Progress with
    /// no live run and no waiting job (<see cref="ImportRecovery"/>): on SQLite (in-memory queue) every one after a stop
    /// or crash; on PostgreSQL and SQL Server those whose instance died with the job, or that lost the job between the
    /// approval and the enqueue. The write is one transaction, so nothing of an interrupted run was kept and the job
    /// runs it again from the start.
    /// </summary>
    public static async Task ResumeInterruptedImportsAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var recovery = services.GetRequiredService<ImportRecovery>();
        await recovery.SweepFilesAsync(cancellationToken);
        await recovery.ResumeAsync(startingUp: true, cancellationToken);
    }

    /// <summary>The Hangfire dashboard at /hangfire, for administrators only.</summary>
    public static IEndpointConventionBuilder MapImportJobsDashboard(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new AdministratorDashboardFilter()],
            AppPath = "/",
            DisplayStorageConnectionString = false,
        });

    /// <summary>Lets only a signed-in administrator (cookie) open the dashboard: <see cref="Policies.Administrator"/>.</summary>
    private sealed class AdministratorDashboardFilter : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            return http.User.Identity?.IsAuthenticated == true && (await http.RequestServices
                .GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationService>()
                .AuthorizeAsync(http.User, null, Policies.Administrator)).Succeeded;
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
