using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("Rollouter.Import.Tests.Infrastructure.TestRunFramework", "Rollouter.Import.Tests")]

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// xUnit's own framework, plus what must happen once after the last test of the run: dropping the PostgreSQL templates
/// (xUnit 2 has no assembly fixture; the framework is disposed when the run ends).
/// </summary>
public sealed class TestRunFramework : XunitTestFramework
{
    public TestRunFramework(IMessageSink messageSink) : base(messageSink) =>
        DisposalTracker.Add(new AfterTheLastTest());

    private sealed class AfterTheLastTest : IDisposable
    {
        public void Dispose() => PostgresTemplates.DropTemplates();
    }
}
