using Microsoft.Data.Sqlite;
using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// SQLite serves one instance of the app: its job queue and its locks (the rollout's write lock, an import's run lock)
/// live in the process. A second instance on the same file would run the first one's imports again at its start and
/// write beside its running imports, so it refuses to start. The instance holds an exclusive lock on
/// <c>{database}.instance</c> for as long as it runs; the operating system drops the lock when the process ends, however
/// it ends, so a crash leaves nothing to clean up.
/// </summary>
public static class SqliteInstanceLock
{
    /// <summary>
    /// The lock of the configured SQLite file, held until disposed; null for another provider or an in-memory database.
    /// Throws <see cref="StartupFailureException"/> when another process holds it.
    /// </summary>
    public static IDisposable? Acquire(IConfiguration configuration, RolloutOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider != DatabaseProvider.Sqlite)
        {
            return null;
        }

        var builder = new SqliteConnectionStringBuilder(
            DatabaseSetup.ConnectionString(configuration, options, DatabaseProvider.Sqlite, contentRoot));
        if (builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            return null;
        }

        var database = Path.GetFullPath(builder.DataSource);
        var lockFile = database + ".instance";
        try
        {
            // FileShare.None: an exclusive lock (flock on Linux and macOS, a share mode on Windows).
            return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StartupFailureException(
                $"another instance of Rollouter.Import uses the SQLite database {database} (it holds {lockFile}). " +
                "SQLite serves one instance: stop the other one, or give this one its own data folder " +
                "(Rollouter:DataFolder). Several instances share a PostgreSQL or SQL Server database " +
                "(docs/operations.md, \"Several instances\").", e);
        }
    }
}
