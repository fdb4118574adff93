using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Account;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Features.Inventories;
using Rollouter.Import.Web.Features.Settings;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;
using Rollouter.Import.Auditing;
using Serilog;

// One culture whatever the server's (LANG, LC_ALL): English dates and numbers, the Gregorian calendar (decision 0042).
AppCulture.Apply();

// Until the app's own logger exists (made from the configuration's Serilog section), what start-up says, and why it
// failed, goes to the console.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
IConfiguration? configuration = null;
try
{
    // Texts kept as seen need ICU's normalisation (decision 0041): without it the app does not start.
    StartupChecks.CheckGlobalization();
    var builder = WebApplication.CreateBuilder(args);
    configuration = builder.Configuration;
    // Every setting the services below read as they are made, each bad one named (StartupFailureException); the data
    // protection keys' certificate, when one is configured, is read there once and used below (decision 0154).
    var keysCertificate = StartupChecks.Check(builder.Configuration, builder.Environment.ContentRootPath);

    var rolloutOptions = builder.Configuration.GetSection(RolloutOptions.Section).Get<RolloutOptions>() ?? new();
    // SQLite serves one instance: a second one on the same file stops here, before it touches the database.
    using var sqliteInstance = SqliteInstanceLock.Acquire(builder.Configuration, rolloutOptions, builder.Environment.ContentRootPath);
    var dataFolder = rolloutOptions.ResolveDataFolder(builder.Environment.ContentRootPath);
    builder.AddRollouterLogging(dataFolder);

    builder.Services.AddOptions<RolloutOptions>().BindConfiguration(RolloutOptions.Section).ValidateSettings();
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddSingleton<AuditLog>();
    builder.Services.AddRollouterDatabase(builder.Configuration, builder.Environment.ContentRootPath);
    builder.Services.AddScoped<DatabaseInitializer>();
    builder.Services.AddScoped<DemoSeeder>();
    builder.Services.AddScoped<RolloutAccess>();
    builder.Services.AddScoped<InventoryService>();
    builder.Services.AddScoped<ClientLinkService>();
    builder.Services.AddDataProtection().SetApplicationName("Rollouter.Import").PersistKeysToDbContext<RolloutDbContext>()
        .ProtectKeysAtRest(keysCertificate);

    builder.Services
        .AddIdentityCore<User>(o =>
        {
            o.User.RequireUniqueEmail = true;
            o.Password.RequiredLength = 8;
        })
        .AddEntityFrameworkStores<RolloutDbContext>()
        .AddUserManager<RolloutUserManager>()
        .AddSignInManager()
        .AddClaimsPrincipalFactory<RolloutClaimsPrincipalFactory>()
        .AddDefaultTokenProviders();
    // The API (under /api) signs in with bearer tokens, the pages with the cookie; one default scheme picks by path, so
    // that an unknown API address with a valid token is a 404, not a redirect to the sign-in page.
    builder.Services.AddAuthentication(ApiTokens.PathScheme)
        .AddPolicyScheme(ApiTokens.PathScheme, "Bearer token under /api, else the cookie", o => o.ForwardDefaultSelector =
            context => ApiProblems.IsApi(context.Request) ? ApiTokens.Scheme : IdentityConstants.ApplicationScheme);
    builder.Services.AddAuthentication().AddIdentityCookies();
    builder.Services.ConfigureApplicationCookie(o =>
    {
        o.LoginPath = "/account/login";
        o.LogoutPath = "/account/logout";
        o.AccessDeniedPath = "/account/denied";
        o.Cookie.Name = "Rollouter.Auth";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        // Secure whenever the request came over HTTPS (behind a proxy: with the forwarded headers, see docs/operations.md).
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        // Each cookie names a session recorded on the server, which signing out deletes and which also ends after this
        // idle time and at most UserSessions.AbsoluteLifetime after the sign-in (ActiveUserCookieCheck).
        o.SlidingExpiration = true;
        o.ExpireTimeSpan = UserSessions.IdleTimeout;
        // The redirects are absolute, made of the request's Host header: on Rollouter:PublicUrl when it is set.
        var redirectToLogin = o.Events.OnRedirectToLogin;
        var redirectToAccessDenied = o.Events.OnRedirectToAccessDenied;
        // An address a page's script polls (ScriptPolled: the import's progress) answers 401 or 403 in JSON instead.
        o.Events.OnRedirectToLogin = async context =>
        {
            if (await ScriptPolledAttribute.TryRefuseAsync(context.HttpContext, StatusCodes.Status401Unauthorized))
            {
                return;
            }

            // A form posted after the session ended (signed out in another tab, expired) was not carried out: the sign-in
            // page says so (LoginForm.Unsaved). Signing out once more is no change to make again.
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
                && context.Request.Path != o.LogoutPath)
            {
                // Back to the page that showed the form (its Referer, when one of the app's pages), not to the address
                // it posted to, which may take only a form (decision 0074).
                if (Rollouter.Import.Web.Infrastructure.Forms.LostFormReturn.PageOf(context.Request) is { } page)
                {
                    context.RedirectUri = Rollouter.Import.Web.Infrastructure.Forms.LostFormReturn.WithReturnUrl(
                        context.RedirectUri, o.ReturnUrlParameter, page);
                }

                context.RedirectUri = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
                    context.RedirectUri, LoginForm.UnsavedParameter, "true");
            }

            // A cookie from before sign-ins were kept as sessions (2026-12-05) is refused once: the page says why.
            if (ActiveUserCookieCheck.SignedInBeforeSessions(context.HttpContext))
            {
                context.RedirectUri = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
                    context.RedirectUri, LoginForm.UpgradedParameter, "true");
            }

            context.RedirectUri = PublicAddress.Rebase(context.Request, context.RedirectUri);
            await redirectToLogin(context);
        };
        o.Events.OnRedirectToAccessDenied = async context =>
        {
            if (!await ScriptPolledAttribute.TryRefuseAsync(context.HttpContext, StatusCodes.Status403Forbidden))
            {
                context.RedirectUri = PublicAddress.Rebase(context.Request, context.RedirectUri);
                await redirectToAccessDenied(context);
            }
        };
    });
    builder.Services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
    builder.Services.AddApiTokens(builder.Configuration, dataFolder);
    builder.Services.AddSignInThrottle(builder.Configuration);
    // Behind a reverse proxy: the client's address and scheme from the proxies listed only (decision 0155).
    builder.Services.AddTrustedProxies(builder.Configuration);
    builder.Services.AddScoped<PasswordSignIn>();
    builder.Services.AddRollouterSettings();
    builder.Services.AddAuthorizationBuilder().AddRolloutPolicies();
    builder.Services.Configure<RazorViewEngineOptions>(o => o.ViewLocationExpanders.Add(new FeatureViewLocations()));
    builder.Services.AddControllersWithViews(o =>
        {
            o.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
            // A form too large or too slow is its 413 or 408 error page, not the antiforgery check's 400.
            o.Filters.Add(new Rollouter.Import.Web.Infrastructure.Forms.FormReadFirst());
            o.ModelValidatorProviders.Add(new NullElementsValidatorProvider());
            o.Filters.Add(new ClientGoneFilter());
            // The redirect after an action that set the page's message names it, so it takes the focus (decision 0175).
            o.Filters.Add(new Rollouter.Import.Web.Infrastructure.Forms.PageMessageRedirect());
            o.Conventions.Add(new ApiResponsesConvention());
        })
        .AddJsonOptions(o =>
        {
            o.JsonSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
            // A member the body does not have (a typo, another call's member) is refused, naming it, not ignored: a
            // mapping sent as "colums" was saved empty (InvalidRequestBody).
            o.JsonSerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        })
        .ConfigureApiBehaviorOptions(o => o.InvalidModelStateResponseFactory = InvalidRequestBody.Response);
    builder.Services.AddSingleton<Microsoft.AspNetCore.Mvc.Infrastructure.IClientErrorFactory, ProblemClientErrorFactory>();
    builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        ProblemMapping.Complete(context.ProblemDetails, context.HttpContext.Response));
    // The OpenAPI document reads these options, not the controllers': enums are strings there too (decision 0118).
    builder.Services.ConfigureHttpJsonOptions(o =>
        o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
    builder.Services.AddOpenApi(o =>
    {
        o.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
        o.AddOperationTransformer<OpenApiContract>();
        o.AddSchemaTransformer<OpenApiListBounds>();
        o.AddDocumentTransformer<OpenApiPublicServer>();
    });
    builder.Services.AddRollouterImports(builder.Configuration, builder.Environment.ContentRootPath);
    builder.Services.AddHealthChecks().AddDbContextCheck<RolloutDbContext>("database");

    var app = builder.Build();

    // A bad setting stops the start here, saying which and why, before the database is touched.
    app.Services.GetRequiredService<IStartupValidator>().Validate();

    await using (var scope = app.Services.CreateAsyncScope())
    {
        // Hangfire creates its tables when its storage is made: under the start-up lock too.
        var initializer = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();
        await initializer.InitializeAsync(alsoUnderLock: () => app.Services.GetRequiredService<Hangfire.JobStorage>());
        // From now on the SQLite file at the path must stay the one the start-up opened (decisions 0134, 0140).
        app.Services.GetRequiredService<SqliteFileGuard>().Serve(
            scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Database.GetDbConnection());
        // A key made now for a database in use (a restore into a new data folder) ends the API tokens issued before.
        app.Services.GetRequiredService<ApiTokens>().WarnOfNewKey(initializer.HeldUsers,
            app.Services.GetRequiredService<ILogger<ApiTokens>>());
    }

    await ImportJobsSetup.ResumeInterruptedImportsAsync(app.Services);

    // The client's address and scheme as the trusted proxy forwards them, first, so that HSTS, the Secure cookies, the
    // sign-in limit and the links all see them; forwarded headers the app does not take are logged once (decision 0155).
    app.UseTrustedProxies(app.Configuration, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rollouter.Import.Web.Proxy"));
    // Every response, from the first middleware on: the security headers; over HTTPS also HSTS (not for localhost).
    app.UseSecurityHeaders();
    if (!app.Environment.IsDevelopment())
    {
        app.UseHsts();
    }

    // The app's own logger (the static one stays the bootstrap logger), so that request lines reach the configured sinks.
    // Outside the exception handlers, so that a request's line gives the status its answer had (503 for a busy
    // database, 507 for a full disk), not the 500 of the exception they turned into it; they log the exception.
    app.UseSerilogRequestLogging(o => o.Logger = app.Services.GetService<Serilog.ILogger>());
    // The API answers every error, its own or ASP.NET Core's (an unknown address, a method not allowed, an exception), with
    // problem details; the pages with the error pages.
    app.UseWhen(context => ApiProblems.IsApi(context.Request), api =>
    {
        // A disk or database with no room left is a 507 that says so, not "something went wrong".
        // A body too large or too slow is the client's 413 or 408, logged in one line (RequestBodyRefusal).
        api.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = StorageFull.StatusCodeOf, SuppressDiagnosticsCallback = RequestBodyRefusal.SuppressDiagnostics,
        });
        api.UseStatusCodePages();
    });
    app.UseWhen(context => !ApiProblems.IsApi(context.Request), pages =>
    {
        // Development (the demo under dotnet run): the developer exception page for what nobody expected, and the error
        // pages below for what the app answers on purpose (a refused body, a full disk, a busy database; decision 0120).
        var development = app.Environment.IsDevelopment();
        if (development)
        {
            pages.UseDeveloperExceptionPage();
            pages.Use(DevelopmentErrors.ThrowSetAside);
        }

        // The error page is made in a scope of its own (decision 0115): the failed request's cookie sign-in, whose
        // check of the user's session failed with the database, would otherwise fail it again from its cache, and
        // the browser got a 500 without a word instead of "The database cannot be reached".
        pages.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error", StatusCodeSelector = StorageFull.StatusCodeOf,
            SuppressDiagnosticsCallback = RequestBodyRefusal.SuppressDiagnostics, CreateScopeForErrors = true,
        });
        pages.UseStatusCodePagesWithReExecute("/error/{0}");
        if (development)
        {
            pages.Use(DevelopmentErrors.SetAsideUnexpected);
        }
    });
    app.UseOriginCheck(app.Configuration);
    app.UseHeadAsGet();
    app.UseRouting();
    app.UseMethodNotAllowed();
    // Before authentication: a flood of sign-in posts from one address is refused before anything is read or hashed.
    app.UseRateLimiter();
    app.UseAuthentication();
    app.UseSignedInUserInLogs();
    app.UseAuthorization();
    // Stylesheets and scripts are public: the sign-in page needs them before anyone is signed in.
    app.MapStaticAssets().AllowAnonymous();
    app.MapHealthChecks("/health").AllowAnonymous();
    app.MapControllers();
    app.MapOpenApi().AllowAnonymous();
    app.MapImportJobsDashboard();

    await app.RunAsync();
}
// An expected failure (a setting, the database refusing or out of reach, another version's database) is one line on
// the console and exit code 1; anything else is logged once with its exception, also exit code 1 (not rethrown: the
// runtime would print it again and abort).
catch (Exception e) when (StartupChecks.Explain(e, configuration) is { } reason)
{
    Log.Fatal("Rollouter.Import did not start: {Reason}", reason);
    return 1;
}
catch (Exception e) when (e is not HostAbortedException)
{
    Log.Fatal(e, "Rollouter.Import did not start");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

return 0;

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
