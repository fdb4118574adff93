using Microsoft.Extensions.Logging;

namespace Rollouter.Import.Bench;

/// <summary>Shows the processor's phase timings on standard error, keeping standard output for the figures.</summary>
public sealed class StderrLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter) => Console.Error.WriteLine($"  {formatter(state, exception)}");
}
