using System.Data.Common;
using Npgsql;

namespace Rollouter.Import.Data;

/// <summary>
/// What the application adds to a PostgreSQL connection string for its own connections (docs/operations.md,
/// "PostgreSQL connections"): each pooled connection prepares the statements it runs most often (up to
/// <see cref="MaxAutoPrepare"/>), so PostgreSQL plans EF's small lookups once per connection instead of on every request,
/// and a connection returned to the pool keeps them (no <c>DISCARD ALL</c>: the application sets no session state).
/// A connection string that names either setting keeps its own value.
/// </summary>
public static class PostgreSqlConnectionString
{
    public const int MaxAutoPrepare = 64;

    public static string ForApplication(string connectionString)
    {
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())
            .ToHashSet();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!named.Contains("MAXAUTOPREPARE"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!named.Contains("NORESETONCLOSE"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }
}
