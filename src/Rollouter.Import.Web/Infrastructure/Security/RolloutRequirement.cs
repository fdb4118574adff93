using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// "Who may do this", for everything inside a rollout, pages and API alike: a member of the rollout (administrators are
/// members of every rollout) whose role is at least <see cref="MinimumRole"/>, or who is a key account manager where
/// <see cref="KeyAccountManagers"/> lets them. Checked by <see cref="RolloutAuthorizationHandler"/> against the
/// rollout, membership first: a rollout the user is not a member of does not exist (404), then the role (403).
/// </summary>
public sealed class RolloutRequirement : IAuthorizationRequirement
{
    private static readonly Dictionary<(Role, bool), RolloutRequirement> Named = [];

    private RolloutRequirement(Role minimumRole, bool keyAccountManagers, string refusal)
    {
        MinimumRole = minimumRole;
        KeyAccountManagers = keyAccountManagers;
        Refusal = refusal;
        Named[(minimumRole, keyAccountManagers)] = this;
    }

    /// <summary>Any member: sees the rollout, its inventories, clients, exports and templates.</summary>
    public static RolloutRequirement Member { get; } = new(Role.ClientUser, false, "Your role does not allow this.");

    /// <summary>Rollout managers and administrators: imports, inventories, links, members.</summary>
    public static RolloutRequirement Manager { get; } =
        new(Role.RolloutManager, false, "Your role does not allow this: rollout managers and administrators only.");

    /// <summary>Reads an import and its failed rows, and checks it (the API's dry run): who manages imports, and key account managers.</summary>
    public static RolloutRequirement ImportReader { get; } =
        new(Role.RolloutManager, true, "Only rollout managers and administrators manage imports.");

    /// <summary>Administrators: every rollout, and the settings only they change.</summary>
    public static RolloutRequirement Administrator { get; } = new(Role.Administrator, false, "Only administrators do this.");

    /// <summary>The review pages: key account managers and administrators.</summary>
    public static RolloutRequirement Reviewer { get; } =
        new(Role.Administrator, true, "Only key account managers and administrators review imports.");

    public Role MinimumRole { get; }

    /// <summary>Key account managers are allowed whatever their role.</summary>
    public bool KeyAccountManagers { get; }

    /// <summary>The message of a refusal by role.</summary>
    public string Refusal { get; }

    /// <summary>The named requirement of a minimum role (and the key account managers' exception).</summary>
    public static RolloutRequirement Of(Role minimumRole, bool keyAccountManagers = false) =>
        Named.TryGetValue((minimumRole, keyAccountManagers), out var named)
            ? named
            : throw new ArgumentOutOfRangeException(nameof(minimumRole), minimumRole,
                "No rollout requirement is named for this role; add one to RolloutRequirement.");

    /// <summary>Whether the user's role (and key account manager flag) is enough; membership is checked apart.</summary>
    public bool RoleAllows(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.HasRoleAtLeast(MinimumRole) || (KeyAccountManagers && user.IsKeyAccountManager());
    }
}
