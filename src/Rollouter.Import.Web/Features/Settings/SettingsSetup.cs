using Microsoft.AspNetCore.Identity;
using Rollouter.Import.Web.Features.Settings.CustomFields;
using Rollouter.Import.Web.Features.Settings.LinkTypes;
using Rollouter.Import.Web.Features.Settings.Rollouts;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Features.Settings.Workflows;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings;

public static class SettingsSetup
{
    /// <summary>How long an invitation link (a password-reset token) stays valid.</summary>
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    /// <summary>The settings services, invitation links valid for a week, and the per-request check of the sign-in cookie.</summary>
    public static IServiceCollection AddRollouterSettings(this IServiceCollection services)
    {
        services.AddScoped<UserSettings>();
        services.AddScoped<UserErasure>();
        services.AddScoped<RolloutSettings>();
        services.AddScoped<WorkflowSettings>();
        services.AddScoped<CustomFieldSettings>();
        services.AddScoped<LinkTypeSettings>();
        services.AddScoped<SharedSettingsRule>();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = InvitationLifetime);
        services.AddActiveUserCookieCheck();
        return services;
    }
}
