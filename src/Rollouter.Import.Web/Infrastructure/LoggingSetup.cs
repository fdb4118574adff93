using Rollouter.Import.Web.Infrastructure.Security;
using Serilog;
using Serilog.Context;
using Serilog.Events;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// Serilog, its sinks and levels from the configuration's <c>Serilog</c> section (appsettings.json: the console and a
/// daily file; docs/operations.md). A relative file path there is placed in the data folder, as the SQLite database is,
/// not wherever the process happened to start. Without any sink configured the app still writes to the console. Texts
/// in the events' properties are escaped where they could forge a line (<see cref="LogTextEnricher"/>).
/// </summary>
public static class LoggingSetup
{
    public const string Section = "Serilog";

    public static WebApplicationBuilder AddRollouterLogging(this WebApplicationBuilder builder, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        foreach (var (setting, path) in FilePathsInDataFolder(configuration, dataFolder).ToList())
        {
            configuration[setting] = path;
        }

        var sinks = configuration.GetSection(Section + ":WriteTo");
        var anySink = sinks.GetChildren().Any();
        // The static logger stays the bootstrap one: several apps in one process (the tests) each get a logger of their own.
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(configuration).ReadFrom.Services(services).Enrich.FromLogContext()
                .Enrich.With<LogTextEnricher>().Filter.ByExcluding(IsHostingFailedToStart);
            if (!anySink)
            {
                logger.WriteTo.Console();
            }
        }, preserveStaticLogger: true);
        return builder;
    }

    /// <summary>
    /// The host's "Hosting failed to start" and its exception: Program.cs says why the start failed right after it, once
    /// (one line naming the setting for an expected failure, such as an address in use; the exception for another), so
    /// the host's line would print the same exception a second time.
    /// </summary>
    internal static bool IsHostingFailedToStart(LogEvent logEvent) =>
        logEvent.MessageTemplate.Text == "Hosting failed to start"
        && logEvent.Properties.TryGetValue("SourceContext", out var source)
        && source is ScalarValue { Value: "Microsoft.Extensions.Hosting.Internal.Host" };

    /// <summary>
    /// The sinks' relative file paths placed in the data folder: each setting (<c>Serilog:WriteTo:1:Args:path</c>) with
    /// the path the app uses.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> FilePathsInDataFolder(IConfiguration configuration, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var sink in configuration.GetSection(Section + ":WriteTo").GetChildren())
        {
            var path = sink["Args:path"];
            if (!string.IsNullOrWhiteSpace(path) && !Path.IsPathRooted(path))
            {
                yield return new(sink.Path + ":Args:path", Path.Combine(dataFolder, path));
            }
        }
    }

    /// <summary>
    /// Every line logged while a signed-in user's request is served, and the request's own line, carries
    /// <c>UserId</c> (docs/operations.md, Logs). After authentication; an anonymous request carries none. An event that
    /// names a user itself (an audit event's <c>UserId</c> is the user changed, its <c>ActorId</c> who changed it)
    /// keeps its own value.
    /// </summary>
    public static IApplicationBuilder UseSignedInUserInLogs(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var userId = context.User.UserId();
            if (userId <= 0)
            {
                await next(context);
                return;
            }

            context.RequestServices.GetService<IDiagnosticContext>()?.Set("UserId", userId);
            using (LogContext.PushProperty("UserId", userId))
            {
                await next(context);
            }
        });
}
