using Microsoft.Data.SqlClient;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// SQL Server's READ_COMMITTED_SNAPSHOT (docs/decisions/0043). Off, as SQL Server creates a database, a reader waits for
/// the rows a running import has written and not yet committed: an inventory's client list, search and export wait for
/// the import of that inventory and fail after 30 seconds. On, readers see the last committed rows, as on PostgreSQL and
/// SQLite (WAL). Turning it on needs the database to itself, so no migration does it (it would end the app's own
/// start-up lock and every other instance's sessions): the app turns it on for a database it creates, and warns about
/// one it finds without it.
/// </summary>
public static class SqlServerRowVersioning
{
    /// <summary>Whether the current database has READ_COMMITTED_SNAPSHOT on (1) or off (0).</summary>
    internal const string IsOnSql =
        "SELECT CAST([is_read_committed_snapshot_on] AS int) AS [Value] FROM [sys].[databases] WHERE [database_id] = DB_ID()";

    /// <summary>
    /// Turns it on for a database just created, run on a master connection: NO_WAIT fails at once rather than wait
    /// for a session another instance opened on the new database meanwhile (the start-up's warning then says it).
    /// </summary>
    public static string TurnOnSql(string database) =>
        $"ALTER DATABASE {Quoted(database)} SET READ_COMMITTED_SNAPSHOT ON WITH NO_WAIT";

    /// <summary>The command an administrator runs while the app is stopped.</summary>
    public static string AdministratorCommand(string database) =>
        $"ALTER DATABASE {Quoted(database)} SET READ_COMMITTED_SNAPSHOT ON WITH ROLLBACK IMMEDIATE";

    /// <summary>The start-up's one warning line for a database without it; null when it is on.</summary>
    public static string? Warning(string database, bool on) => on
        ? null
        : $"READ_COMMITTED_SNAPSHOT is off for the SQL Server database {Quoted(database)}: while an import runs, the client " +
          "lists, searches and exports of its inventory wait for it to finish and fail after 30 seconds. Stop the app " +
          $"(every instance), run {AdministratorCommand(database)}; and start it again.";

    /// <summary>
    /// After the app created <paramref name="connectionString"/>'s database: READ_COMMITTED_SNAPSHOT on, from master,
    /// before the app uses it. False when SQL Server refused (the start-up's check then warns).
    /// </summary>
    public static async Task<bool> TurnOnAfterCreatingAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var builder = new SqlConnectionStringBuilder(connectionString);
        var database = builder.InitialCatalog;
        if (string.IsNullOrEmpty(database))
        {
            return false;
        }

        builder.InitialCatalog = "master";
        builder.Pooling = false;
        try
        {
            await using var connection = new SqlConnection(builder.ToString());
            await connection.OpenAsync(cancellationToken);
            await using var command = new SqlCommand(TurnOnSql(database), connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("READ_COMMITTED_SNAPSHOT turned on for the new database {Database}", database);
            return true;
        }
        catch (SqlException e)
        {
            logger.LogDebug(e, "READ_COMMITTED_SNAPSHOT could not be turned on for the new database {Database}", database);
            return false;
        }
    }

    /// <summary>The bracketed name, a ']' doubled.</summary>
    private static string Quoted(string database) => "[" + database.Replace("]", "]]", StringComparison.Ordinal) + "]";
}
