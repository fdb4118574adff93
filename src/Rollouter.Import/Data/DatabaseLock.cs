using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Rollouter.Import.Data;

/// <summary>
/// A named lock held by one process at a time across every instance that shares the database, for as long as the
/// holder keeps it or its process lives: a session-level advisory lock on PostgreSQL, an application lock owned by the
/// session on SQL Server, each on a connection of its own. When the holder dies (kill -9, a crash) the server ends its
/// session and the lock is free at once, unlike Hangfire's lock rows, which outlive a dead process for ten minutes.
/// SQLite serves one instance (its job queue is in memory), so there the lock is the process's own.
/// </summary>
public sealed class DatabaseLock : IAsyncDisposable
{
    // Arbitrary constants that keep these advisory locks apart from others (the rollout's write lock is 0x524F4C).
    private const int StartUpClass = 0x524F53;
    private const int ImportRunClass = 0x524F49;
    private const int UploadKeyClass = 0x524F4B;

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    private readonly Func<ValueTask> _release;
    private readonly DbConnection? _session;
    private int _released;

    private DatabaseLock(Func<ValueTask> release, DbConnection? session = null)
    {
        _release = release;
        _session = session;
    }

    /// <summary>Migrating, seeding and preparing the job storage: one starting instance at a time.</summary>
    public static DatabaseLockName StartUp { get; } = new("StartUp", StartUpClass, 0);

    /// <summary>Running one import: only its holder checks and writes it.</summary>
    public static DatabaseLockName ImportRun(int importId) => new("ImportRun", ImportRunClass, importId);

    /// <summary>
    /// The uploads of one user into one rollout with one idempotency key: one at a time, so that a retry waits for the
    /// upload it repeats. Named by a hash of the three (two keys that share it only wait for each other).
    /// </summary>
    public static DatabaseLockName UploadKey(int rolloutId, int userId, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{rolloutId}\n{userId}\n{key}")));
        // Never 0, which names a lock without a key (DatabaseLockName.Resource).
        return new("UploadKey", UploadKeyClass, BitConverter.ToInt32(hash, 0) is var value and not 0 ? value : 1);
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="wait"/> (zero: not at all, <see cref="Timeout.InfiniteTimeSpan"/>:
    /// as long as it takes); null when another holder kept it that long.
    /// </summary>
    public static async Task<DatabaseLock?> TryAcquireAsync(
        RolloutDbContext db, DatabaseLockName name, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var connectionString = db.Database.GetConnectionString()
            ?? throw new InvalidOperationException("The database lock needs the context's connection string.");
        return db.Provider switch
        {
            DatabaseProvider.PostgreSql => await PostgreSqlAsync(connectionString, name, wait, cancellationToken),
            DatabaseProvider.SqlServer => await SqlServerAsync(connectionString, name, wait, cancellationToken),
            _ => await InProcessAsync(new SqliteConnectionStringBuilder(connectionString).DataSource, name, wait, cancellationToken),
        };
    }

    /// <summary>Takes the lock, waiting as long as it takes.</summary>
    public static async Task<DatabaseLock> AcquireAsync(RolloutDbContext db, DatabaseLockName name, CancellationToken cancellationToken) =>
        await TryAcquireAsync(db, name, Timeout.InfiniteTimeSpan, cancellationToken)
        ?? throw new InvalidOperationException($"The lock {name.Resource} was not taken.");

    /// <summary>
    /// Whether the lock is still held: false once its session has ended (the server restarted, an administrator or a
    /// network device ended it), after which another instance may take the lock and its import.
    /// </summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            return Volatile.Read(ref _released) == 0;
        }

        try
        {
            await using var command = _session.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            await _release();
        }
    }

    /// <summary>Releases the lock; a session already gone took the lock with it.</summary>
    private static async ValueTask ReleaseAsync(DbConnection session, DbCommand release)
    {
        try
        {
            await using (release)
            {
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
        }
        finally
        {
            await session.DisposeAsync();
        }
    }

    private static async Task<DatabaseLock?> PostgreSqlAsync(
        string connectionString, DatabaseLockName name, TimeSpan wait, CancellationToken cancellationToken)
    {
        // Not pooled: the lock lives and dies with this session, never with a pooled one that outlives Dispose.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }
            .ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            var taken = await RetryAsync(wait, async () =>
            {
                await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, @key)", connection);
                command.Parameters.AddWithValue("class", name.Class);
                command.Parameters.AddWithValue("key", name.Key);
                return Scalar<bool>(await command.ExecuteScalarAsync(cancellationToken), "pg_try_advisory_lock");
            }, cancellationToken);
            if (!taken)
            {
                await connection.DisposeAsync();
                return null;
            }

            return new DatabaseLock(() =>
            {
                var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, @key)", connection);
                unlock.Parameters.AddWithValue("class", name.Class);
                unlock.Parameters.AddWithValue("key", name.Key);
                return ReleaseAsync(connection, unlock);
            }, connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The value a lock function returned. ADO.NET types every scalar as a nullable object; these functions always
    /// return one, so anything else is the server's error, said plainly.
    /// </summary>
    private static T Scalar<T>(object? value, string function) where T : struct =>
        value is T typed
            ? typed
            : throw new InvalidOperationException($"{function} returned {value ?? "NULL"}, not a {typeof(T).Name}.");

    /// <summary>
    /// The lock's own SQL Server session: not pooled (the lock lives and dies with it), and never reconnected. SqlClient
    /// silently reopens a broken idle connection by default (ConnectRetryCount 1): a session an administrator or the
    /// server ended, taking the lock with it, would answer <see cref="IsHeldAsync"/>'s probe on a new session, and the
    /// holder would go on believing it holds a lock another instance may have taken.
    /// </summary>
    internal static string SqlServerSessionConnectionString(string connectionString) =>
        new SqlConnectionStringBuilder(connectionString) { Pooling = false, ConnectRetryCount = 0 }.ToString();

    private static async Task<DatabaseLock?> SqlServerAsync(
        string connectionString, DatabaseLockName name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var connection = new SqlConnection(SqlServerSessionConnectionString(connectionString));
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using (var command = new SqlCommand(
                "DECLARE @result int; EXEC @result = sp_getapplock @Resource = @resource, @LockMode = 'Exclusive', " +
                "@LockOwner = 'Session', @LockTimeout = @timeout; SELECT @result;", connection))
            {
                command.Parameters.AddWithValue("@resource", name.Resource);
                command.Parameters.AddWithValue("@timeout",
                    wait == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Min(int.MaxValue, wait.TotalMilliseconds));
                command.CommandTimeout = 0;
                // 0 granted, 1 granted after waiting; negative: timed out, cancelled or refused.
                if (Scalar<int>(await command.ExecuteScalarAsync(cancellationToken), "sp_getapplock") < 0)
                {
                    await connection.DisposeAsync();
                    return null;
                }
            }

            return new DatabaseLock(() =>
            {
                var release = new SqlCommand("EXEC sp_releaseapplock @Resource = @resource, @LockOwner = 'Session'", connection);
                release.Parameters.AddWithValue("@resource", name.Resource);
                return ReleaseAsync(connection, release);
            }, connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<DatabaseLock?> InProcessAsync(
        string database, DatabaseLockName name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var key = $"{Path.GetFullPath(database)}|{name.Resource}";
        var gate = InProcessGate.Enter(key);
        try
        {
            if (!await gate.Semaphore.WaitAsync(wait, cancellationToken))
            {
                InProcessGate.Leave(key, gate);
                return null;
            }
        }
        catch
        {
            InProcessGate.Leave(key, gate);
            throw;
        }

        return new DatabaseLock(() =>
        {
            gate.Semaphore.Release();
            InProcessGate.Leave(key, gate);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Tries every <see cref="RetryInterval"/> until taken or <paramref name="wait"/> has passed.</summary>
    private static async Task<bool> RetryAsync(TimeSpan wait, Func<Task<bool>> attempt, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await attempt())
            {
                return true;
            }

            if (wait != Timeout.InfiniteTimeSpan && waited.Elapsed + RetryInterval > wait)
            {
                return false;
            }

            await Task.Delay(RetryInterval, cancellationToken);
        }
    }

    /// <summary>One semaphore per lock name while anyone holds or waits for it.</summary>
    private sealed class InProcessGate
    {
        private static readonly Dictionary<string, InProcessGate> Gates = [];

        private int _users;

        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public static InProcessGate Enter(string key)
        {
            lock (Gates)
            {
                if (!Gates.TryGetValue(key, out var gate))
                {
                    Gates[key] = gate = new InProcessGate();
                }

                gate._users++;
                return gate;
            }
        }

        public static void Leave(string key, InProcessGate gate)
        {
            lock (Gates)
            {
                if (--gate._users == 0)
                {
                    Gates.Remove(key);
                    gate.Semaphore.Dispose();
                }
            }
        }
    }
}

/// <summary>A lock's name: an advisory lock's two keys on PostgreSQL, an application lock's resource on SQL Server.</summary>
public sealed record DatabaseLockName(string Kind, int Class, int Key)
{
    public string Resource => Key == 0 ? $"Rollouter.{Kind}" : $"Rollouter.{Kind}.{Key}";
}
