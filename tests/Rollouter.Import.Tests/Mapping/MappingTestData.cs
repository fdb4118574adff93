using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Mapping;

/// <summary>An inventory in memory with the benchmark's six custom fields and a few more.</summary>
internal static class MappingTestData
{
    public static InventoryDefinition Inventory(params CustomField[] extra)
    {
        var id = 0;
        CustomField Field(string name, CustomFieldType type, bool required = false) =>
            new() { Id = ++id, Name = name, Type = type, Required = required };
        return new InventoryDefinition
        {
            InventoryId = 1,
            InventoryName = "Laptops",
            RolloutId = 1,
            WorkflowName = "Standard",
            Statuses = [new WorkflowStatus { Id = 1, Name = "New" }],
            CustomFields =
            [
                Field("Location", CustomFieldType.Input),
                Field("Model", CustomFieldType.Selection),
                Field("Software", CustomFieldType.MultiSelection),
                Field("Serial", CustomFieldType.Input, required: true),
                Field("Department", CustomFieldType.Selection),
                Field("Notes", CustomFieldType.TextArea),
                Field("Tags", CustomFieldType.MultiSelectionFree),
                .. extra,
            ],
        };
    }

    public static IReadOnlyList<SheetColumn> Columns(params string[] headers) =>
        [.. headers.Select((h, i) => new SheetColumn(i, Rules.FileSpec.Letter(i), h))];

    public static Dictionary<string, string?> Targets(ImportMapping mapping) =>
        mapping.Columns.ToDictionary(c => c.Header!, c => c.Target);
}
