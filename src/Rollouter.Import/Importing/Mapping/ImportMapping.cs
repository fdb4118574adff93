using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rollouter.Import.Importing.Mapping;

/// <summary>
/// The column-field mapping of an import and its import-wide settings, as stored on the import (JSON), remembered
/// as the inventory's last mapping and exchanged by the JSON API.
/// </summary>
public sealed class ImportMapping
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>"Update existing clients": a row whose Name exists in this inventory updates that client.</summary>
    public bool UpdateExisting { get; set; }

    public List<ColumnMapping> Columns { get; set; } = [];

    /// <summary>The column mapped to Name, if any; without one the import stays Incomplete.</summary>
    [JsonIgnore]
    public ColumnMapping? NameColumn => Columns.FirstOrDefault(c => c.Target == DefaultFields.Name);

    /// <summary>
    /// Whether two mappings import the same way: "Update existing clients", and per column the target and the options
    /// that apply to it (a user lookup left empty is by email; a separator left empty is ";"). The wizard saves the mapping
    /// shown only where it differs, and only a changed mapping moves a Failed import to Waiting for Approval.
    /// </summary>
    public static bool Same(ImportMapping a, ImportMapping b, InventoryDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(definition);
        if (a.UpdateExisting != b.UpdateExisting)
        {
            return false;
        }

        (string?, UserLookup?, bool, string?) Meaning(ColumnMapping? c)
        {
            if (c is null || string.IsNullOrWhiteSpace(c.Target))
            {
                return (null, null, false, null);
            }

            var target = c.Target;
            var field = definition.FindField(target);
            return (target,
                DefaultFields.IsUser(target) ? c.Lookup ?? ColumnMapping.DefaultLookup : null,
                field is { HasOptions: true } && c.CreateOptions,
                field is { IsMultiValued: true } ? c.Separator is { Length: > 0 } s ? s : ColumnMapping.DefaultSeparator : null);
        }

        var letters = a.Columns.Select(c => c.Letter).Union(b.Columns.Select(c => c.Letter), StringComparer.OrdinalIgnoreCase);
        return letters.All(letter =>
            Meaning(a.Columns.FirstOrDefault(c => string.Equals(c.Letter, letter, StringComparison.OrdinalIgnoreCase))) ==
            Meaning(b.Columns.FirstOrDefault(c => string.Equals(c.Letter, letter, StringComparison.OrdinalIgnoreCase))));
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// What the inventory remembers for its next import: which column goes to which field, the user lookups and the
    /// separators; never "Update existing clients" or "Create option if not exists", which are decided per import.
    /// </summary>
    public ImportMapping ToRemembered() => new()
    {
        Columns = [.. Columns.Select(c => new ColumnMapping
        {
            Letter = c.Letter,
            Header = c.Header,
            Target = c.Target,
            Lookup = c.Lookup,
            Separator = c.Separator,
        })],
    };

    /// <summary>Reads a stored mapping; null or empty text gives an empty mapping.</summary>
    public static ImportMapping FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json)
            ? new ImportMapping()
            : JsonSerializer.Deserialize<ImportMapping>(json, JsonOptions) ?? new ImportMapping();
}

/// <summary>What one column of the file is imported into.</summary>
public sealed class ColumnMapping
{
    /// <summary>The column letter as the spreadsheet shows it ("C").</summary>
    public required string Letter { get; set; }

    /// <summary>The column's header when the mapping was made, so a later file's columns can be matched to it.</summary>
    public string? Header { get; set; }

    /// <summary>
    /// A default field (<see cref="DefaultFields"/>: "Name", "Status", "Assignee", "ClientUser", "Description",
    /// "ClientFlag"), the name of one of the inventory's custom fields, or null: do not import.
    /// </summary>
    public string? Target { get; set; }

    /// <summary>For Assignee and Client User: the attribute users are found by; null means <see cref="UserLookup.Email"/>.</summary>
    public UserLookup? Lookup { get; set; }

    /// <summary>For selections: "Create option if not exists".</summary>
    public bool CreateOptions { get; set; }

    /// <summary>For multi-selections: what separates the values of a cell; null means <see cref="DefaultSeparator"/>.</summary>
    public string? Separator { get; set; }

    public const string DefaultSeparator = ";";

    public const UserLookup DefaultLookup = UserLookup.Email;
}

[JsonConverter(typeof(JsonStringEnumConverter<UserLookup>))]
public enum UserLookup
{
    Email = 1,
    Name = 2,
    UserId = 3,
}

/// <summary>The targets that are not custom fields, with the names a person sees.</summary>
public static class DefaultFields
{
    public const string Name = "Name";
    public const string Status = "Status";
    public const string Assignee = "Assignee";
    public const string ClientUser = "ClientUser";
    public const string Description = "Description";
    public const string ClientFlag = "ClientFlag";

    /// <summary>In the order the wizard shows them, above the divider.</summary>
    public static IReadOnlyList<string> All { get; } = [Status, Assignee, ClientUser, Name, Description, ClientFlag];

    public static bool IsDefault([NotNullWhen(true)] string? target) => target is not null && All.Contains(target, StringComparer.Ordinal);

    public static bool IsUser([NotNullWhen(true)] string? target) => target is Assignee or ClientUser;

    /// <summary>How a user column's lookup is named on the pages: "Email", "Name", "User ID".</summary>
    public static string LookupName(UserLookup lookup) => lookup == UserLookup.UserId ? "User ID" : lookup.ToString();

    public static string DisplayName(string target) => target switch
    {
        ClientUser => "Client User",
        ClientFlag => "Client flag",
        _ => target,
    };
}
