using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>A user; <c>invitationUrl</c> only in the answer to a creation without password (shown once).</summary>
public sealed record UserDto(
    int Id, string DisplayName, string? Email, string UserCode, Role Role, bool IsKeyAccountManager, bool IsActive,
    IReadOnlyList<string> Rollouts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? InvitationUrl = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notice = null)
{
    /// <summary>A user as a query gives it, naming only the rollouts among <paramref name="visibleRollouts"/> (ids).</summary>
    public static Expression<Func<User, UserDto>> Projection(List<int> visibleRollouts) =>
        u => new UserDto(u.Id, u.DisplayName, u.Email, u.UserCode, u.Role, u.IsKeyAccountManager, u.IsActive,
            u.Rollouts.Where(m => visibleRollouts.Contains(m.RolloutId)).OrderBy(m => m.Rollout.Identifier)
                .Select(m => m.Rollout.Identifier).ToList(), null, null);
}

/// <summary>
/// A new user. Without <c>password</c> the answer carries an <c>invitationUrl</c> where the user sets one. <c>rolloutIds</c>:
/// rollouts to add the user to (a rollout manager: among their own).
/// </summary>
public sealed record CreateUserRequest(
    string? DisplayName, string? Email, string? UserCode, Role? Role, bool IsKeyAccountManager, string? Password,
    IReadOnlyList<int>? RolloutIds);

/// <summary>A change of a user: a field left out (null) keeps its value; <c>rolloutIds</c> replaces the memberships among the caller's rollouts.</summary>
public sealed record UpdateUserRequest(
    string? DisplayName, string? Email, string? UserCode, Role? Role, bool? IsKeyAccountManager, IReadOnlyList<int>? RolloutIds);

/// <summary>An erasure of a user (decision 0144): <c>confirmEmail</c> repeats the user's email address, as the page asks it typed.</summary>
public sealed record EraseUserRequest(string? ConfirmEmail);

/// <summary>
/// A custom field; <c>inventories</c> and <c>clients</c>: how many use it (in every rollout), <c>changeable</c>: whether the
/// caller may change it (every inventory using it is in one of their rollouts, or they are an administrator).
/// </summary>
public sealed record CustomFieldDefinitionDto(
    int Id, string Name, string? Description, CustomFieldType Type, bool Required, string? Regex, IReadOnlyList<string> Options,
    int Inventories, int Clients, bool Changeable);

public sealed record CreateCustomFieldRequest(
    string? Name, string? Description, CustomFieldType? Type, bool Required, string? Regex, IReadOnlyList<string>? Options);

/// <summary>A workflow; <c>inventories</c>, <c>clients</c> and <c>changeable</c> as for a custom field.</summary>
public sealed record WorkflowDto(int Id, string Name, IReadOnlyList<string> Statuses, int Inventories, int Clients, bool Changeable);

public sealed record CreateWorkflowRequest(string? Name, IReadOnlyList<string>? Statuses);

public sealed record CreateRolloutRequest(string? Name, string? Identifier, int? ClientLimit);

/// <summary>A rollout with its client limit (null: none): the answer to its creation and to <c>GET /api/rollouts/{id}</c>.</summary>
public sealed record RolloutDetailsDto(int Id, string Identifier, string Name, int? ClientLimit);

public sealed record AddMemberRequest(int UserId);
