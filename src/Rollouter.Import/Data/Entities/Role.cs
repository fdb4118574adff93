namespace Rollouter.Import.Data.Entities;

/// <summary>Roles in ascending order of rights: a higher value includes every right of a lower one.</summary>
public enum Role
{
    ClientUser = 1,
    ServiceDesk = 2,
    Technician = 3,
    RolloutManager = 4,
    Administrator = 5,
}

public static class Roles
{
    public const string Administrator = nameof(Role.Administrator);
    public const string RolloutManager = nameof(Role.RolloutManager);
    public const string Technician = nameof(Role.Technician);
    public const string ServiceDesk = nameof(Role.ServiceDesk);
    public const string ClientUser = nameof(Role.ClientUser);

    public static string DisplayName(this Role role) => role switch
    {
        Role.ClientUser => "Client User",
        Role.ServiceDesk => "Service Desk",
        Role.Technician => "Technician",
        Role.RolloutManager => "Rollout Manager",
        Role.Administrator => "Administrator",
        _ => role.ToString(),
    };

    /// <summary>Every role at or above <paramref name="minimum"/>.</summary>
    public static IReadOnlyList<Role> AtLeast(Role minimum) =>
        Enum.GetValues<Role>().Where(r => r >= minimum).ToArray();
}
