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
        services.AddDbContext<RolloutDbContext>(o => o.UseRollouterDatabase(provider, connectionString));
        return services;
    }

    /// <summary>The configured provider's connection string; a relative SQLite file is placed in the data folder.</summary>
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
            return new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataFolder, "rollouter.db") }.ToString();
        }

        // A relative SQLite file is placed in the data folder, not wherever the process happened to start.
        var builder = new SqliteConnectionStringBuilder(configured);
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
        {
            builder.DataSource = Path.Combine(dataFolder, builder.DataSource);
        }

        return builder.ToString();
    }
}
