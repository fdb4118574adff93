using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Rollouts;

public sealed record RolloutListItem(string Identifier, string Name, int InventoryCount, int ClientCount, int? ClientLimit);

public sealed record InventoryListItem(int Id, string Name, string Workflow, int CustomFieldCount, int ClientCount);

public sealed record RolloutDetails(Rollout Rollout, IReadOnlyList<InventoryListItem> Inventories, int ClientCount);
