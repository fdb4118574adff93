namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// Thrown by the writer, before it commits, when the options the import creates no longer fit their field's
/// <see cref="Data.Entities.CustomField.MaxOptions"/> as counted under the field's row lock: another import or a rollout
/// manager added options to the field after this import's check read it (decision 0100). Everything is rolled back; the
/// message names the field and the limit.
/// </summary>
public sealed class OptionLimitExceededException(string message) : Exception(message);
