using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>Every event the app logs, as Serilog hands it to its sinks (the app reads sinks from its services too).</summary>
public sealed class CapturedLogEvents : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>A property's plain value (an int, a string), or null when the event has none.</summary>
    public static object? Value(LogEvent logEvent, string property) =>
        logEvent.Properties.TryGetValue(property, out var value) && value is ScalarValue scalar ? scalar.Value : null;

    public static string? Category(LogEvent logEvent) => Value(logEvent, "SourceContext") as string;
}

/// <summary>The app with its log events captured (<see cref="Logs"/>) and EF Core's commands logged.</summary>
public sealed class LogCapturingWebFactory : RolloutWebFactory
{
    public CapturedLogEvents Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
    }
}
