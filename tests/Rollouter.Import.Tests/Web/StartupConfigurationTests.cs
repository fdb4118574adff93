using System.Diagnostics;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A bad setting stops the app at start-up with a message naming the setting, before the database is touched, instead
/// of an app that runs and misbehaves. The real app, as its own process, as an operator starts it.
/// </summary>
public sealed class StartupConfigurationTests
{
    [Theory]
    [InlineData("Rollouter__Imports__Workers", "0", "Rollouter:Imports:Workers must be between 1 and 64.")]
    [InlineData("Rollouter__Imports__MaxFileBytes", "-5", "Rollouter:Imports:MaxFileBytes must be a positive number of bytes.")]
    [InlineData("Rollouter__SignIn__FailuresPerEmail", "0", "Rollouter:SignIn:FailuresPerEmail must be 1 or more.")]
    public async Task ABadSetting_StopsTheStart_NamingTheSetting(string variable, string value, string message)
    {
        var dataFolder = Directory.CreateTempSubdirectory("rollouter-config-").FullName;
        try
        {
            var start = new ProcessStartInfo(DotnetHost(),
                [Path.Combine(AppContext.BaseDirectory, "Rollouter.Import.Web.dll"), "--urls", "http://127.0.0.1:0"])
            {
                WorkingDirectory = dataFolder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment["Rollouter__DataFolder"] = dataFolder;
            start.Environment[variable] = value;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            // Bounded: an app that ignores the setting runs on; the test stops it and fails.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"The app started with {variable}={value}.");
            }

            var said = await output + await errors;
            Assert.Equal(1, process.ExitCode);
            Assert.Contains(message, said);
            Assert.DoesNotContain("   at ", said);
            Assert.False(File.Exists(Path.Combine(dataFolder, "rollouter.db")), "The database was touched.");
        }
        finally
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
