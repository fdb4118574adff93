namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// Thrown by the writer, before it writes anything, when a custom field of the inventory changed (renamed, an option
/// renamed or removed, taken off or added, …) between the check's reading of the inventory and the writer's taking of
/// the rollout's write lock: a settings change that held the lock meanwhile. The rows must be checked again.
/// </summary>
public sealed class ImportSettingsChangedException(string fieldName)
    : Exception($"The settings of the field \"{fieldName}\" changed while the import was being checked; nothing was written.")
{
    public string FieldName { get; } = fieldName;
}
