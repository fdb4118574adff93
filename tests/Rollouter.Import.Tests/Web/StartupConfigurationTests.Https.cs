using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// An https address to listen on and its certificate. QA: an https address without a certificate (none configured, no
/// development certificate) stopped the start only once the database was set up, with Kestrel's exception, its stack
/// trace and the advice to run `dotnet dev-certs`. The app runs with HOME in an empty folder, so that no development
/// certificate of the machine's user is found.
/// </summary>
public sealed partial class StartupConfigurationTests
{
    private const string ConfigureCertificate =
        ": set Kestrel:Certificates:Default:Path to the certificate's .pfx file and Kestrel:Certificates:Default:Password " +
        "to its password (or Path to a .pem certificate and Kestrel:Certificates:Default:KeyPath to its key), or listen " +
        "on http behind a reverse proxy that holds the certificate (see docs/operations.md, HTTPS).";

    /// <summary>HOME in an empty folder of the data folder, made before the start.</summary>
    private static Dictionary<string, string> WithEmptyHome(Dictionary<string, string>? variables = null) =>
        new(variables ?? []) { ["HOME"] = "{data}/home" };

    private static void MakeHome(string dataFolder) => Directory.CreateDirectory(Path.Combine(dataFolder, "home"));

    [Theory]
    [InlineData("https://127.0.0.1:0", null, null, "--urls (or ASPNETCORE_URLS) holds \"https://127.0.0.1:0\"")]
    [InlineData("http://127.0.0.1:0;https://127.0.0.1:0", null, null, "--urls (or ASPNETCORE_URLS) holds \"https://127.0.0.1:0\"")]
    [InlineData("", "ASPNETCORE_HTTPS_PORTS", "0", "ASPNETCORE_HTTPS_PORTS (the setting https_ports) holds \"0\"")]
    [InlineData("http://127.0.0.1:0", "Kestrel__Endpoints__Secure__Url", "https://127.0.0.1:0", "Kestrel:Endpoints:Secure:Url is \"https://127.0.0.1:0\"")]
    public async Task AnHttpsAddressWithoutACertificate_StopsTheStart_InOneLineSayingWhatToConfigure(
        string urls, string? variable, string? value, string named)
    {
        var variables = WithEmptyHome(variable is null || value is null ? null : new() { [variable] = value });

        var (exitCode, said, databaseTouched) = await StartAsync(variables, prepare: MakeHome, urls: urls);

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains($"Rollouter.Import did not start: its configuration is not valid. {named}, an https address, and no " +
            "certificate is configured for it (nor has this user an ASP.NET Core development certificate)" + ConfigureCertificate,
            failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.DoesNotContain("dev-certs", said, StringComparison.Ordinal);
        Assert.False(databaseTouched, "The database was touched.");
    }

    /// <summary>Kestrel loads the default certificate whatever the addresses: a file that is not there failed the start after the database too.</summary>
    [Fact]
    public async Task ACertificateFileThatIsNotThere_StopsTheStart_InOneLineNamingTheSetting()
    {
        var (exitCode, said, databaseTouched) = await StartAsync(
            WithEmptyHome(new() { ["Kestrel__Certificates__Default__Path"] = "certs/rollouter.pfx" }), prepare: MakeHome);

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains("Kestrel:Certificates:Default:Path names \"certs/rollouter.pfx\", which is not a file (a relative path " +
            "is read from ", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.False(databaseTouched, "The database was touched.");
    }

    /// <summary>The way operations.md gives: a .pfx file and its password; the app starts and answers over https.</summary>
    [Fact]
    public async Task AnHttpsAddressWithACertificateConfigured_Starts_AndAnswersOverHttps()
    {
        var dataFolder = Directory.CreateTempSubdirectory("rollouter-https-").FullName;
        try
        {
            MakeHome(dataFolder);
            using (var key = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                await File.WriteAllBytesAsync(Path.Combine(dataFolder, "rollouter.pfx"), certificate.Export(X509ContentType.Pfx, "Pfx-Secret-1"));
            }

            var start = AppStart(dataFolder, new()
            {
                ["HOME"] = "{data}/home",
                ["Kestrel__Certificates__Default__Path"] = "rollouter.pfx",
                ["Kestrel__Certificates__Default__Password"] = "Pfx-Secret-1",
            }, urls: "https://127.0.0.1:0");
            using var process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
            try
            {
                var errors = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                string? address = null;
                while (address is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    if (line.Contains("did not start", StringComparison.Ordinal))
                    {
                        Assert.Fail(line);
                    }

                    var at = line.IndexOf("Now listening on: https://", StringComparison.Ordinal);
                    address = at < 0 ? null : line[(at + "Now listening on: ".Length)..].Trim();
                }

                if (address is null)
                {
                    Assert.Fail("The app ended without listening: " + await errors);
                }

                // The app logs on: what it writes is read on, lest a full pipe stop it.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
                using var client = new HttpClient(handler);
                var health = await client.GetAsync(new Uri(new Uri(address), "/health"), timeout.Token);
                Assert.True(health.IsSuccessStatusCode, $"GET {address}/health: {(int)health.StatusCode}");
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    /// <summary>
    /// A development certificate Kestrel finds out of date passes the check (it looks for one, as Kestrel does) and Kestrel
    /// refuses the address: that refusal is told in the same way, in one line.
    /// </summary>
    [Fact]
    public void KestrelsOwnRefusalOfAnHttpsAddress_IsToldInOneLine_SayingWhatToConfigure()
    {
        var kestrel = new InvalidOperationException("Unable to configure HTTPS endpoint. No server certificate was specified, and " +
            "the default developer certificate could not be found or is out of date.\nTo generate a developer certificate run " +
            "'dotnet dev-certs https'.");

        Assert.Equal("Kestrel found no certificate for an https address to listen on" + ConfigureCertificate,
            StartupChecks.Explain(kestrel, null));
    }
}
