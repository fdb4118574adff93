using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Inventories;

public sealed record RolloutDto(int Id, string Identifier, string Name);

public sealed record InventoryListItemDto(int Id, string Name);

public sealed record CustomFieldDto(int Id, string Name, CustomFieldType Type, bool Required, string? Regex, IReadOnlyList<string> Options);

public sealed record InventoryDto(int Id, string Name, IReadOnlyList<string> Statuses, IReadOnlyList<CustomFieldDto> CustomFields);
