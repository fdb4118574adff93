using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.TestData;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A bad setting, or a database that refuses or cannot be reached, stops the app at start-up with exit code 1 and one
/// line naming the setting (no stack trace, no secret), instead of an app that runs and misbehaves or a crash (exit 134
/// with the exception printed twice). The real app, as its own process, as an operator starts it.
/// </summary>
public sealed partial class StartupConfigurationTests
{
    private const string WrongPassword = "Wr0ng-Secret-Pw";
    private const string ShortKey = "c2hvcnQta2V5"; // base64 of 9 bytes
    private const string WeakPassword = "weakpass1";

    [Theory]
    [InlineData("Rollouter__Imports__Workers", "0", "Rollouter:Imports:Workers must be between 1 and 64.")]
    [InlineData("Rollouter__Imports__MaxFileBytes", "-5", "Rollouter:Imports:MaxFileBytes must be a positive number of bytes.")]
    [InlineData("Rollouter__SignIn__FailuresPerEmail", "0", "Rollouter:SignIn:FailuresPerEmail must be 1 or more.")]
    [InlineData("Rollouter__PublicUrl", "rollouter.example.com", "Rollouter:PublicUrl must be the app's address as its users reach it, with http:// or https://, without a path or a query (e.g. https://rollouter.example.com/): the app is served at the root of its address; \"rollouter.example.com\" is not.")]
    // QA: a path was taken, and the sign-in's ReturnUrl, made of the app's own root paths, led out of it.
    [InlineData("Rollouter__PublicUrl", "https://rollouter.example.com/app/", "Rollouter:PublicUrl must be the app's address as its users reach it, with http:// or https://, without a path or a query (e.g. https://rollouter.example.com/): the app is served at the root of its address; \"https://rollouter.example.com/app/\" is not.")]
    // Behind a proxy (decision 0155): an entry that is neither an address nor a network is named, not ignored.
    [InlineData("Rollouter__TrustedProxies", "127.0.0.1, proxy.internal", "Rollouter:TrustedProxies lists the addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto the app takes, each an IP address (127.0.0.1, ::1) or a network (10.0.0.0/8), separated by commas; \"proxy.internal\" is not.")]
    public async Task ABadSetting_StopsTheStart_NamingTheSetting(string variable, string value, string message)
    {
        var (exitCode, said, databaseTouched) = await StartAsync(new() { [variable] = value });

        Assert.Equal(1, exitCode);
        Assert.Contains($"Rollouter.Import did not start: its configuration is not valid. {message}", said);
        // The attribute's message as the docs quote it, not .NET's "DataAnnotation validation failed for …" around it.
        Assert.DoesNotContain("DataAnnotation", said);
        Assert.DoesNotContain("   at ", said);
        Assert.False(databaseTouched, "The database was touched.");
    }

    public static TheoryData<string, string[], string[], bool> Failures() => new()
    {
        {
            "unknown provider", ["Rollouter__DatabaseProvider=Oracle"],
            ["Rollouter:DatabaseProvider must be Sqlite, PostgreSql or SqlServer; \"Oracle\" is not."], false
        },
        {
            "no connection string", ["Rollouter__DatabaseProvider=PostgreSql"],
            ["ConnectionStrings:PostgreSql must be set when Rollouter:DatabaseProvider is PostgreSql"], false
        },
        {
            "wrong password", ["Rollouter__DatabaseProvider=PostgreSql", "ConnectionStrings__PostgreSql=" + Postgres(port: null, WrongPassword)],
            ["(ConnectionStrings:PostgreSql) could not be used: 28P01: password authentication failed"], false
        },
        {
            "unreachable server", ["Rollouter__DatabaseProvider=PostgreSql", "ConnectionStrings__PostgreSql=" + Postgres(port: 1, WrongPassword)],
            ["(ConnectionStrings:PostgreSql) could not be used: Failed to connect to"], false
        },
        {
            "values that do not convert",
            ["Rollouter__Imports__Workers=abc", "Rollouter__Imports__MaxFileBytes=200MB", "Rollouter__SignIn__FailureRefill=2min"],
            [
                "Rollouter:Imports:Workers must be a whole number", "Rollouter:Imports:MaxFileBytes must be a whole number",
                "Rollouter:SignIn:FailureRefill must be a time span written hh:mm:ss",
            ],
            false
        },
        {
            // QA: an AggregateException and its stack trace (IStartupValidator throws one per settings class).
            "two settings out of range, in two sections",
            ["Rollouter__Imports__Workers=0", "Rollouter__SignIn__AttemptsPerAddressPerMinute=0"],
            [
                "its configuration is not valid. Rollouter:Imports:Workers must be between 1 and 64. " +
                "Rollouter:SignIn:AttemptsPerAddressPerMinute must be 1 or more.",
            ],
            false
        },
        {
            // QA: with values that did not convert, the one out of range was not named.
            "out of range beside values that do not convert",
            ["Rollouter__Imports__Workers=65", "Rollouter__SignIn__FailureRefill=abc", "Rollouter__DemoData=maybe"],
            [
                "Rollouter:DemoData must be true or false; \"maybe\" is not.", "Rollouter:Imports:Workers must be between 1 and 64.",
                "Rollouter:SignIn:FailureRefill must be a time span written hh:mm:ss",
            ],
            false
        },
        {
            "signing key not base64", ["Rollouter__Api__SigningKey=not-base64!"],
            ["Rollouter:Api:SigningKey must be a base64 key of at least 32 bytes", "the configured one is not base64."], false
        },
        {
            "signing key too short", ["Rollouter__Api__SigningKey=" + ShortKey],
            ["Rollouter:Api:SigningKey must be a base64 key of at least 32 bytes", "the configured one holds 9 bytes."], false
        },
        {
            "SQLite folder missing", ["ConnectionStrings__Sqlite=Data Source=/nonexistent/dir/x.db"],
            ["ConnectionStrings:Sqlite names the file /nonexistent/dir/x.db, whose folder /nonexistent/dir does not exist."], false
        },
        {
            "SQLite keyword", ["ConnectionStrings__Sqlite=Foo=bar;Password=" + WrongPassword],
            ["ConnectionStrings:Sqlite is not a valid SQLite connection string", "'foo'"], false
        },
        {
            "data folder cannot be made", ["Rollouter__DataFolder=/proc/rollouter-data"],
            ["Rollouter:DataFolder (/proc/rollouter-data) cannot be used"], false
        },
        {
            "data folder is a file", ["Rollouter__DataFolder={data}/a-file"],
            ["Rollouter:DataFolder must name a folder", "a-file is a file."], false
        },
        {
            // QA: Serilog's own reader refused the level with a stack trace that did not name the setting.
            "bad minimum level", ["Serilog__MinimumLevel__Default=Loud"],
            ["Serilog:MinimumLevel:Default must be Verbose, Debug, Information, Warning, Error or Fatal; \"Loud\" is not."], false
        },
        {
            // QA: a misspelt sink was left out without a word (Serilog's self-log only), so the app logged nowhere.
            "unknown sink name", ["Serilog__WriteTo__0__Name=Fiel"],
            ["Serilog:WriteTo:0:Name names \"Fiel\", and no installed Serilog package has a sink, enricher or filter of that name"], false
        },
        {
            "missing Serilog package", ["Serilog__Using__0=Serilog.Sinks.Nope"],
            ["The Serilog section cannot be read: Could not load file or assembly 'Serilog.Sinks.Nope"], false
        },
        {
            "weak initial password",
            ["Rollouter__InitialAdministrator__Email=it@customer.example", "Rollouter__InitialAdministrator__Password=" + WeakPassword],
            ["Rollouter:InitialAdministrator:Password is not accepted: Passwords must", "at least one uppercase"], true
        },
        {
            "invalid initial email",
            ["Rollouter__InitialAdministrator__Email=it at customer", "Rollouter__InitialAdministrator__Password=Str0ng-Initial!"],
            ["Rollouter:InitialAdministrator:Email is not accepted: Email 'it at customer' is invalid."], true
        },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AFailedStart_ExitsWith1_InOneLineNamingTheSetting(
        string why, string[] variables, string[] messages, bool databaseMade)
    {
        var (exitCode, said, databaseTouched) = await StartAsync(variables.ToDictionary(
            v => v[..v.IndexOf('=', StringComparison.Ordinal)], v => v[(v.IndexOf('=', StringComparison.Ordinal) + 1)..]));

        Assert.True(exitCode == 1, $"{why}: exit code {exitCode}. {said}");
        foreach (var message in messages)
        {
            Assert.Contains(message, said);
        }

        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains("Rollouter.Import did not start: ", failure);
        Assert.DoesNotContain("   at ", said);
        Assert.DoesNotContain("Unhandled exception", said);
        Assert.DoesNotContain(WrongPassword, said);
        Assert.DoesNotContain(ShortKey, said);
        Assert.DoesNotContain(WeakPassword, said);
        Assert.Equal(databaseMade, databaseTouched);
    }

    /// <summary>
    /// The settings classes' own checks at start-up (IStartupValidator, after the services are made) fail together in an
    /// AggregateException, one OptionsValidationException per class: told in one sentence, each message as written.
    /// </summary>
    [Fact]
    public void TheSettingsClassesChecks_FailingTogether_AreOneSentence_WithTheAttributesOwnMessages()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddOptions<Rollouter.Import.Web.Features.Imports.ImportSettings>().Configure(o => o.Workers = 0).ValidateSettings();
        services.AddOptions<Rollouter.Import.Web.Infrastructure.Security.SignInOptions>()
            .Configure(o => o.AttemptsPerAddressPerMinute = 0).ValidateSettings();
        using var provider = services.BuildServiceProvider();

        var thrown = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal("its configuration is not valid. Rollouter:Imports:Workers must be between 1 and 64. " +
            "Rollouter:SignIn:AttemptsPerAddressPerMinute must be 1 or more.", StartupChecks.Explain(thrown, null));
    }

    /// <summary>An exception no check expects is still a failed start: logged once, with its stack, and exit code 1.</summary>
    [Fact]
    public async Task AnUnexpectedFailure_IsLoggedOnce_AndExitsWith1()
    {
        // The kept API signing key is a folder, which nothing checks (a bad Serilog section was the example until it was
        // checked too).
        var (exitCode, said, _) = await StartAsync([],
            prepare: folder => Directory.CreateDirectory(Path.Combine(folder, "api-signing-key")));

        Assert.Equal(1, exitCode);
        Assert.Single(Occurrences().Matches(said));
        Assert.Contains("   at ", said);
        Assert.DoesNotContain("Unhandled exception", said);
    }

    /// <summary>
    /// QA: a bad address to listen on printed Kestrel's exception twice (the host's "Hosting failed to start" and the
    /// app's own line), after the database was set up; "http://nonsense:abc" even listened on port 80. It is checked
    /// with the other settings, before the database is touched, and told in one line.
    /// </summary>
    [Theory]
    [InlineData("http://nonsense:abc", "whose port \"abc\" is not a number")]
    [InlineData("nonsense", "which is not an address")]
    [InlineData("http://localhost:99999", "whose port 99999 is not between 0 and 65535")]
    [InlineData("ftp://localhost:5000", "whose scheme \"ftp\" is neither http nor https")]
    [InlineData("http://localhost:0", "port 0 (a free port) on localhost, which Kestrel cannot bind (use 127.0.0.1:0)")]
    [InlineData(";", "which names no address")]
    [InlineData(" ", "which names no address")]
    public async Task ABadAddressToListenOn_StopsTheStart_InOneLineNamingTheSetting(string urls, string problem)
    {
        var (exitCode, said, databaseTouched) = await StartAsync([], urls: urls);

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains($"Rollouter.Import did not start: its configuration is not valid. --urls (or ASPNETCORE_URLS) holds \"{urls}\", {problem}: " +
            "write each address to listen on as http://host:port or https://host:port", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", said, StringComparison.Ordinal);
        Assert.False(databaseTouched, "The database was touched.");
    }

    /// <summary>
    /// Without --urls Kestrel listens on the ports of ASPNETCORE_HTTP_PORTS / _HTTPS_PORTS, on every address. QA: "abc"
    /// listened on port 80 of every address; a port out of range failed with a stack trace once the database was set up.
    /// (Only values that a Kestrel without the check refuses are tried here: the test must not listen beyond loopback.)
    /// </summary>
    [Theory]
    [InlineData("ASPNETCORE_HTTP_PORTS", "http_ports", "99999")]
    [InlineData("ASPNETCORE_HTTPS_PORTS", "https_ports", "8443;70000")]
    public async Task ABadPortToListenOn_StopsTheStart_InOneLineNamingTheSetting(string variable, string key, string ports)
    {
        var (exitCode, said, databaseTouched) = await StartAsync(new() { [variable] = ports }, urls: "");

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains($"{variable} (the setting {key}) holds \"{ports}\", and \"{ports.Split(';')[^1]}\" is not a port: " +
            "write each port to listen on as a number from 0 to 65535", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.False(databaseTouched, "The database was touched.");
    }

    /// <summary>An address another process listens on: one line, without the host's own report of the same exception.</summary>
    [Fact]
    public async Task AnAddressInUse_StopsTheStart_InOneLine()
    {
        using var other = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        other.Start();
        var port = ((System.Net.IPEndPoint)other.LocalEndpoint).Port;

        var (exitCode, said, _) = await StartAsync([], urls: $"http://127.0.0.1:{port}");

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains("Another process listens there: stop it, or set another address (ASPNETCORE_URLS or --urls).", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondInstanceOnTheSameSqliteFile_DoesNotStart_AndSaysWhy()
    {
        // QA: a second `dotnet run` on the same data folder started without a word. SQLite's job queue and locks live
        // in the process, so at its start it ran the first instance's running import again.
        using var first = new Infrastructure.RolloutWebFactory();
        using (var browser = first.CreateClient())
        {
            Assert.True((await browser.GetAsync("/health")).IsSuccessStatusCode);
        }

        var (exitCode, said, _) = await StartAsync(new() { ["Rollouter__DataFolder"] = first.DataFolder });

        Assert.Equal(1, exitCode);
        Assert.Contains("Rollouter.Import did not start: another instance of Rollouter.Import uses the SQLite database " +
            Path.Combine(first.DataFolder, "rollouter.db"), said, StringComparison.Ordinal);
        Assert.Contains("Several instances share a PostgreSQL or SQL Server database", said, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }

    /// <summary>
    /// QA: with DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 (the default of Alpine and chiseled .NET images) normalising did
    /// nothing, and "Jörg" composed and decomposed were two names. The variable wins over the app's runtimeconfig, so the
    /// app does not start, and says which variable to change.
    /// </summary>
    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    public async Task WithDotnetsInvariantGlobalizationVariableSet_TheAppDoesNotStart_AndSaysWhatToChange(string value)
    {
        var (exitCode, said, databaseTouched) = await StartAsync(new() { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = value });

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains("Rollouter.Import did not start: .NET runs without ICU (invariant globalization mode), so texts cannot be " +
            $"normalised and \"Jörg\" typed on a Mac and on Windows would be two names: DOTNET_SYSTEM_GLOBALIZATION_INVARIANT is \"{value}\": " +
            "set it to 0 (or remove it) and install ICU (the package libicu on Debian and Ubuntu, icu-libs on Alpine)", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.False(databaseTouched, "The database was touched.");
    }

    /// <summary>Where normalising does not work (the runtime in invariant globalization mode), the app does not start, and says what to install.</summary>
    [Fact]
    public async Task WithoutICU_TheAppDoesNotStart_AndSaysWhatToInstall()
    {
        var runtimeConfig = Path.Combine(Path.GetTempPath(), $"rollouter-invariant-{Guid.NewGuid():N}.runtimeconfig.json");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Rollouter.Import.Web.runtimeconfig.json")))
            ?? throw new InvalidOperationException("The app's runtimeconfig.json is empty.");
        var runtimeOptions = config["runtimeOptions"]?.AsObject() ?? throw new InvalidOperationException("No runtimeOptions.");
        if (runtimeOptions["configProperties"] is not JsonObject properties)
        {
            runtimeOptions["configProperties"] = properties = new JsonObject();
        }

        // As an app published with InvariantGlobalization=true runs.
        properties["System.Globalization.Invariant"] = true;
        await File.WriteAllTextAsync(runtimeConfig, config.ToJsonString());
        try
        {
            var (exitCode, said, databaseTouched) = await StartAsync([], runtimeConfig);

            Assert.Equal(1, exitCode);
            var failure = Assert.Single(said.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
            Assert.Contains("Rollouter.Import did not start: .NET runs without ICU (invariant globalization mode)", failure, StringComparison.Ordinal);
            Assert.Contains(": install ICU (the package libicu on Debian and Ubuntu, icu-libs on Alpine), and do not publish the app with InvariantGlobalization=true.", failure, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
            Assert.False(databaseTouched, "The database was touched.");
        }
        finally
        {
            File.Delete(runtimeConfig);
        }
    }

    [GeneratedRegex("Access to the path '[^']*api-signing-key' is denied")]
    private static partial Regex Occurrences();

    private static string Postgres(int? port, string password)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer)
        {
            Database = "rollouter_startup_never_made",
            Password = password,
            Timeout = 5,
        };
        if (port is { } p)
        {
            builder.Port = p;
        }

        return builder.ToString();
    }

    /// <summary>
    /// Starts the app in Production with its own data folder ("{data}" in a value) and the variables, and waits for it
    /// to stop: what it said on stdout and stderr together, and whether it made its SQLite database.
    /// <paramref name="prepare"/> is given the data folder before the start.
    /// </summary>
    private static async Task<(int ExitCode, string Said, bool DatabaseTouched)> StartAsync(Dictionary<string, string> variables,
        string? runtimeConfig = null, Action<string>? prepare = null, string urls = "http://127.0.0.1:0")
    {
        var dataFolder = Directory.CreateTempSubdirectory("rollouter-config-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dataFolder, "a-file"), "");
            prepare?.Invoke(dataFolder);
            var start = AppStart(dataFolder, variables, runtimeConfig, urls);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            // Bounded: an app that ignores the setting runs on; the test stops it and fails.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"The app started with {string.Join(", ", variables.Select(v => $"{v.Key}={v.Value}"))}.");
            }

            return (process.ExitCode, await output + await errors, File.Exists(Path.Combine(dataFolder, "rollouter.db")));
        }
        finally
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    /// <summary>The app as an operator starts it, in Production, with its own data folder ("{data}" in a value) and the variables.</summary>
    private static ProcessStartInfo AppStart(string dataFolder, Dictionary<string, string> variables, string? runtimeConfig = null,
        string urls = "http://127.0.0.1:0")
    {
        string[] host = runtimeConfig is null ? [] : ["exec", "--runtimeconfig", runtimeConfig];
        var start = new ProcessStartInfo(DotnetHost(),
            [.. host, Path.Combine(AppContext.BaseDirectory, "Rollouter.Import.Web.dll"), "--urls", urls])
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
        foreach (var (variable, value) in variables)
        {
            start.Environment[variable] = value.Replace("{data}", dataFolder, StringComparison.Ordinal);
        }

        return start;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
