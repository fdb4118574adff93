using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Settings.CustomFields;
using Rollouter.Import.Web.Features.Settings.LinkTypes;
using Rollouter.Import.Web.Features.Settings.Rollouts;
using Rollouter.Import.Web.Features.Settings.Users;

namespace Rollouter.Import.Web.Features.Settings;

public sealed record UserListItem(
    int Id, string DisplayName, string? Email, string UserCode, Role Role, bool IsKeyAccountManager, bool IsActive,
    bool HasPassword, IReadOnlyList<string> Rollouts);

public sealed record RolloutChoice(int Id, string Identifier, string Name);

/// <summary>The user form, with what it offers: the roles the editor may give and the rollouts whose members they manage.</summary>
public sealed record UserPage(
    User? User, UserForm Form, IReadOnlyList<Role> Roles, IReadOnlyList<RolloutChoice> Rollouts, bool CanManage, bool IsSelf);

public sealed record InvitationCreated(User User, string Link);

public sealed record RolloutSettingsItem(int Id, string Identifier, string Name, int? ClientLimit, int Members, int Clients);

public sealed record MemberItem(int Id, string DisplayName, string? Email, string UserCode, Role Role, bool IsActive);

public sealed record UserChoice(int Id, string DisplayName, string? Email, Role Role);

public sealed record RolloutSettingsPage(
    Rollout? Rollout, RolloutForm Form, bool CanEdit, IReadOnlyList<MemberItem> Members, IReadOnlyList<UserChoice> Candidates,
    bool CanManageMembers = false);

public sealed record WorkflowListItem(int Id, string Name, IReadOnlyList<string> Statuses, int Inventories);

public sealed record StatusItem(int Id, string Name, int Clients);

public sealed record WorkflowPage(Workflow Workflow, IReadOnlyList<StatusItem> Statuses, IReadOnlyList<string> Inventories);

public sealed class WorkflowCreateForm
{
    public string Name { get; set; } = "";

    /// <summary>One status per line, in order.</summary>
    public string Statuses { get; set; } = "";
}

public sealed record RemoveStatusPage(Workflow Workflow, WorkflowStatus Status, int Clients, int? TargetStatusId);

public sealed record CustomFieldListItem(
    int Id, string Name, CustomFieldType Type, bool Required, string? ValidationRegex, int Options, int Inventories);

public sealed record CustomFieldPage(CustomField? Field, CustomFieldForm Form, IReadOnlyList<string> Inventories);

public sealed record LinkTypeListItem(int Id, string OutwardName, string InwardName, bool IsAdvanced, IReadOnlyList<string> SharedFields, int Links);

public sealed record LinkTypePage(ClientLinkType? Type, LinkTypeForm Form, IReadOnlyList<CustomField> Fields, int Links);
