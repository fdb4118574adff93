namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// The names the default fields go by in a client's history (<see cref="Data.Entities.FieldChange.Field"/>); a custom
/// field goes by its own name. The writer records them and a revert reads them back.
/// </summary>
public static class ClientHistoryFields
{
    public const string Status = "Status";
    public const string Assignee = "Assignee";
    public const string ClientUser = "Client User";
    public const string Description = "Description";
    public const string Flag = "Client flag";

    /// <summary>How several values of a multi-selection are joined in the history.</summary>
    public const string ValueSeparator = "; ";
}
