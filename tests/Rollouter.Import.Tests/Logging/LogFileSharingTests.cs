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
    /// QA: Serilog's file sink stops a file at 1 GB and, unless told to roll, writes nothing more until the next day: at
    /// 150–330 requests/s the day's file reached it within hours, and the errors and audit events after it were lost.
    /// The shipped sink rolls on to a new file at its size limit, and keeps a bounded number of files. A logger made from
    /// it, with the limit made small, writes every line across several files.
    /// </summary>
    [Fact]
    public void TheShippedFileSink_AtItsSizeLimit_GoesOnInANewFile_AndKeepsEveryLine()
    {
        const int lines = 1_000;
        var appSettings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var shipped = new ConfigurationBuilder().AddJsonFile(appSettings).Build()
            .GetSection("Serilog:WriteTo").GetChildren().Single(s => s["Name"] == "File");
        Assert.Equal("True", shipped["Args:rollOnFileSizeLimit"], ignoreCase: true);
        // The worst case docs/operations.md states: 100 files of 100 MB (10 GB), each day's files gone after 14 days.
        Assert.Equal("104857600", shipped["Args:fileSizeLimitBytes"]);
        Assert.Equal("100", shipped["Args:retainedFileCountLimit"]);
        Assert.Equal("14.00:00:00", shipped["Args:retainedFileTimeLimit"]);

        var configuration = FileSinkOnly(appSettings, new() { ["fileSizeLimitBytes"] = "20000" });
        using (var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger())
        {
            for (var i = 0; i < lines; i++)
            {
                logger.Information("Line {Line} of a day with many requests {Padding}", i, new string('x', 100));
            }
        }

        var files = Directory.GetFiles(Path.Combine(_folder, "logs"), "rollouter-*.log");
        Assert.True(files.Length > 1, $"{files.Length} file.");
        var written = files.SelectMany(File.ReadAllLines).Where(l => l.Contains("\"Line\":", StringComparison.Ordinal)).ToList();
        Assert.Equal(lines, written.Count);
    }

    /// <summary>
    /// The shipped Serilog section with its file sink only (the console stays quiet), the sink's relative path placed in
    /// this test's folder as the app places it in the data folder (LoggingSetup), and the sink's <paramref name="args"/>
    /// changed.
    /// </summary>
    private IConfiguration FileSinkOnly(string appSettings, Dictionary<string, string>? args = null)
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
        foreach (var (name, value) in args ?? [])
        {
            values["Serilog:WriteTo:0:Args:" + name] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
