using Microsoft.Extensions.Configuration;
using Serilog;

namespace Rollouter.Import.Tests.Logging;

/// <summary>
/// Instances that share a data folder write the same daily log file. QA: two processes writing
/// logs/rollouter-YYYYMMDD.log lost lines (and audit events, which are log events): each wrote at its own idea of the
/// file's end, over the other's lines. The shipped file sink (appsettings.json) is shared, so that every line is kept.
/// Two loggers made from that configuration stand for the two processes: without <c>shared</c> they lose lines in one
/// process too.
/// </summary>
public sealed class LogFileSharingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rollouter-log-sharing-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task TwoLoggersFromTheShippedConfiguration_WritingTheSameFile_KeepEveryLine()
    {
        const int linesEach = 300;
        var configuration = FileSinkOnly(Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
        var loggers = Enumerable.Range(0, 2)
            .Select(_ => new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger())
            .ToArray();

        await Task.WhenAll(loggers.Select((logger, n) => Task.Run(() =>
        {
            for (var i = 0; i < linesEach; i++)
            {
                logger.Information("Instance {Instance} line {Line}", n, i);
            }
        })));
        foreach (var logger in loggers)
        {
            logger.Dispose();
        }

        var file = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "logs"), "rollouter-*.log"));
        var lines = File.ReadAllLines(file).Where(l => l.Contains("\"Instance\":", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * linesEach, lines.Count);
        Assert.Equal(linesEach, lines.Count(l => l.Contains("Instance 1 line", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The shipped Serilog section with its file sink only (the console stays quiet), the sink's relative path placed in
    /// this test's folder as the app places it in the data folder (LoggingSetup).
    /// </summary>
    private IConfiguration FileSinkOnly(string appSettings)
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(appSettings).Build();
        var file = shipped.GetSection("Serilog:WriteTo").GetChildren().Single(s => s["Name"] == "File");
        var values = new Dictionary<string, string?>();
        foreach (var (key, value) in shipped.GetSection("Serilog").AsEnumerable(makePathsRelative: true))
        {
            if (!key.StartsWith("WriteTo", StringComparison.Ordinal))
            {
                values["Serilog:" + key] = value;
            }
        }

        foreach (var (key, value) in file.AsEnumerable(makePathsRelative: true))
        {
            values["Serilog:WriteTo:0:" + key] = value;
        }

        values["Serilog:WriteTo:0:Args:path"] = Path.Combine(_folder, file["Args:path"] ?? "");
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
