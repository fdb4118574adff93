using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// A required custom field must have a value for a new client, whether or not the file maps it. (Updates leave
/// unmapped and empty cells unchanged, so they cannot empty a field.) With "Update existing clients", the message says
/// why the row is a new client (<paramref name="updatingInventory"/>, the inventory's name): a misspelt name is the
/// usual cause (decision 0104).
/// </summary>
internal sealed class RequiredFieldsRule(IReadOnlyList<FieldPlan> fields, string? updatingInventory = null)
{
    private readonly FieldPlan[] _required = [.. fields.Where(f => f.Field.Required)];

    public void Check(SourceRow row, RowBuffer buffer, ErrorCollector errors)
    {
        if (!buffer.IsNew)
        {
            return;
        }

        foreach (var field in _required)
        {
            // A value that failed its own rule is reported once, there.
            if (buffer.Values[field.Index] is not null ||
                (field.Column is { } failed && buffer.HasFailed(failed)))
            {
                continue;
            }

            var message = updatingInventory is not null && buffer.Name is { } name
                ? $"Field \"{field.Field.Name}\" is required: {NoSuchClient(updatingInventory, name)}"
                : $"Field \"{field.Field.Name}\" is required.";
            if (field.Column is { } column)
            {
                errors.Add(column, ErrorText.NullIfEmpty(row[column.Index]), message);
            }
            else
            {
                errors.Add(null, null, message);
            }
        }
    }

    /// <summary>"no client of Docking is named "QA-D2O", so this row would create one."</summary>
    internal static string NoSuchClient(string inventory, string name) =>
        $"no client of {inventory} is named \"{ErrorText.Shorten(name)}\", so this row would create one.";
}
