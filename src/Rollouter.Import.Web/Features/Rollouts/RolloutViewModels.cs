using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Features.Settings.Users;

namespace Rollouter.Import.Web.Features.Rollouts;

public sealed record RolloutListItem(string Identifier, string Name, int InventoryCount, int ClientCount, int? ClientLimit);

/// <summary>One page of the rollouts the user sees, searched (decision 0129).</summary>
public sealed record RolloutListPage(IReadOnlyList<RolloutListItem> Rollouts, ListWindow Window);

public sealed record InventoryListItem(int Id, string Name, string Workflow, int CustomFieldCount, int ClientCount);

public sealed record RolloutDetails(Rollout Rollout, IReadOnlyList<InventoryListItem> Inventories, int ClientCount);
