using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A start on a full disk says so in one line, and leaves nothing half-written. The disk is a <see cref="FullDisk"/>:
/// a new file is made (as on a real full disk, where an empty file takes no block), and its first bytes are refused
/// with ENOSPC, as Linux refuses them.
/// </summary>
public sealed class StartupFullDiskTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rollouter-full-start-").FullName;

    private readonly FullDisk _disk = new() { Full = true };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// QA: a first start without a signing key (a moved data folder) on a full disk printed a stack trace, and each
    /// attempt left an empty <c>api-signing-key.&lt;guid&gt;</c> behind, so a restart loop filled the folder with them.
    /// </summary>
    [Fact]
    public void ANewSigningKeyOnAFullDisk_StopsTheStartInOneSentence_AndLeavesNoFile()
    {
        var configuration = new ConfigurationBuilder().Build();

        var refused = Assert.Throws<StartupFailureException>(() => ApiTokens.LoadKey(configuration, _folder, _disk.Create));

        Assert.StartsWith("the data folder's disk is full: the API signing key could not be written to " +
            Path.Combine(_folder, "api-signing-key") + " (No space left on device", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("Free some space on it (or set Rollouter:Api:SigningKey), then start again.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(refused.Message, StartupChecks.Explain(refused, configuration));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    /// <summary>
    /// QA: the data folder's start-up check wrote an empty file, which a full disk takes, so the start went on and failed
    /// later with SQLite's "disk I/O error". It writes a few KB now, and a full disk stops the start there.
    /// </summary>
    [Fact]
    public void TheDataFolderCheck_OnAFullDisk_StopsTheStart_SayingTheDiskIsFull_AndLeavesNoFile()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rollouter:DataFolder"] = _folder,
        }).Build();

        var refused = Assert.Throws<StartupFailureException>(() => StartupChecks.Check(configuration, _folder, _disk.Create));

        Assert.Equal($"its configuration is not valid. Rollouter:DataFolder ({_folder}) cannot be used: its disk is full " +
            "(No space left on device). Free some space on it, then start again.", refused.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    /// <summary>
    /// QA: with the key present, the start on a full disk ended with "SQLite Error 10: 'disk I/O error'", which does not
    /// say what to do. When SQLite fails so and its folder takes no check file, the line says the disk is full.
    /// </summary>
    [Fact]
    public void SqlitesDiskIOError_WhenItsFolderIsFull_IsToldAsAFullDisk()
    {
        var file = Path.Combine(_folder, "rollouter.db");
        using var connection = new SqliteConnection($"Data Source={file}");
        var error = new SqliteException("SQLite Error 10: 'disk I/O error'.", 10);

        Assert.Equal($"the SQLite database {file} (ConnectionStrings:Sqlite) could not be used: the disk of its folder " +
            $"{_folder} is full (SQLite Error 10: 'disk I/O error'). Free some space there, then start again.",
            StartupChecks.DatabaseProblem(error, DatabaseProvider.Sqlite, connection, _disk.Create));
        // A disk with room: the error is SQLite's own (a failing disk is not called full).
        Assert.Equal($"the SQLite database {file} (ConnectionStrings:Sqlite) could not be used: SQLite Error 10: 'disk I/O error'.",
            StartupChecks.DatabaseProblem(error, DatabaseProvider.Sqlite, connection));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }
}
