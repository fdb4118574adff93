using Microsoft.AspNetCore.Identity;

namespace Rollouter.Import.Data.Entities;

/// <summary>A person who signs in. One role each; the Key Account Manager flag is separate from the role.</summary>
public class User : IdentityUser<int>
{
    public required string DisplayName { get; set; }

    /// <summary>The visible user ID that imports can look users up by, e.g. "U-0007".</summary>
    public required string UserCode { get; set; }

    public Role Role { get; set; }

    public bool IsKeyAccountManager { get; set; }

    public bool IsActive { get; set; } = true;

    public ICollection<RolloutMember> Rollouts { get; set; } = [];
}
