using System.Text.RegularExpressions;
using Serilog;
using Serilog.Debugging;
using Serilog.Events;

namespace Rollouter.Import.Web.Infrastructure;

public static partial class StartupChecks
{
    /// <summary>Serilog's self-log is one for the process: one trial reads it at a time.</summary>
    private static readonly Lock SelfLogGate = new();

    /// <summary>
    /// The <c>Serilog</c> section read as the app's logger will read it (<see cref="LoggingSetup"/>), its files placed in
    /// <paramref name="dataFolder"/>: a level Serilog does not know, named by its setting; a section Serilog refuses
    /// (an assembly under <c>Using</c> that is not there, an entry without a name), with Serilog's reason; and a sink,
    /// enricher or filter that no installed package provides with the arguments given, which Serilog only notes in its
    /// self-log and leaves out (a misspelt "Fiel" left the app without any log). The trial logger is disposed at once.
    /// </summary>
    private static void CheckLogging(IConfiguration configuration, string? dataFolder, List<string> problems)
    {
        var before = problems.Count;
        CheckLevels(configuration, problems);
        if (problems.Count > before || dataFolder is null)
        {
            // Serilog would stop at the first bad level, with a reason that does not name it; the files need the folder.
            return;
        }

        var placed = new ConfigurationBuilder().AddConfiguration(configuration, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(LoggingSetup.FilePathsInDataFolder(configuration, dataFolder)).Build();
        using var said = new StringWriter();
        lock (SelfLogGate)
        {
            SelfLog.Enable(TextWriter.Synchronized(said));
            try
            {
                using var trial = new LoggerConfiguration().ReadFrom.Configuration(placed).CreateLogger();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"The {LoggingSetup.Section} section cannot be read: {FirstLine(Innermost(e).Message)} (see docs/operations.md, Logs).");
                return;
            }
            finally
            {
                SelfLog.Disable();
            }
        }

        foreach (Match missing in MethodNotFound().Matches(said.ToString()))
        {
            var name = missing.Groups["name"].Value;
            var arguments = missing.Groups["arguments"].Value.Trim().TrimEnd('.');
            var entry = NamedEntries(configuration).FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));
            problems.Add($"{entry.Setting ?? LoggingSetup.Section} names \"{name}\", and no installed Serilog package has a " +
                $"sink, enricher or filter of that name that takes the arguments given ({(arguments.Length == 0 ? "none" : arguments)}): " +
                "check its spelling (the shipped sinks are Console and File), its Args, and that its package is listed under " +
                $"{LoggingSetup.Section}:Using (see docs/operations.md, Logs).");
        }
    }

    /// <summary>The minimum levels, as Serilog reads them (a name, ignoring case; <c>$name</c> refers to a level switch).</summary>
    private static void CheckLevels(IConfiguration configuration, List<string> problems)
    {
        var section = configuration.GetSection(LoggingSetup.Section);
        var minimum = section.GetSection("MinimumLevel");
        IEnumerable<IConfigurationSection> levels = [minimum, minimum.GetSection("Default"), .. minimum.GetSection("Override").GetChildren()];
        levels = levels.Concat(section.GetSection("WriteTo").GetChildren().Select(s => s.GetSection("Args:restrictedToMinimumLevel")));
        foreach (var level in levels)
        {
            if (level.Value is { Length: > 0 } value && !value.StartsWith('$')
                && !Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out _))
            {
                problems.Add($"{level.Path} must be Verbose, Debug, Information, Warning, Error or Fatal; \"{value}\" is not.");
            }
        }
    }

    /// <summary>The entries of the sections Serilog calls methods for, each with the setting that names it.</summary>
    private static IEnumerable<(string? Setting, string Name)> NamedEntries(IConfiguration configuration)
    {
        foreach (var kind in new[] { "WriteTo", "AuditTo", "Enrich", "Filter", "Destructure" })
        {
            foreach (var entry in configuration.GetSection($"{LoggingSetup.Section}:{kind}").GetChildren())
            {
                if (entry.Value is { Length: > 0 } method)
                {
                    yield return (entry.Path, method);
                }
                else if (entry["Name"] is { Length: > 0 } name)
                {
                    yield return (entry.Path + ":Name", name);
                }
            }
        }
    }

    private static Exception Innermost(Exception exception) =>
        exception is System.Reflection.TargetInvocationException { InnerException: { } inner } ? Innermost(inner) : exception;

    private static string FirstLine(string text) =>
        text.Split('\n', 2)[0].Trim().TrimEnd('.') + ".";

    /// <summary>Serilog.Settings.Configuration's self-log note for an entry it left out.</summary>
    [GeneratedRegex(@"Unable to find a method called (?<name>\S+?)(?: for supplied arguments: (?<arguments>[^\r\n]*?)| with no supplied arguments)?\. Candidate methods are:",
        RegexOptions.CultureInvariant)]
    private static partial Regex MethodNotFound();
}
