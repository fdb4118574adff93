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
using Rollouter.Import.Web.Security;

namespace Rollouter.Import.Web.Imports;

/// <summary>
/// The import services and Hangfire. The one place that chooses Hangfire's storage by database provider:
/// SQLite → in memory (imports left In Progress are enqueued again at start-up), PostgreSQL → Hangfire.PostgreSql and
/// SQL Server → Hangfire.SqlServer on the application's own database, so several instances share the queue.
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
        services.AddScoped<ImportProcessor>();
        services.AddScoped<ImportService>();
        services.AddScoped<ImportJob>();
        services.AddSingleton<ImportProgressRegistry>();

        // Storage is a DI singleton, never Hangfire's static JobStorage.Current: several apps (tests) share a process.
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
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = Math.Max(1, settings.Workers);
            o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
        });
        return services;
    }

    /// <summary>
    /// On SQLite (in-memory queue) enqueues every import left In Progress by a stop or crash: the write is one
    /// transaction, so nothing of it was kept, and the job runs it again from the start.
    /// </summary>
    public static async Task ResumeInterruptedImportsAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        if (DatabaseProviders.FromProviderName(db.Database.ProviderName) != DatabaseProvider.Sqlite)
        {
            return;
        }

        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ImportJobsSetup));
        var interrupted = await db.Imports.Where(i => i.Status == ImportStatus.InProgress).Select(i => i.Id).ToListAsync(ct);
        foreach (var id in interrupted)
        {
            jobs.Enqueue<ImportJob>(job => job.RunAsync(id, CancellationToken.None));
            logger.LogWarning("Import {ImportId} was left In Progress; it is run again", id);
        }
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
