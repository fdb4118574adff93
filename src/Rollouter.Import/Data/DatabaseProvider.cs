using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

/// <summary>The one place that turns a provider name into EF Core options and a migrations assembly.</summary>
public static class DatabaseProviders
{
    public const string MigrationsAssemblyPrefix = "Rollouter.Import.Migrations.";

    public static string MigrationsAssembly(DatabaseProvider provider) => MigrationsAssemblyPrefix + provider;

    public static DatabaseProvider Parse(string? value) =>
        Enum.TryParse<DatabaseProvider>(value, ignoreCase: true, out var provider)
            ? provider
            : value?.Trim().ToLowerInvariant() switch
            {
                "postgres" or "postgresql" or "npgsql" => DatabaseProvider.PostgreSql,
                "mssql" or "sqlserver" => DatabaseProvider.SqlServer,
                _ => throw new InvalidOperationException(
                    $"Unknown database provider '{value}'. Use Sqlite, PostgreSql or SqlServer."),
            };

    public static DatabaseProvider FromProviderName(string? efProviderName) => efProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => DatabaseProvider.Sqlite,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => DatabaseProvider.PostgreSql,
        "Microsoft.EntityFrameworkCore.SqlServer" => DatabaseProvider.SqlServer,
        _ => throw new InvalidOperationException($"Unsupported EF Core provider '{efProviderName}'."),
    };

    public static DbContextOptionsBuilder UseRollouterDatabase(
        this DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString) => provider switch
    {
        DatabaseProvider.Sqlite => options.UseSqlite(connectionString,
            o => o.MigrationsAssembly(MigrationsAssembly(provider))),
        DatabaseProvider.PostgreSql => options.UseNpgsql(PostgreSqlConnectionString.ForApplication(connectionString),
            o => o.MigrationsAssembly(MigrationsAssembly(provider))),
        DatabaseProvider.SqlServer => options.UseSqlServer(connectionString,
            o => o.MigrationsAssembly(MigrationsAssembly(provider))),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
