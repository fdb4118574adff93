using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// One custom field of the inventory as the rules see it: its options (exact, then ignoring case), its compiled
/// pattern, and the options rows of the current pass add.
/// </summary>
internal sealed class FieldPlan
{
    private readonly Dictionary<string, string> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _ignoringCase = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _created = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<NewOption> _createdList = [];
    private readonly Dictionary<string, string[]> _singles = new(StringComparer.Ordinal);

    public FieldPlan(CustomField field, int index)
    {
        Field = field;
        Index = index;
        foreach (var option in field.Options)
        {
            _exact.TryAdd(option.Name, option.Name);
            _ignoringCase.TryAdd(option.Name, option.Name);
            // An option saved before names were kept as seen ("Bu\u0308ro") is found by the cell as seen ("Büro").
            _ignoringCase.TryAdd(PlainText.AsSeen(option.Name), option.Name);
        }
    }

    public CustomField Field { get; }

    /// <summary>The field's position among the inventory's fields (its slot in <see cref="RowBuffer.Values"/>).</summary>
    public int Index { get; }

    /// <summary>The column the mapping puts into this field, if any.</summary>
    public ColumnPlan? Column { get; set; }

    /// <summary>The column of a field the loader found mapped (shared fields of advanced links are).</summary>
    public ColumnPlan MappedColumn =>
        Column ?? throw new InvalidOperationException($"Field \"{Field.Name}\" is not mapped to a column.");

    public Regex? Pattern { get; set; }

    /// <summary>A value of an existing client that matches <see cref="Pattern"/>, shown in the pattern's message.</summary>
    public string? Example { get; set; }

    /// <summary>The options by <see cref="ErrorText.Loose"/> key, built at the first failing cell for "Did you mean …?".</summary>
    public Dictionary<string, string>? OptionsByLooseKey { get; set; }

    /// <summary>The options the rows of this pass add, in the order they first appeared.</summary>
    public IReadOnlyList<NewOption> CreatedOptions => _createdList;

    /// <summary>
    /// The option's stored spelling: exact first, then ignoring case (so "model 3" is stored as "Model 3" and no
    /// near-duplicate option appears), then the options added by earlier rows of this pass.
    /// </summary>
    public bool TryFind(string value, [NotNullWhen(true)] out string? option) =>
        _exact.TryGetValue(value, out option) || _ignoringCase.TryGetValue(value, out option) ||
        _created.TryGetValue(value, out option);

    /// <summary>Adds <paramref name="value"/> as a new option of this pass (the caller found no option by that name).</summary>
    public NewOption Create(string value)
    {
        var option = new NewOption(Field.Id, value);
        _created[value] = value;
        _createdList.Add(option);
        return option;
    }

    /// <summary>The one-element value of an option, shared by every row that selects it (values are never modified).</summary>
    public string[] Single(string option)
    {
        if (!_singles.TryGetValue(option, out var single))
        {
            single = [option];
            _singles.Add(option, single);
        }

        return single;
    }

    public void BeginPass()
    {
        _created.Clear();
        _createdList.Clear();
    }
}
