using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// A start-up that fails for a reason the operator can fix (a setting, the database refusing or out of reach): the
/// message names the setting and what is wrong, and is all the console shows (docs/operations.md, Logs → Start-up).
/// </summary>
public sealed class StartupFailureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// What is checked before the app's services are made (they read several settings at once), and how a failed start is
/// told: one line for an expected failure, the exception for anything else.
/// </summary>
public static partial class StartupChecks
{
    /// <summary>
    /// Every setting read while the services are made: typed values that do not convert, the provider, its connection
    /// string, the data folder, the <c>Serilog</c> section, the API signing key, the data protection keys' certificate.
    /// Throws one <see cref="StartupFailureException"/> naming each bad setting; touches no database. Creates the data
    /// folder (as the start would). Returns that certificate, read once here for the services (decision 0154), or null.
    /// </summary>
    public static X509Certificate2? Check(IConfiguration configuration, string contentRoot) => Check(configuration, contentRoot, null);

    /// <param name="createFile">Opens the data folder's check file (<see cref="LocalDisk.WriteCheckFile"/>); a test gives a full disk.</param>
    internal static X509Certificate2? Check(IConfiguration configuration, string contentRoot, Func<string, Stream>? createFile)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        CheckBinding<RolloutOptions>(configuration, RolloutOptions.Section, problems);
        CheckBinding<ImportSettings>(configuration, ImportSettings.Section, problems);
        CheckBinding<SignInOptions>(configuration, SignInOptions.Section, problems);
        if (problems.Count > 0)
        {
            // The other checks read these sections.
            throw new StartupFailureException("its configuration is not valid. " + string.Join(" ", problems));
        }

        var options = configuration.GetSection(RolloutOptions.Section).Get<RolloutOptions>() ?? new RolloutOptions();
        var dataFolder = CheckDataFolder(options, contentRoot, createFile, problems);
        CheckDatabase(configuration, options, contentRoot, dataFolderUsable: dataFolder is not null, problems);
        if (PublicAddress.Problem(options.PublicUrl) is { } publicUrlProblem)
        {
            problems.Add(publicUrlProblem);
        }

        if (Security.TrustedProxies.Problem(configuration) is { } proxiesProblem)
        {
            problems.Add(proxiesProblem);
        }

        CheckLogging(configuration, dataFolder, problems);
        var beforeAddresses = problems.Count;
        CheckAddresses(configuration, problems);
        if (problems.Count == beforeAddresses)
        {
            CheckCertificates(configuration, contentRoot, problems);
        }
        if (configuration[ApiTokens.SigningKeySetting] is { } key && !string.IsNullOrWhiteSpace(key)
            && ApiTokens.KeyProblem(key) is { } keyProblem)
        {
            problems.Add($"{ApiTokens.SigningKeySetting} must be a base64 key of at least 32 bytes (e.g. made with " +
                $"`openssl rand -base64 48`); the configured one {keyProblem}.");
        }

        var (keysCertificate, keysAtRest) = DataProtectionKeysAtRest.Load(configuration, contentRoot);
        if (keysAtRest is not null)
        {
            problems.Add(keysAtRest);
        }

        if (problems.Count > 0)
        {
            keysCertificate?.Dispose();
            throw new StartupFailureException("its configuration is not valid. " + string.Join(" ", problems));
        }

        return keysCertificate;
    }

    /// <summary>
    /// Texts are kept as seen (decision 0041: "Jörg" typed on a Mac and on Windows is one name), which needs Unicode
    /// normalisation from ICU. Without it (.NET's invariant globalization mode) normalising does nothing, and the app
    /// would keep two clients, options or users that look the same. The project writes
    /// <c>System.Globalization.Invariant: false</c> into its runtimeconfig, but the variable
    /// DOTNET_SYSTEM_GLOBALIZATION_INVARIANT, set by Alpine and chiseled .NET images, wins over it; so does a publish
    /// with InvariantGlobalization=true. Throws a <see cref="StartupFailureException"/> saying what to change or install.
    /// </summary>
    public static void CheckGlobalization()
    {
        string composed;
        try
        {
            composed = "o\u0308".Normalize(System.Text.NormalizationForm.FormC);
        }
        catch (PlatformNotSupportedException)
        {
            composed = "";
        }

        if (composed == "\u00F6")
        {
            return;
        }

        const string Variable = "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT";
        var cause = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value && value.Trim() is not ("0" or "false" or "False")
            ? $"{Variable} is \"{value}\": set it to 0 (or remove it) and install ICU"
            : "install ICU";
        throw new StartupFailureException(
            ".NET runs without ICU (invariant globalization mode), so texts cannot be normalised and \"Jörg\" typed on a " +
            $"Mac and on Windows would be two names: {cause} (the package libicu on Debian and Ubuntu, icu-libs on " +
            "Alpine), and do not publish the app with InvariantGlobalization=true.");
    }

    /// <summary>
    /// The reason of an expected failure, in a sentence without secrets, or null for an unexpected one (whose exception
    /// is then logged in full).
    /// </summary>
    public static string? Explain(Exception exception, IConfiguration? configuration) => exception switch
    {
        StartupFailureException e => Redact(e.Message, configuration),
        OptionsValidationException e => Redact("its configuration is not valid. " + string.Join(" ", e.Failures), configuration),
        // IStartupValidator throws the failures of several settings classes together (one per class).
        AggregateException e when e.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(i => i is OptionsValidationException) =>
            Redact("its configuration is not valid. " + string.Join(" ",
                inner.OfType<OptionsValidationException>().SelectMany(i => i.Failures)), configuration),
        AggregateException { InnerExceptions: [var only] } => Explain(only, configuration),
        DatabaseVersionException e => e.Message,
        // Kestrel could not listen: another process has the port.
        IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } e =>
            e.Message + " Another process listens there: stop it, or set another address (ASPNETCORE_URLS or --urls).",
        // An https address without a certificate that CheckCertificates took for there (a development certificate that
        // Kestrel finds out of date): Kestrel's own words advise `dotnet dev-certs`, which is for development.
        InvalidOperationException e when e.Message.StartsWith(KestrelNoCertificate, StringComparison.Ordinal) =>
            "Kestrel found no certificate for an https address to listen on" + ConfigureCertificate,
        _ => null,
    };

    /// <summary>
    /// A database error during the first connections and the migrations, as one sentence naming the connection string
    /// setting; null when <paramref name="exception"/> is not the database's (or the network's) answer.
    /// </summary>
    public static string? DatabaseProblem(Exception exception, DatabaseProvider provider, DbConnection connection) =>
        DatabaseProblem(exception, provider, connection, null);

    /// <param name="createFile">Opens the check file written into a SQLite database's folder when SQLite failed to read
    /// or write (<see cref="LocalDisk.HasNoRoom"/>); a test gives a full disk.</param>
    internal static string? DatabaseProblem(Exception exception, DatabaseProvider provider, DbConnection connection,
        Func<string, Stream>? createFile)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var database = Chain(exception).OfType<DbException>().FirstOrDefault();
        var network = Chain(exception).FirstOrDefault(e => e is SocketException or TimeoutException);
        if (database is null && network is null)
        {
            return null;
        }

        var what = provider == DatabaseProvider.Sqlite
            ? $"the SQLite database {connection.DataSource}"
            : $"the {DisplayName(provider)} database \"{connection.Database}\" on {connection.DataSource}";
        var why = (database ?? network)?.Message.TrimEnd('.');
        if (network is not null && database is not null && !ReferenceEquals(network, database))
        {
            why += $" ({network.Message.TrimEnd('.')})";
        }

        if (DiskFull(exception, database, provider, connection, createFile) is { } full)
        {
            return $"{what} (ConnectionStrings:{provider}) could not be used: {full} ({why}). Free some space there, then start again.";
        }

        if (provider == DatabaseProvider.Sqlite && database is SqliteException { SqliteErrorCode: SqliteCorrupt or SqliteNotADatabase })
        {
            // Decision 0140: what is wrong in words, and what to do, as docs/operations.md says.
            return $"{what} (ConnectionStrings:{provider}) could not be used: {SqliteFileGuard.Cause(database)} ({why}). " +
                "Restore it from a backup (docs/operations.md, Backup and restore; delete its -wal and -shm files first), " +
                "or move it away to start with a new, empty database.";
        }

        return $"{what} (ConnectionStrings:{provider}) could not be used: {why}.";
    }

    /// <summary>SQLite's SQLITE_CORRUPT ("database disk image is malformed") and SQLITE_NOTADB ("file is not a database").</summary>
    private const int SqliteCorrupt = 11, SqliteNotADatabase = 26;

    /// <summary>SQLite's SQLITE_IOERR ("disk I/O error"): what it says when its file cannot grow on a full disk, among other failures.</summary>
    private const int SqliteIoError = 10;

    /// <summary>
    /// Which disk is full, when that is why the database failed: the database server's (PostgreSQL's disk_full, SQL
    /// Server's full filegroup or log: <see cref="Problems.StorageFull"/>), or the SQLite file's folder. SQLite says
    /// "disk I/O error" (or "database or disk is full") when its file cannot grow; its folder is then tried with a check
    /// file, so that a failing disk is not called full. Null when no disk is found full.
    /// </summary>
    private static string? DiskFull(Exception exception, DbException? database, DatabaseProvider provider,
        DbConnection connection, Func<string, Stream>? createFile)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            return (database is SqliteException { SqliteErrorCode: SqliteIoError } || FullStorage.Is(exception))
                && Path.GetDirectoryName(Path.GetFullPath(connection.DataSource)) is { Length: > 0 } folder
                && LocalDisk.HasNoRoom(folder, createFile)
                    ? $"the disk of its folder {folder} is full"
                    : null;
        }

        return FullStorage.Is(exception) ? "the database server's disk is full" : null;
    }

    private static string DisplayName(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "SQLite",
        DatabaseProvider.PostgreSql => "PostgreSQL",
        DatabaseProvider.SqlServer => "SQL Server",
        _ => provider.ToString(),
    };

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>
    /// The configuration binder says "Failed to convert configuration value at …" with its inner exception; this names
    /// the setting and what it must be. Walks the section's typed properties (numbers, times, true/false) as the binder
    /// would convert them, and checks each configured value that converts against its property's validation attributes
    /// (a range), so that one start names every bad setting, of every section, whether it does not convert or is out of range.
    /// </summary>
    private static void CheckBinding<T>(IConfiguration configuration, string section, List<string> problems)
    {
        var before = problems.Count;
        CheckProperties(typeof(T), configuration.GetSection(section), problems);
        if (problems.Count > before)
        {
            return;
        }

        try
        {
            configuration.GetSection(section).Get<T>();
        }
        catch (InvalidOperationException e)
        {
            problems.Add(e.Message);
        }
    }

    private static void CheckProperties(Type type, IConfigurationSection section, List<string> problems)
    {
        foreach (var property in type.GetProperties().Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
        {
            var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var child = section.GetSection(property.Name);
            if (target == typeof(string))
            {
                CheckAttributes(property, child, child.Value, problems);
                continue;
            }

            if (target.IsClass)
            {
                CheckProperties(target, child, problems);
                continue;
            }

            if (child.Value is not { } value || string.IsNullOrEmpty(value))
            {
                continue;
            }

            object? converted;
            try
            {
                converted = TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException)
            {
                problems.Add($"{child.Path} must be {Kind(target)}; \"{value}\" is not.");
                continue;
            }

            CheckAttributes(property, child, converted, problems);
        }
    }

    /// <summary>A configured value against its property's validation attributes, each failure the attribute's message.</summary>
    private static void CheckAttributes(PropertyInfo property, IConfigurationSection setting, object? value, List<string> problems)
    {
        if (setting.Value is null)
        {
            return; // not configured: the class's default stands (and RolloutOptions' own check sees it)
        }

        var context = new ValidationContext(new object()) { MemberName = property.Name, DisplayName = setting.Path };
        foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
        {
            if (attribute.GetValidationResult(value, context) is { ErrorMessage: { } message })
            {
                problems.Add(message);
            }
        }
    }

    private static string Kind(Type type) =>
        type == typeof(int) || type == typeof(long) ? "a whole number (digits only, no unit)"
        : type == typeof(TimeSpan) ? "a time span written hh:mm:ss (e.g. 00:02:00 for two minutes)"
        : type == typeof(bool) ? "true or false"
        : $"a {type.Name}";

    /// <summary>What a refused address to listen on is told to be instead.</summary>
    private const string WriteAddresses =
        ": write each address to listen on as http://host:port or https://host:port (e.g. http://0.0.0.0:8080), several " +
        "separated by \";\".";

    /// <summary>
    /// The addresses to listen on (<c>--urls</c> or ASPNETCORE_URLS, the setting <c>urls</c>), read as Kestrel reads
    /// them: one it cannot use stopped the start only once the database was set up, with its exception printed twice, and
    /// "http://nonsense:abc" (a port that is not a number) listened on port 80 of every address.
    /// </summary>
    private static void CheckAddresses(IConfiguration configuration, List<string> problems)
    {
        if (configuration[WebHostDefaults.ServerUrlsKey] is not { Length: > 0 } urls)
        {
            // Without addresses Kestrel listens on the ports of http_ports and https_ports, each on every address.
            CheckPorts(configuration, WebHostDefaults.HttpPortsKey, "ASPNETCORE_HTTP_PORTS", problems);
            CheckPorts(configuration, WebHostDefaults.HttpsPortsKey, "ASPNETCORE_HTTPS_PORTS", problems);
            return;
        }

        var addresses = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (addresses.Length == 0)
        {
            // " " failed in Kestrel with a stack trace once the database was set up; ";" listened on localhost:5000.
            problems.Add($"--urls (or ASPNETCORE_URLS) holds \"{urls}\", which names no address" + WriteAddresses);
        }

        foreach (var address in addresses)
        {
            if (AddressProblem(address) is { } problem)
            {
                problems.Add($"--urls (or ASPNETCORE_URLS) holds \"{address}\", {problem}" + WriteAddresses);
            }
        }
    }

    /// <summary>
    /// The ports Kestrel listens on, on every address, when no address is given (<c>http_ports</c>, <c>https_ports</c>:
    /// ASPNETCORE_HTTP_PORTS, DOTNET_HTTP_PORTS): "abc" made it listen on port 80 of every address.
    /// </summary>
    private static void CheckPorts(IConfiguration configuration, string key, string variable, List<string> problems)
    {
        if (configuration[key] is not { Length: > 0 } ports)
        {
            return;
        }

        foreach (var port in ports.Split(';', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                || number is < 0 or > 65535)
            {
                problems.Add($"{variable} (the setting {key}) holds \"{ports}\", and \"{port}\" is not a port: write each " +
                    "port to listen on as a number from 0 to 65535 (e.g. 8080), several separated by \";\", or give whole " +
                    "addresses with --urls.");
            }
        }
    }

    /// <summary>What Kestrel would refuse, or take otherwise than written, in one address to listen on; null when nothing.</summary>
    internal static string? AddressProblem(string address)
    {
        BindingAddress parsed;
        try
        {
            parsed = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return "which is not an address";
        }

        if (!string.Equals(parsed.Scheme, "http", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(parsed.Scheme, "https", StringComparison.OrdinalIgnoreCase))
        {
            return $"whose scheme \"{parsed.Scheme}\" is neither http nor https";
        }

        if (parsed.IsUnixPipe || parsed.IsNamedPipe)
        {
            return null;
        }

        // A port that is not a number is left in the host ("nonsense:abc"), and the scheme's port taken instead.
        var host = parsed.Host.StartsWith('[') && parsed.Host.IndexOf(']', StringComparison.Ordinal) is var end and > 0
            ? parsed.Host[(end + 1)..]
            : parsed.Host;
        if (host.LastIndexOf(':') is var colon and >= 0)
        {
            return $"whose port \"{host[(colon + 1)..]}\" is not a number";
        }

        if (parsed.Port is < 0 or > 65535)
        {
            return $"whose port {parsed.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not between 0 and 65535";
        }

        if (parsed.Port == 0 && string.Equals(parsed.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel refuses it with a stack trace: a free port is chosen per address, and localhost is two of them.
            return "port 0 (a free port) on localhost, which Kestrel cannot bind (use 127.0.0.1:0)";
        }

        return parsed.PathBase.Length > 0 ? "which has a path (the app is served at the root of its address)" : null;
    }

    /// <summary>How Kestrel's refusal of an https address without a certificate begins.</summary>
    private const string KestrelNoCertificate = "Unable to configure HTTPS endpoint.";

    /// <summary>What an https address without a certificate is told to configure.</summary>
    private const string ConfigureCertificate =
        ": set Kestrel:Certificates:Default:Path to the certificate's .pfx file and Kestrel:Certificates:Default:Password " +
        "to its password (or Path to a .pem certificate and Kestrel:Certificates:Default:KeyPath to its key), or listen " +
        "on http behind a reverse proxy that holds the certificate (see docs/operations.md, HTTPS).";

    /// <summary>The extension that marks ASP.NET Core's development certificate (<c>dotnet dev-certs https</c>).</summary>
    private const string DevelopmentCertificateOid = "1.3.6.1.4.1.311.84.1.1";

    /// <summary>
    /// An https address to listen on needs a certificate: the default one (Kestrel:Certificates:Default), the
    /// endpoint's own (Kestrel:Endpoints:NAME:Certificate), or, as Kestrel falls back on it, the user's ASP.NET Core
    /// development certificate. Without one Kestrel refused the address only once the database was set up, with its
    /// exception, its stack trace and the advice to run <c>dotnet dev-certs</c>. A certificate file that is configured
    /// and not there is named too: Kestrel loads the default certificate whatever the addresses, and failed the same way.
    /// </summary>
    private static void CheckCertificates(IConfiguration configuration, string contentRoot, List<string> problems)
    {
        var kestrel = configuration.GetSection("Kestrel");
        var endpoints = kestrel.GetSection("Endpoints").GetChildren().ToList();
        IEnumerable<IConfigurationSection> certificates =
            [kestrel.GetSection("Certificates:Default"), .. endpoints.Select(e => e.GetSection("Certificate"))];
        foreach (var certificate in certificates)
        {
            foreach (var file in new[] { certificate.GetSection("Path"), certificate.GetSection("KeyPath") })
            {
                if (file.Value is { } path && !string.IsNullOrWhiteSpace(path) && !CertificateFileExists(contentRoot, path))
                {
                    problems.Add($"{file.Path} names \"{path}\", which is not a file (a relative path is read from " +
                        $"{contentRoot}): give the path of the certificate's file as the app's process sees it.");
                }
            }
        }

        var needing = new List<string>();
        if (endpoints.Count > 0)
        {
            // Kestrel listens on its endpoints then, and leaves --urls and the ports aside.
            needing.AddRange(endpoints
                .Where(e => e["Url"] is { } url && url.Trim().StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                            && !HasCertificate(e.GetSection("Certificate")) && !e.GetSection("Sni").Exists())
                .Select(e => $"{e.Path}:Url is \"{e["Url"]}\""));
        }
        else if (configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls)
        {
            needing.AddRange(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                .Select(a => $"--urls (or ASPNETCORE_URLS) holds \"{a}\""));
        }
        else if (configuration[WebHostDefaults.HttpsPortsKey] is { } ports && !string.IsNullOrWhiteSpace(ports))
        {
            needing.Add($"ASPNETCORE_HTTPS_PORTS (the setting {WebHostDefaults.HttpsPortsKey}) holds \"{ports}\"");
        }

        if (needing.Count == 0 || HasCertificate(kestrel.GetSection("Certificates:Default"))
            || kestrel.GetSection("Certificates:Development").Exists() || HasDevelopmentCertificate())
        {
            return;
        }

        problems.Add(string.Join("; ", needing) + ", an https address, and no certificate is configured for it (nor has this " +
            "user an ASP.NET Core development certificate)" + ConfigureCertificate);
    }

    private static bool HasCertificate(IConfigurationSection certificate) =>
        !string.IsNullOrWhiteSpace(certificate["Path"]) || !string.IsNullOrWhiteSpace(certificate["Subject"]);

    private static bool CertificateFileExists(string contentRoot, string path)
    {
        try
        {
            return File.Exists(Path.Combine(contentRoot, path));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the user's certificate store holds a valid ASP.NET Core development certificate with its key, where
    /// Kestrel looks for one when no certificate is configured (on Linux: ~/.dotnet/corefx/cryptography/x509stores/my).
    /// </summary>
    private static bool HasDevelopmentCertificate()
    {
        try
        {
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            var now = DateTime.Now;
            var found = false;
            foreach (var certificate in store.Certificates)
            {
                using (certificate)
                {
                    found |= certificate.NotBefore <= now && now <= certificate.NotAfter && certificate.HasPrivateKey
                             && certificate.Extensions.Any(e => e.Oid?.Value == DevelopmentCertificateOid);
                }
            }

            return found;
        }
        catch (CryptographicException)
        {
            // No store (the user never had a certificate): nothing to find.
            return false;
        }
    }

    private static string? CheckDataFolder(RolloutOptions options, string contentRoot, Func<string, Stream>? createFile,
        List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(options.DataFolder))
        {
            return null; // said by RolloutOptions' own check
        }

        string folder;
        try
        {
            folder = options.ResolveDataFolder(contentRoot);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            problems.Add($"Rollouter:DataFolder is not a valid path: {e.Message}");
            return null;
        }

        if (File.Exists(folder))
        {
            problems.Add($"Rollouter:DataFolder must name a folder; {folder} is a file.");
            return null;
        }

        try
        {
            Directory.CreateDirectory(folder);
            // The folder must take the database (SQLite), the uploads, the logs and the signing key. A few KB, not an
            // empty file, which a full disk takes too.
            LocalDisk.WriteCheckFile(folder, createFile);
            return folder;
        }
        catch (Exception e) when (LocalDisk.IsFull(e))
        {
            problems.Add($"Rollouter:DataFolder ({folder}) cannot be used: its disk is full ({e.Message.TrimEnd('.')}). " +
                "Free some space on it, then start again.");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"Rollouter:DataFolder ({folder}) cannot be used: the folder could not be made or written to " +
                $"({e.Message.TrimEnd('.')}).");
            return null;
        }
    }

    private static void CheckDatabase(IConfiguration configuration, RolloutOptions options, string contentRoot,
        bool dataFolderUsable, List<string> problems)
    {
        DatabaseProvider provider;
        try
        {
            provider = options.Provider;
        }
        catch (InvalidOperationException)
        {
            problems.Add($"Rollouter:DatabaseProvider must be Sqlite, PostgreSql or SqlServer; \"{options.DatabaseProvider}\" is not.");
            return;
        }

        var setting = $"ConnectionStrings:{provider}";
        var configured = configuration.GetConnectionString(provider.ToString());
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (provider != DatabaseProvider.Sqlite)
            {
                problems.Add($"{setting} must be set when Rollouter:DatabaseProvider is {provider} (see docs/operations.md, Configuration).");
            }

            return;
        }

        try
        {
            switch (provider)
            {
                case DatabaseProvider.Sqlite when dataFolderUsable:
                    // Where the app will look for it: a relative file is placed in the data folder.
                    CheckSqliteFile(new SqliteConnectionStringBuilder(
                        DatabaseSetup.ConnectionString(configuration, options, provider, contentRoot)), setting, problems);
                    break;
                case DatabaseProvider.PostgreSql:
                    _ = new NpgsqlConnectionStringBuilder(configured);
                    break;
                case DatabaseProvider.SqlServer:
                    _ = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(configured);
                    break;
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            problems.Add($"{setting} is not a valid {DisplayName(provider)} connection string: {e.Message.TrimEnd('.')}.");
        }
    }

    private static void CheckSqliteFile(SqliteConnectionStringBuilder builder, string setting, List<string> problems)
    {
        var file = builder.DataSource;
        if (file == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(file))
        {
            problems.Add($"{setting} must name the database file (Data Source=…).");
            return;
        }

        var path = Path.GetFullPath(file);
        if (Path.GetDirectoryName(path) is { } folder && !Directory.Exists(folder))
        {
            problems.Add($"{setting} names the file {path}, whose folder {folder} does not exist.");
        }
        else if (Directory.Exists(path))
        {
            problems.Add($"{setting} must name a file; {path} is a folder.");
        }
    }

    /// <summary>
    /// A message never shows a secret: the values of passwords in connection strings, the initial administrator's
    /// password and the signing key are cut out, whatever a library's message repeated.
    /// </summary>
    public static string Redact(string message, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(message);
        message = PasswordInConnectionString().Replace(message, "$1=…");
        if (configuration is null)
        {
            return message;
        }

        var secrets = configuration.GetSection("ConnectionStrings").GetChildren()
            .SelectMany(c => PasswordInConnectionString().Matches(c.Value ?? "").Select(m => m.Groups[2].Value))
            .Append(configuration[ApiTokens.SigningKeySetting])
            .Append(configuration["Rollouter:InitialAdministrator:Password"])
            .Where(s => !string.IsNullOrWhiteSpace(s) && s.Length >= 3)
            .Select(s => s?.Trim() ?? "");
        foreach (var secret in secrets)
        {
            message = message.Replace(secret, "…", StringComparison.Ordinal);
        }

        return message;
    }

    [GeneratedRegex(@"\b(Password|Pwd)\s*=\s*([^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordInConnectionString();
}
