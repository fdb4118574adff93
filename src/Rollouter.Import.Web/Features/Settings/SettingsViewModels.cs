using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Features.Settings.CustomFields;
using Rollouter.Import.Web.Features.Settings.LinkTypes;
using Rollouter.Import.Web.Features.Settings.Rollouts;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Features.Settings.Workflows;

using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Web.Features.Settings;

public sealed record UserListItem(
    int Id, string DisplayName, string? Email, string UserCode, Role Role, bool IsKeyAccountManager, bool IsActive,
    bool HasPassword, IReadOnlyList<string> Rollouts);

/// <summary>
/// A page of Settings › Users: by name, then id, reached by keyset (<c>after</c>, <c>before</c>, <c>last</c>), and the
/// list's count, which for a rollout manager stops at <see cref="UserSearch.CountBound"/> (<paramref name="TotalIsAtLeast"/>:
/// "1,000+ users"), decision 0158.
/// </summary>
public sealed record UserListPage(KeysetPage<UserListItem> Page, string? Query, int Total, bool TotalIsAtLeast)
{
    public IReadOnlyList<UserListItem> Users => Page.Items;

    public string CountText => Total == 0
        ? "No users" + Matching
        : (TotalIsAtLeast ? $"{ImportNumbers.N(Total)}+ users" : ImportNumbers.Count(Total, "user", "users")) + Matching;

    private string Matching => Query is null ? "" : $" matching \"{Query}\"";
}

public sealed record RolloutChoice(int Id, string Identifier, string Name);

/// <summary>
/// A user's page. <paramref name="OwnsAccount"/>: whether the viewer changes the account itself (name, email, user ID,
/// role, key account manager flag, deactivation, links); a rollout manager does only for a user whose every rollout is
/// theirs, and otherwise changes only which of their rollouts the user is in (docs/decisions/0018).
/// </summary>
/// <remarks><paramref name="Picker"/>: on the new user's page, the rollouts to tick (decision 0138); <paramref name="Memberships"/>: on an
/// existing user's page, their rollouts (decision 0131).</remarks>
public sealed record UserPage(
    User? User, UserForm Form, IReadOnlyList<Role> Roles, bool OwnsAccount, bool IsSelf,
    UserRollouts? Memberships = null, RolloutPicker? Picker = null);

/// <summary>
/// The new user's rollouts (decision 0138): those ticked (<paramref name="Chosen"/>, kept across searches), and the first
/// <see cref="UserRollouts.FoundListed"/> of the editor's other rollouts, matching <paramref name="Find"/> when given
/// (<paramref name="MoreFound"/> when there are more); <paramref name="Total"/>: how many rollouts the editor manages.
/// </summary>
public sealed record RolloutPicker(IReadOnlyList<RolloutChoice> Chosen, string? Find, IReadOnlyList<RolloutChoice> Found,
    bool MoreFound, int Total);

/// <summary>
/// A user's rollouts on their page (decision 0131): one page of those the viewer manages, searched (<paramref name="Window"/>),
/// each removable; and, when the viewer searched for one to add (<paramref name="Find"/>), the first
/// <see cref="UserRollouts.FoundListed"/> of the viewer's other rollouts matching it (<paramref name="MoreFound"/> when
/// there are more).
/// </summary>
public sealed record UserRollouts(IReadOnlyList<RolloutChoice> Rollouts, Users.ListWindow Window, string? Find,
    IReadOnlyList<RolloutChoice> Found, bool MoreFound)
{
    public const int FoundListed = 20;
}

public sealed record InvitationCreated(User User, string Link);

public sealed record RolloutSettingsItem(int Id, string Identifier, string Name, int? ClientLimit, int Members, int Clients);

/// <summary>One page of the rollouts settings' list, searched (decision 0129).</summary>
public sealed record RolloutSettingsList(IReadOnlyList<RolloutSettingsItem> Rollouts, Users.ListWindow Window);

public sealed record MemberItem(int Id, string DisplayName, string? Email, string UserCode, Role Role, bool IsActive);

public sealed record UserChoice(int Id, string DisplayName, string? Email, Role Role);

/// <summary>
/// A rollout's settings page. <paramref name="Members"/>: one page of them, <paramref name="MembersWindow"/> says which;
/// <paramref name="Candidates"/>: the users that may be added, listed only up to <see cref="UserSearch.CandidatesListed"/>
/// (null beyond: the manager types an email or user ID).
/// </summary>
public sealed record RolloutSettingsPage(
    Rollout? Rollout, RolloutForm Form, bool CanEdit, IReadOnlyList<MemberItem> Members, IReadOnlyList<UserChoice>? Candidates,
    bool CanManageMembers = false, ListWindow? MembersWindow = null, bool AnyCandidate = false);

public sealed record WorkflowListItem(int Id, string Name, IReadOnlyList<string> Statuses, SettingReach Reach);

/// <summary>A status on its workflow's page; <paramref name="Clients"/> is counted up to <see cref="WorkflowSettings.StatusCountBound"/> + 1.</summary>
public sealed record StatusItem(int Id, string Name, int Clients)
{
    /// <summary>"250", or "10,000+" beyond the bound.</summary>
    public string ClientsText => Clients > WorkflowSettings.StatusCountBound
        ? $"{WorkflowSettings.StatusCountBound:N0}+"
        : Clients.ToString("N0", System.Globalization.CultureInfo.CurrentCulture);
}

public sealed record WorkflowPage(Workflow Workflow, IReadOnlyList<StatusItem> Statuses, SettingReach Reach);

/// <remarks>
/// Both may be missing (null): <see cref="Workflows.WorkflowSettings"/> says what is wrong in its own words, and a
/// non-nullable string would add ASP.NET Core's "The Statuses field is required." beside them.
/// </remarks>
public sealed class WorkflowCreateForm
{
    public string? Name { get; set; }

    /// <summary>One status per line, in order.</summary>
    public string? Statuses { get; set; }
}

public sealed record RemoveStatusPage(Workflow Workflow, WorkflowStatus Status, int Clients, int? TargetStatusId, SettingReach Reach);

public sealed record CustomFieldListItem(
    int Id, string Name, CustomFieldType Type, bool Required, string? ValidationRegex, int Options, SettingReach Reach);

public sealed record CustomFieldPage(CustomField? Field, CustomFieldForm Form, SettingReach Reach, OptionList? Options = null);

/// <summary>
/// One page of a field's options in their order (<see cref="PageSize"/> a page; four forms each, so 5,000 options on
/// one page were 20,000 forms), those whose name holds <see cref="Search"/> (ignoring case) where one is given. Each
/// option with its place among all the field's options (<see cref="Count"/>), which decides its arrows.
/// </summary>
public sealed record OptionList(IReadOnlyList<(CustomFieldOption Option, int Place)> Items, int Count, int Matching, string? Search,
    int Page, int PageCount)
{
    public const int PageSize = 100;

    public static OptionList Of(CustomField field, int page, string? search)
    {
        ArgumentNullException.ThrowIfNull(field);
        var text = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        var all = field.Options.OrderBy(o => o.Position).ToList();
        var matching = all.Select((o, i) => (Option: o, Place: i))
            .Where(o => text is null || o.Option.Name.Contains(text, StringComparison.OrdinalIgnoreCase)).ToList();
        var paging = Infrastructure.Paging.Of(page, PageSize).Within(matching.Count);
        return new OptionList([.. matching.Skip(paging.Skip).Take(PageSize)], all.Count, matching.Count, text, paging.Page,
            paging.PageCount(matching.Count));
    }

    /// <summary>The address of page <paramref name="page"/> of this list (the search kept).</summary>
    public string Link(int fieldId, int page) =>
        $"/settings/custom-fields/{fieldId}?page={page}" + (Search is null ? "" : "&search=" + Uri.EscapeDataString(Search)) + "#options";
}

/// <summary>
/// The question before an option is renamed in clients' values: how many clients it changes. <paramref name="Page"/>
/// and <paramref name="Search"/>: the page of options the rename was asked on, where the answer returns.
/// </summary>
public sealed record RenameOptionPage(CustomField Field, CustomFieldOption Option, string NewName, int Clients, int Page = 1,
    string? Search = null)
{
    public string Back => Page > 1 || Search is not null
        ? new OptionList([], 0, 0, Search, Page, Page).Link(Field.Id, Page)
        : $"/settings/custom-fields/{Field.Id}";
}

/// <summary>An inventory that may switch to a copy of its workflow or field, or <see cref="Blocker"/>: why it may not.</summary>
public sealed record SwitchChoice(int InventoryId, string Name, string? Blocker);

/// <summary>
/// "Duplicate" of a workflow or custom field (<see cref="Setting"/>: "workflow", "custom field"): the copy's name and the
/// inventories of the user's rollouts to switch to it.
/// </summary>
public sealed record DuplicatePage(
    string Setting, string OriginalName, string Path, string Name, IReadOnlyList<SwitchChoice> Inventories,
    IReadOnlyCollection<int> Chosen, string SwitchRule);

public sealed record LinkTypeListItem(int Id, string OutwardName, string InwardName, bool IsAdvanced, IReadOnlyList<string> SharedFields, int Links);

/// <summary>The confirmation of a link type's deletion: the type, and the links that use it (then it is not deleted).</summary>
public sealed record LinkTypeDeletion(ClientLinkType Type, LinkTypeUse Use);

public sealed record LinkTypePage(ClientLinkType? Type, LinkTypeForm Form, IReadOnlyList<CustomField> Fields, int Links);
