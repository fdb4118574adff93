using System.Runtime.CompilerServices;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>Settings of the test process, made before any test runs.</summary>
internal static class TestProcessSettings
{
    /// <summary>
    /// The suite starts dozens of app hosts at once; each would watch its appsettings files for changes, one inotify
    /// instance per file, and Linux allows 128 per user: past that a host cannot start ("The configured user limit (128)
    /// on the number of inotify instances has been reached"), as happened with other test runs on the same machine.
    /// Tests never change those files, so the hosts do not watch them.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() =>
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}
