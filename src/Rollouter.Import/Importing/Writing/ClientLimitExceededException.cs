namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// Thrown by the writer, before it commits, when the rollout's clients and the import's new ones go past the rollout's
/// client limit as it is under the rollout's write lock: another import into the rollout committed after this one's
/// check counted the clients, or an administrator lowered the limit. Everything is rolled back; the message is the
/// check's client-limit message, with the figures read under the lock.
/// </summary>
public sealed class ClientLimitExceededException(string message) : Exception(message);
