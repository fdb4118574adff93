using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.TestData;

/// <summary>The global settings a rollout uses, as entities ready to add: workflows, custom fields and users.</summary>
public static class TestSettings
{
    /// <summary>A workflow whose statuses have the positions of their order here.</summary>
    public static Workflow Workflow(string name, params IEnumerable<string> statuses) => new()
    {
        Name = name,
        Statuses = [.. statuses.Select((s, i) => new WorkflowStatus { Name = s, Position = i })],
    };

    /// <summary>A custom field; its options (for the selection types) have the positions of their order here.</summary>
    public static CustomField Field(string name, CustomFieldType type, IEnumerable<string>? options = null,
        bool required = false, string? pattern = null) => new()
    {
        Name = name,
        Type = type,
        Required = required,
        ValidationRegex = pattern,
        Options = [.. (options ?? []).Select((o, i) => new CustomFieldOption { Name = o, Position = i })],
    };

    /// <summary>A user who signs in with their email address.</summary>
    public static User User(string email, string displayName, string code, Role role, bool active = true) =>
        User(email, email, displayName, code, role, active);

    /// <summary>A user with a user name of its own and possibly no email address (a client user, say).</summary>
    public static User User(string userName, string? email, string displayName, string code, Role role, bool active = true) => new()
    {
        UserName = userName,
        NormalizedUserName = userName.ToUpperInvariant(),
        Email = email,
        NormalizedEmail = email?.ToUpperInvariant(),
        DisplayName = displayName,
        UserCode = code,
        Role = role,
        IsActive = active,
        SecurityStamp = Guid.NewGuid().ToString("N"),
    };
}
