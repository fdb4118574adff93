using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Razor;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Account;
using Rollouter.Import.Web.Features.Clients;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Features.Inventories;
using Rollouter.Import.Web.Features.Settings;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Api;
using Rollouter.Import.Web.Infrastructure.Security;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

var rolloutOptions = builder.Configuration.GetSection(RolloutOptions.Section).Get<RolloutOptions>() ?? new();
var dataFolder = rolloutOptions.ResolveDataFolder(builder.Environment.ContentRootPath);
builder.Services.AddSerilog((services, logger) => logger
    .ReadFrom.Configuration(builder.Configuration)
    .ReadFrom.Services(services)
    .Enrich.FromLogContext()
    .WriteTo.Console()
    .WriteTo.File(
        Path.Combine(dataFolder, "logs", "rollouter-.log"),
        rollingInterval: RollingInterval.Day,
        retainedFileCountLimit: 14,
        outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}"));

builder.Services.AddOptions<RolloutOptions>().BindConfiguration(RolloutOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRollouterDatabase(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddScoped<DatabaseInitializer>();
builder.Services.AddScoped<DemoSeeder>();
builder.Services.AddScoped<RolloutAccess>();
builder.Services.AddScoped<InventoryService>();
builder.Services.AddScoped<ClientLinkService>();
builder.Services.AddDataProtection().SetApplicationName("Rollouter.Import").PersistKeysToDbContext<RolloutDbContext>();

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
builder.Services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
builder.Services.ConfigureApplicationCookie(o =>
{
    o.LoginPath = "/account/login";
    o.LogoutPath = "/account/logout";
    o.AccessDeniedPath = "/account/denied";
    o.Cookie.Name = "Rollouter.Auth";
    o.Cookie.HttpOnly = true;
    o.Cookie.SameSite = SameSiteMode.Lax;
    o.SlidingExpiration = true;
    o.ExpireTimeSpan = TimeSpan.FromHours(8);
});
builder.Services.AddApiTokens(builder.Configuration, dataFolder);
builder.Services.AddSignInThrottle(builder.Configuration);
builder.Services.AddScoped<PasswordSignIn>();
builder.Services.AddRollouterSettings();
builder.Services.AddAuthorizationBuilder().AddRolloutPolicies();
builder.Services.Configure<RazorViewEngineOptions>(o => o.ViewLocationExpanders.Add(new FeatureViewLocations()));
builder.Services.AddControllersWithViews(o => o.Filters.Add(new AutoValidateAntiforgeryTokenAttribute()))
    .AddJsonOptions(o => o.JsonSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
    .ConfigureApiBehaviorOptions(o => o.InvalidModelStateResponseFactory = InvalidRequestBody.Response);
builder.Services.AddOpenApi(o => o.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true);
builder.Services.AddRollouterImports(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddHealthChecks().AddDbContextCheck<RolloutDbContext>("database");

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    try
    {
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
    }
    catch (DatabaseVersionException e)
    {
        app.Logger.LogCritical("{Message}", e.Message);
        Environment.ExitCode = 1;
        return;
    }
}

await ImportJobsSetup.ResumeInterruptedImportsAsync(app.Services);

if (app.Environment.IsDevelopment())
{
    app.UseDeveloperExceptionPage();
}
else
{
    app.UseExceptionHandler("/error");
}

// The API answers with JSON bodies of its own, never with the error pages.
app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), a => a.UseStatusCodePagesWithReExecute("/error/{0}"));
app.UseSerilogRequestLogging();
app.UseRouting();
// Before authentication: a flood of sign-in posts from one address is refused before anything is read or hashed.
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
// Stylesheets and scripts are public: the sign-in page needs them before anyone is signed in.
app.MapStaticAssets().AllowAnonymous();
app.MapHealthChecks("/health").AllowAnonymous();
app.MapControllers();
app.MapOpenApi().AllowAnonymous();
app.MapImportJobsDashboard();

await app.RunAsync();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
