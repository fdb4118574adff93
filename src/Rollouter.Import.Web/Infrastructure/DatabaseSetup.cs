using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Infrastructure;

public static class DatabaseSetup
{
    /// <summary>Registers the DbContext for the configured provider and its connection string.</summary>
    public static IServiceCollection AddRollouterDatabase(
        this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(RolloutOptions.Section).Get<RolloutOptions>() ?? new RolloutOptions();
        var provider = options.Provider;
        var connectionString = ConnectionString(configuration, options, provider, contentRoot);
        // The options are made once for the app (a singleton), not for every request's context: they are the same for
        // every request, and making them (the PostgreSQL connection string parsed twice, EF's options extensions made and
        // compared with the cached ones) was about 2 % of the app's CPU under bench/load (docs/performance.md,
        // 2026-12-06). Whatever else configures the context (the tests' interceptors) must be a singleton too.
        // SQLite: a file deleted, moved away, damaged or replaced while the app runs is told, not written past (decision 0134).
        services.AddSingleton<SqliteFileGuard>();
        services.AddDbContext<RolloutDbContext>((sp, o) =>
            {
                o.UseRollouterDatabase(provider, connectionString);
                if (provider == DatabaseProvider.Sqlite)
                {
                    o.AddInterceptors(sp.GetRequiredService<SqliteFileGuard>());
                }
            },
            contextLifetime: ServiceLifetime.Scoped, optionsLifetime: ServiceLifetime.Singleton);
        return services;
    }

    /// <summary>
    /// The configured provider's connection string; a relative SQLite file is placed in the data folder, and opened
    /// without creating it (<c>Mode=ReadWrite</c>, decision 0134): the start-up makes the file when it is not there
    /// (<see cref="DatabaseInitializer"/>, said at Warning), and a connection opened later never makes a new, empty one
    /// in place of a file deleted while the app runs.
    /// </summary>
    public static string ConnectionString(
        IConfiguration configuration, RolloutOptions options, DatabaseProvider provider, string contentRoot)
    {
        var configured = configuration.GetConnectionString(provider.ToString());
        if (provider != DatabaseProvider.Sqlite)
        {
            return string.IsNullOrWhiteSpace(configured)
                ? throw new InvalidOperationException(
                    $"Database provider {provider} needs the connection string ConnectionStrings:{provider}.")
                : configured;
        }

        var dataFolder = options.ResolveDataFolder(contentRoot);
        Directory.CreateDirectory(dataFolder);
        if (string.IsNullOrWhiteSpace(configured))
        {
            return new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataFolder, "rollouter.db"), Mode = SqliteOpenMode.ReadWrite,
            }.ToString();
        }

        // A relative SQLite file is placed in the data folder, not wherever the process happened to start.
        var builder = new SqliteConnectionStringBuilder(configured);
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
        {
            builder.DataSource = Path.Combine(dataFolder, builder.DataSource);
        }

        if (builder.Mode == SqliteOpenMode.ReadWriteCreate && builder.DataSource != ":memory:")
        {
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        return builder.ToString();
    }
}
