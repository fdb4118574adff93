using System.Globalization;
using Npgsql;
using Rollouter.Import.Data;

namespace Rollouter.Import.Bench.Load;

/// <summary>
/// The CPU time of the PostgreSQL backends serving the bench's database (PostgreSQL on the same machine), so that a run
/// on a shared machine can be judged by the work it cost rather than by the time it waited for a core. A backend that
/// starts during the run counts from zero; one that ends during it is lost (the app's pool keeps its connections).
/// Nothing on SQLite, whose work is the app's own.
/// </summary>
internal sealed class DatabaseCpu(BenchDatabase database)
{
    private Dictionary<int, double> _start = [];

    public async Task StartAsync() => _start = await SampleAsync();

    /// <summary>The backends' CPU seconds since <see cref="StartAsync"/>, or null when the database is not a local PostgreSQL.</summary>
    public async Task<double?> SecondsAsync()
    {
        if (database.Provider != DatabaseProvider.PostgreSql)
        {
            return null;
        }

        var now = await SampleAsync();
        return now.Count == 0 ? null : now.Sum(p => p.Value - _start.GetValueOrDefault(p.Key));
    }

    private async Task<Dictionary<int, double>> SampleAsync()
    {
        var seconds = new Dictionary<int, double>();
        if (database.Provider != DatabaseProvider.PostgreSql)
        {
            return seconds;
        }

        var name = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database;
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("name", name!);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var pid = reader.GetInt32(0);
            try
            {
                seconds[pid] = ProcessCpu(pid);
            }
            catch (IOException)
            {
                // Not on this machine, or gone meanwhile.
            }
        }

        return seconds;
    }

    /// <summary>A process's CPU time (user and system) from /proc, in seconds.</summary>
    public static double ProcessCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>The machine's load average over the last minute.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
