namespace Rollouter.Import.Data.Entities;

public enum CustomFieldType
{
    Input = 1,
    TextArea = 2,
    Selection = 3,
    MultiSelection = 4,
    /// <summary>Multi-selection without options: any values are accepted.</summary>
    MultiSelectionFree = 5,
}

/// <summary>A global field definition that inventories choose from.</summary>
public class CustomField
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public CustomFieldType Type { get; set; }

    public bool Required { get; set; }

    /// <summary>A .NET regular expression a value must match, when set.</summary>
    public string? ValidationRegex { get; set; }

    /// <summary>
    /// The most options a field has (settings pages, API, an import's "Create option if not exists"): far more than a
    /// real list of models or departments, few enough that every page and list showing them stays fast
    /// (docs/decisions/0098).
    /// </summary>
    public const int MaxOptions = 1_000;

    public List<CustomFieldOption> Options { get; set; } = [];

    public bool HasOptions => Type is CustomFieldType.Selection or CustomFieldType.MultiSelection;

    public bool IsMultiValued => Type is CustomFieldType.MultiSelection or CustomFieldType.MultiSelectionFree;
}

public class CustomFieldOption
{
    public int Id { get; set; }

    public int CustomFieldId { get; set; }

    public CustomField CustomField { get => field ?? throw Navigation.NotLoaded(this, nameof(CustomField)); set; }

    public required string Name { get; set; }

    public int Position { get; set; }

    /// <summary>
    /// The import that created the option ("Create option if not exists"): a revert of that import removes it again
    /// when no client uses it any more. A plain id, as on the client.
    /// </summary>
    public int? CreatedByImportId { get; set; }
}
