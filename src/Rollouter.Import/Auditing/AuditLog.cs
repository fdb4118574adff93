using Microsoft.Extensions.Logging;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Auditing;

/// <summary>
/// The audit trail: changes that destroy or rename data, link clients, or change who may do what, written as structured log events
/// under the category <see cref="Category"/> (docs/operations.md, "Audit events"). Each event says who
/// (<c>ActorId</c>, the user's id; null for the system), what (the event's name: <c>EventId.Name</c>) and which
/// (the ids and names involved), so that an operator can route the category to a store of its own and answer "who
/// deleted this inventory?" without reading the application's other lines.
/// </summary>
public sealed partial class AuditLog(ILoggerFactory loggers)
{
    /// <summary>The logger category of every audit event.</summary>
    public const string Category = "Audit";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    /// <summary>An inventory was deleted, with its clients, their links and history, and its imports.</summary>
    public void InventoryDeleted(int? actorId, int rolloutId, int inventoryId, string inventoryName, int clients,
        IReadOnlyList<int> importIds) =>
        LogInventoryDeleted(_logger, actorId, inventoryId, inventoryName, rolloutId, clients, importIds.Count, importIds);

    /// <summary>A link between two clients was made (an advanced one may have changed shared values on one of them).</summary>
    public void ClientLinkCreated(int? actorId, int rolloutId, int linkId, int sourceClientId, int targetClientId, string linkType) =>
        LogClientLinkCreated(_logger, actorId, linkId, linkType, sourceClientId, targetClientId, rolloutId);

    /// <summary>A link between two clients was removed.</summary>
    public void ClientLinkDeleted(int? actorId, int rolloutId, int linkId, int sourceClientId, int targetClientId, string linkType) =>
        LogClientLinkDeleted(_logger, actorId, linkId, linkType, sourceClientId, targetClientId, rolloutId);

    /// <summary>A user's role changed.</summary>
    public void RoleChanged(int? actorId, int userId, string userName, string oldRole, string newRole) =>
        LogRoleChanged(_logger, actorId, userId, userName, oldRole, newRole);

    /// <summary>
    /// A user was erased (decision 0144): renamed, deactivated, out of every rollout, their email rewritten in the client
    /// history and their values cleared from failed rows and corrections. Names the ids and counts only: never the name or
    /// email the user had.
    /// </summary>
    public void UserErased(int? actorId, int userId, int historyEntries, int failedCells, int corrections) =>
        LogUserErased(_logger, actorId, userId, historyEntries, failedCells, corrections);

    /// <summary>A user was deactivated (signed out everywhere, no sign-in) or reactivated.</summary>
    public void UserActiveChanged(int? actorId, int userId, string userName, bool active)
    {
        if (active)
        {
            LogUserReactivated(_logger, actorId, userId, userName);
        }
        else
        {
            LogUserDeactivated(_logger, actorId, userId, userName);
        }
    }

    /// <summary>
    /// A user's sign-ins were ended (decision 0182): by an administrator or rollout manager (End sign-ins,
    /// <c>POST /api/users/{id}/sign-out</c>), or by the user themselves (Sign out everywhere, <c>actorId</c> = <c>userId</c>,
    /// their own browser or token kept). Counts the browser sessions and API tokens that ended.
    /// </summary>
    public void SignInsEnded(int? actorId, int userId, string userName, int sessions, int tokens) =>
        LogSignInsEnded(_logger, actorId, userId, userName, sessions, tokens);

    /// <summary>An option was added to a custom field: imports into its inventories accept it from then on.</summary>
    public void OptionAdded(int? actorId, int fieldId, string fieldName, int optionId, string optionName) =>
        LogOptionAdded(_logger, actorId, optionId, optionName, fieldId, fieldName);

    /// <summary>An option no client held was removed from a custom field.</summary>
    public void OptionRemoved(int? actorId, int fieldId, string fieldName, int optionId, string optionName) =>
        LogOptionRemoved(_logger, actorId, optionId, optionName, fieldId, fieldName);

    /// <summary>
    /// A custom field's name, description, type, required flag or pattern changed. <paramref name="changes"/> says which,
    /// before → after ("required no → yes; pattern (none) → "^SN\d+$"").
    /// </summary>
    public void CustomFieldChanged(int? actorId, int fieldId, string fieldName, string changes) =>
        LogCustomFieldChanged(_logger, actorId, fieldId, fieldName, changes);

    /// <summary>An option of a custom field was renamed, in the clients' values too.</summary>
    public void OptionRenamed(int? actorId, int fieldId, string fieldName, int optionId, string oldName, string newName) =>
        LogOptionRenamed(_logger, actorId, fieldId, fieldName, optionId, oldName, newName);

    /// <summary>
    /// An import's column-field assignment was saved (the page's Save mapping, the mapping the page showed saved with
    /// Check or Approve, <c>PUT /api/imports/{id}/mapping</c>): who decided what the import writes, the last one being
    /// the one its run follows. <paramref name="import"/> as saved.
    /// </summary>
    public void MappingSaved(int? actorId, ClientImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        var mapping = ImportMapping.FromJson(import.Mapping);
        LogMappingSaved(_logger, actorId, import.Id, import.InventoryId, import.RolloutId,
            mapping.Columns.Count(c => !string.IsNullOrEmpty(c.Target)), mapping.UpdateExisting, import.Status.ToString());
    }

    /// <summary>
    /// A completed import was reverted: the clients it created are gone and the values it changed are back. Written by
    /// the revert's run (ImportReverter) once it has committed.
    /// </summary>
    public void ImportReverted(int? actorId, int rolloutId, int inventoryId, int importId, int clientsRemoved, int clientsRestored) =>
        LogImportReverted(_logger, actorId, importId, inventoryId, rolloutId, clientsRemoved, clientsRestored);

    /// <summary>A user was created (their rollouts follow as <see cref="RolloutMemberAdded"/>).</summary>
    public void UserCreated(int? actorId, int userId, string userName, string email, string role, bool keyAccountManager) =>
        LogUserCreated(_logger, actorId, userId, userName, email, role, keyAccountManager);

    /// <summary>A user's key account manager flag changed: they may now review the imports of their rollouts, or no longer.</summary>
    public void KeyAccountManagerChanged(int? actorId, int userId, string userName, bool oldValue, bool newValue) =>
        LogKeyAccountManagerChanged(_logger, actorId, userId, userName, oldValue, newValue);

    /// <summary>
    /// A user's name, email (the sign-in) or user ID changed: imports look users up by each. <paramref name="changes"/>
    /// says which, before → after ("email "a@x.test" → "b@x.test"").
    /// </summary>
    public void UserDetailsChanged(int? actorId, int userId, string userName, string changes) =>
        LogUserDetailsChanged(_logger, actorId, userId, userName, changes);

    /// <summary>A user became a member of a rollout: they may now see it, and do there what their role allows.</summary>
    public void RolloutMemberAdded(int? actorId, int rolloutId, string rolloutIdentifier, int userId, string userName) =>
        LogRolloutMemberAdded(_logger, actorId, userId, userName, rolloutId, rolloutIdentifier);

    /// <summary>A user was taken off a rollout.</summary>
    public void RolloutMemberRemoved(int? actorId, int rolloutId, string rolloutIdentifier, int userId, string userName) =>
        LogRolloutMemberRemoved(_logger, actorId, userId, userName, rolloutId, rolloutIdentifier);

    /// <summary>A workflow was renamed.</summary>
    public void WorkflowRenamed(int? actorId, int workflowId, string oldName, string newName) =>
        LogWorkflowRenamed(_logger, actorId, workflowId, oldName, newName);

    /// <summary>A status was added to a workflow: every import into an inventory of the workflow accepts it from then on.</summary>
    public void StatusAdded(int? actorId, int workflowId, string workflowName, int statusId, string statusName) =>
        LogStatusAdded(_logger, actorId, statusId, statusName, workflowId, workflowName);

    /// <summary>A status was renamed; its clients keep it, each with a history entry.</summary>
    public void StatusRenamed(int? actorId, int workflowId, string workflowName, int statusId, string oldName, string newName,
        int clients) =>
        LogStatusRenamed(_logger, actorId, statusId, workflowId, workflowName, oldName, newName, clients);

    /// <summary>A status was removed; its clients (each with a history entry) moved to <paramref name="movedTo"/>.</summary>
    public void StatusRemoved(int? actorId, int workflowId, string workflowName, int statusId, string statusName, int clients,
        string? movedTo) =>
        LogStatusRemoved(_logger, actorId, statusId, statusName, workflowId, workflowName, clients, movedTo);

    /// <summary>A status was moved up or down: the first status is the one an import gives a client whose Status cell is empty.</summary>
    public void StatusMoved(int? actorId, int workflowId, string workflowName, int statusId, string statusName, int oldPosition,
        int newPosition) =>
        LogStatusMoved(_logger, actorId, statusId, statusName, workflowId, workflowName, oldPosition, newPosition);

    /// <summary>An option of a custom field was moved up or down: the order of the dropdowns and the import template.</summary>
    public void OptionMoved(int? actorId, int fieldId, string fieldName, int optionId, string optionName, int oldPosition,
        int newPosition) =>
        LogOptionMoved(_logger, actorId, optionId, optionName, fieldId, fieldName, oldPosition, newPosition);

    /// <summary>A workflow was created with its statuses, in their order.</summary>
    public void WorkflowCreated(int? actorId, int workflowId, string workflowName, IReadOnlyList<string> statuses) =>
        LogWorkflowCreated(_logger, actorId, workflowId, workflowName, statuses);

    /// <summary>A workflow was duplicated, and <paramref name="inventoryIds"/> switched to the copy.</summary>
    public void WorkflowDuplicated(int? actorId, int workflowId, string workflowName, int copyId, string copyName,
        IReadOnlyList<int> inventoryIds) =>
        LogWorkflowDuplicated(_logger, actorId, workflowId, workflowName, copyId, copyName, inventoryIds);

    /// <summary>A custom field was created: its type, rules and options.</summary>
    public void CustomFieldCreated(int? actorId, int fieldId, string fieldName, string type, bool required, string? pattern,
        IReadOnlyList<string> options) =>
        LogCustomFieldCreated(_logger, actorId, fieldId, fieldName, type, required, pattern, options);

    /// <summary>
    /// A custom field was duplicated, and <paramref name="inventoryIds"/> switched to the copy (their clients' values moved
    /// to it, each with a history entry).
    /// </summary>
    public void CustomFieldDuplicated(int? actorId, int fieldId, string fieldName, int copyId, string copyName,
        IReadOnlyList<int> inventoryIds) =>
        LogCustomFieldDuplicated(_logger, actorId, fieldId, fieldName, copyId, copyName, inventoryIds);

    /// <summary>A rollout was created.</summary>
    public void RolloutCreated(int? actorId, int rolloutId, string rolloutIdentifier, string rolloutName, int? clientLimit) =>
        LogRolloutCreated(_logger, actorId, rolloutId, rolloutIdentifier, rolloutName, clientLimit);

    /// <summary>
    /// A rollout's name, identifier (its addresses) or client limit changed. <paramref name="changes"/> says which,
    /// before → after ("client limit (none) → 500").
    /// </summary>
    public void RolloutChanged(int? actorId, int rolloutId, string rolloutIdentifier, string changes) =>
        LogRolloutChanged(_logger, actorId, rolloutId, rolloutIdentifier, changes);

    /// <summary>A client link type was created.</summary>
    public void LinkTypeCreated(int? actorId, int linkTypeId, string outwardName, string inwardName, bool advanced,
        IReadOnlyList<string> sharedFields) =>
        LogLinkTypeCreated(_logger, actorId, linkTypeId, outwardName, inwardName, advanced, sharedFields);

    /// <summary>
    /// A client link type's names, advanced flag or shared fields changed. <paramref name="changes"/> says which, before →
    /// after ("shared fields "Location" → "Location", "Department"").
    /// </summary>
    public void LinkTypeChanged(int? actorId, int linkTypeId, string outwardName, string changes) =>
        LogLinkTypeChanged(_logger, actorId, linkTypeId, outwardName, changes);

    /// <summary>A client link type no link used was deleted.</summary>
    public void LinkTypeDeleted(int? actorId, int linkTypeId, string outwardName, string inwardName, bool advanced,
        IReadOnlyList<string> sharedFields) =>
        LogLinkTypeDeleted(_logger, actorId, linkTypeId, outwardName, inwardName, advanced, sharedFields);

    /// <summary>An inventory was duplicated (same workflow, custom fields and remembered mapping; no clients).</summary>
    public void InventoryDuplicated(int? actorId, int rolloutId, int inventoryId, string inventoryName, int copyId, string copyName) =>
        LogInventoryDuplicated(_logger, actorId, inventoryId, inventoryName, copyId, copyName, rolloutId);

    /// <summary>An inventory was created, with its workflow and custom fields (in their order).</summary>
    public void InventoryCreated(int? actorId, int rolloutId, int inventoryId, string inventoryName, string workflowName,
        IReadOnlyList<string> customFields) =>
        LogInventoryCreated(_logger, actorId, inventoryId, inventoryName, rolloutId, workflowName, customFields);

    /// <summary>
    /// An inventory's name, workflow or custom fields (which, and their order) changed. <paramref name="changes"/> says
    /// which, before → after ("name "Laptops" → "Notebooks"; custom fields "Location" → "Location", "Owner"").
    /// </summary>
    public void InventoryChanged(int? actorId, int rolloutId, int inventoryId, string inventoryName, string changes) =>
        LogInventoryChanged(_logger, actorId, inventoryId, inventoryName, rolloutId, changes);

    /// <summary>
    /// A link that lets its holder set the user's password and sign in as them was made: an invitation (a user without
    /// a password) or a password reset. The link's token is never logged; earlier links of the user stop working.
    /// </summary>
    public void SignInLinkCreated(int? actorId, int userId, string userName, bool invitation, DateTimeOffset validUntil)
    {
        if (invitation)
        {
            LogInvitationLinkCreated(_logger, actorId, userId, userName, validUntil);
        }
        else
        {
            LogPasswordResetLinkCreated(_logger, actorId, userId, userName, validUntil);
        }
    }

    /// <summary>
    /// An import's file settings (sheet, header row, delimiter, encoding, hidden rows) changed: the file is read anew and
    /// the column-field assignment suggested anew. <paramref name="changes"/> says which, before → after.
    /// </summary>
    public void FileSettingsSaved(int? actorId, ClientImport import, string changes)
    {
        ArgumentNullException.ThrowIfNull(import);
        LogFileSettingsSaved(_logger, actorId, import.Id, import.InventoryId, import.RolloutId, changes, import.RowCount ?? 0,
            import.Status.ToString());
    }

    [LoggerMessage(EventId = 9001, EventName = "InventoryDeleted", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} deleted inventory {InventoryId} ({InventoryName}) of rollout {RolloutId}, with {ClientCount} clients and {ImportCount} imports {ImportIds}")]
    private static partial void LogInventoryDeleted(ILogger logger, int? actorId, int inventoryId, string inventoryName,
        int rolloutId, int clientCount, int importCount, IReadOnlyList<int> importIds);

    [LoggerMessage(EventId = 9002, EventName = "ClientLinkDeleted", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} deleted link {LinkId} ({LinkType}) from client {SourceClientId} to client {TargetClientId} in rollout {RolloutId}")]
    private static partial void LogClientLinkDeleted(ILogger logger, int? actorId, int linkId, string linkType,
        int sourceClientId, int targetClientId, int rolloutId);

    [LoggerMessage(EventId = 9003, EventName = "RoleChanged", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed the role of user {UserId} ({UserName}) from {OldRole} to {NewRole}")]
    private static partial void LogRoleChanged(ILogger logger, int? actorId, int userId, string userName, string oldRole,
        string newRole);

    [LoggerMessage(EventId = 9004, EventName = "OptionRenamed", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} renamed option {OptionId} of custom field {FieldId} ({FieldName}) from {OldName} to {NewName}")]
    private static partial void LogOptionRenamed(ILogger logger, int? actorId, int fieldId, string fieldName, int optionId,
        string oldName, string newName);

    [LoggerMessage(EventId = 9005, EventName = "ImportReverted", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} reverted import {ImportId} of inventory {InventoryId} in rollout {RolloutId}: {ClientsRemoved} clients removed, {ClientsRestored} restored")]
    private static partial void LogImportReverted(ILogger logger, int? actorId, int importId, int inventoryId, int rolloutId,
        int clientsRemoved, int clientsRestored);

    [LoggerMessage(EventId = 9040, EventName = "SignInsEnded", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} ended the sign-ins of user {UserId} ({UserName}): {Sessions} browser sessions, {Tokens} API tokens")]
    private static partial void LogSignInsEnded(ILogger logger, int? actorId, int userId, string userName, int sessions, int tokens);

    [LoggerMessage(EventId = 9007, EventName = "UserDeactivated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} deactivated user {UserId} ({UserName})")]
    private static partial void LogUserDeactivated(ILogger logger, int? actorId, int userId, string userName);

    [LoggerMessage(EventId = 9008, EventName = "UserReactivated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} reactivated user {UserId} ({UserName})")]
    private static partial void LogUserReactivated(ILogger logger, int? actorId, int userId, string userName);

    [LoggerMessage(EventId = 9009, EventName = "WorkflowRenamed", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} renamed workflow {WorkflowId} from {OldName} to {NewName}")]
    private static partial void LogWorkflowRenamed(ILogger logger, int? actorId, int workflowId, string oldName, string newName);

    [LoggerMessage(EventId = 9010, EventName = "StatusAdded", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} added status {StatusId} ({StatusName}) to workflow {WorkflowId} ({WorkflowName})")]
    private static partial void LogStatusAdded(ILogger logger, int? actorId, int statusId, string statusName, int workflowId,
        string workflowName);

    [LoggerMessage(EventId = 9011, EventName = "StatusRenamed", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} renamed status {StatusId} of workflow {WorkflowId} ({WorkflowName}) from {OldName} to {NewName}, on {ClientCount} clients")]
    private static partial void LogStatusRenamed(ILogger logger, int? actorId, int statusId, int workflowId, string workflowName,
        string oldName, string newName, int clientCount);

    [LoggerMessage(EventId = 9012, EventName = "StatusRemoved", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} removed status {StatusId} ({StatusName}) of workflow {WorkflowId} ({WorkflowName}), moving {ClientCount} clients to {MovedTo}")]
    private static partial void LogStatusRemoved(ILogger logger, int? actorId, int statusId, string statusName, int workflowId,
        string workflowName, int clientCount, string? movedTo);

    [LoggerMessage(EventId = 9013, EventName = "UserCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created user {UserId} ({UserName}, {Email}) with the role {Role}, key account manager {KeyAccountManager}")]
    private static partial void LogUserCreated(ILogger logger, int? actorId, int userId, string userName, string email, string role,
        bool keyAccountManager);

    [LoggerMessage(EventId = 9014, EventName = "KeyAccountManagerChanged", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed the key account manager flag of user {UserId} ({UserName}) from {OldValue} to {NewValue}")]
    private static partial void LogKeyAccountManagerChanged(ILogger logger, int? actorId, int userId, string userName, bool oldValue,
        bool newValue);

    [LoggerMessage(EventId = 9015, EventName = "UserDetailsChanged", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed user {UserId} ({UserName}): {Changes}")]
    private static partial void LogUserDetailsChanged(ILogger logger, int? actorId, int userId, string userName, string changes);

    [LoggerMessage(EventId = 9016, EventName = "RolloutMemberAdded", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} added user {UserId} ({UserName}) to rollout {RolloutId} ({RolloutIdentifier})")]
    private static partial void LogRolloutMemberAdded(ILogger logger, int? actorId, int userId, string userName, int rolloutId,
        string rolloutIdentifier);

    [LoggerMessage(EventId = 9017, EventName = "RolloutMemberRemoved", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} removed user {UserId} ({UserName}) from rollout {RolloutId} ({RolloutIdentifier})")]
    private static partial void LogRolloutMemberRemoved(ILogger logger, int? actorId, int userId, string userName, int rolloutId,
        string rolloutIdentifier);

    [LoggerMessage(EventId = 9018, EventName = "OptionAdded", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} added option {OptionId} ({OptionName}) to custom field {FieldId} ({FieldName})")]
    private static partial void LogOptionAdded(ILogger logger, int? actorId, int optionId, string optionName, int fieldId,
        string fieldName);

    [LoggerMessage(EventId = 9019, EventName = "OptionRemoved", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} removed option {OptionId} ({OptionName}) of custom field {FieldId} ({FieldName})")]
    private static partial void LogOptionRemoved(ILogger logger, int? actorId, int optionId, string optionName, int fieldId,
        string fieldName);

    [LoggerMessage(EventId = 9020, EventName = "CustomFieldChanged", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed custom field {FieldId} ({FieldName}): {Changes}")]
    private static partial void LogCustomFieldChanged(ILogger logger, int? actorId, int fieldId, string fieldName, string changes);

    [LoggerMessage(EventId = 9021, EventName = "MappingSaved", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} saved the mapping of import {ImportId} of inventory {InventoryId} in rollout {RolloutId}: {ColumnCount} columns imported, update existing clients {UpdateExisting}, now {Status}")]
    private static partial void LogMappingSaved(ILogger logger, int? actorId, int importId, int inventoryId, int rolloutId,
        int columnCount, bool updateExisting, string status);

    [LoggerMessage(EventId = 9022, EventName = "StatusMoved", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} moved status {StatusId} ({StatusName}) of workflow {WorkflowId} ({WorkflowName}) from position {OldPosition} to {NewPosition}")]
    private static partial void LogStatusMoved(ILogger logger, int? actorId, int statusId, string statusName, int workflowId,
        string workflowName, int oldPosition, int newPosition);

    [LoggerMessage(EventId = 9023, EventName = "OptionMoved", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} moved option {OptionId} ({OptionName}) of custom field {FieldId} ({FieldName}) from position {OldPosition} to {NewPosition}")]
    private static partial void LogOptionMoved(ILogger logger, int? actorId, int optionId, string optionName, int fieldId,
        string fieldName, int oldPosition, int newPosition);

    [LoggerMessage(EventId = 9024, EventName = "WorkflowCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created workflow {WorkflowId} ({WorkflowName}) with the statuses {Statuses}")]
    private static partial void LogWorkflowCreated(ILogger logger, int? actorId, int workflowId, string workflowName,
        IReadOnlyList<string> statuses);

    [LoggerMessage(EventId = 9025, EventName = "WorkflowDuplicated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} duplicated workflow {WorkflowId} ({WorkflowName}) as workflow {CopyId} ({CopyName}), switching the inventories {InventoryIds} to the copy")]
    private static partial void LogWorkflowDuplicated(ILogger logger, int? actorId, int workflowId, string workflowName, int copyId,
        string copyName, IReadOnlyList<int> inventoryIds);

    [LoggerMessage(EventId = 9026, EventName = "CustomFieldCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created custom field {FieldId} ({FieldName}) of type {Type}, required {Required}, pattern {Pattern}, options {Options}")]
    private static partial void LogCustomFieldCreated(ILogger logger, int? actorId, int fieldId, string fieldName, string type,
        bool required, string? pattern, IReadOnlyList<string> options);

    [LoggerMessage(EventId = 9027, EventName = "CustomFieldDuplicated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} duplicated custom field {FieldId} ({FieldName}) as custom field {CopyId} ({CopyName}), switching the inventories {InventoryIds} to the copy")]
    private static partial void LogCustomFieldDuplicated(ILogger logger, int? actorId, int fieldId, string fieldName, int copyId,
        string copyName, IReadOnlyList<int> inventoryIds);

    [LoggerMessage(EventId = 9028, EventName = "RolloutCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created rollout {RolloutId} ({RolloutIdentifier}, {RolloutName}) with the client limit {ClientLimit}")]
    private static partial void LogRolloutCreated(ILogger logger, int? actorId, int rolloutId, string rolloutIdentifier,
        string rolloutName, int? clientLimit);

    [LoggerMessage(EventId = 9029, EventName = "RolloutChanged", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed rollout {RolloutId} ({RolloutIdentifier}): {Changes}")]
    private static partial void LogRolloutChanged(ILogger logger, int? actorId, int rolloutId, string rolloutIdentifier, string changes);

    [LoggerMessage(EventId = 9030, EventName = "LinkTypeCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created link type {LinkTypeId} ({OutwardName} / {InwardName}), advanced {Advanced}, sharing {SharedFields}")]
    private static partial void LogLinkTypeCreated(ILogger logger, int? actorId, int linkTypeId, string outwardName, string inwardName,
        bool advanced, IReadOnlyList<string> sharedFields);

    [LoggerMessage(EventId = 9031, EventName = "LinkTypeChanged", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed link type {LinkTypeId} ({OutwardName}): {Changes}")]
    private static partial void LogLinkTypeChanged(ILogger logger, int? actorId, int linkTypeId, string outwardName, string changes);

    [LoggerMessage(EventId = 9032, EventName = "InventoryDuplicated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} duplicated inventory {InventoryId} ({InventoryName}) as inventory {CopyId} ({CopyName}) in rollout {RolloutId}")]
    private static partial void LogInventoryDuplicated(ILogger logger, int? actorId, int inventoryId, string inventoryName, int copyId,
        string copyName, int rolloutId);

    [LoggerMessage(EventId = 9033, EventName = "InvitationLinkCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created an invitation link for user {UserId} ({UserName}), valid until {ValidUntil:u}; earlier links of the user no longer work")]
    private static partial void LogInvitationLinkCreated(ILogger logger, int? actorId, int userId, string userName, DateTimeOffset validUntil);

    [LoggerMessage(EventId = 9034, EventName = "PasswordResetLinkCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created a password reset link for user {UserId} ({UserName}), valid until {ValidUntil:u}; earlier links of the user no longer work")]
    private static partial void LogPasswordResetLinkCreated(ILogger logger, int? actorId, int userId, string userName, DateTimeOffset validUntil);

    [LoggerMessage(EventId = 9035, EventName = "FileSettingsSaved", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed the file settings of import {ImportId} of inventory {InventoryId} in rollout {RolloutId}: {Changes}; {RowCount} rows, now {Status}")]
    private static partial void LogFileSettingsSaved(ILogger logger, int? actorId, int importId, int inventoryId, int rolloutId,
        string changes, int rowCount, string status);

    [LoggerMessage(EventId = 9036, EventName = "InventoryCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created inventory {InventoryId} ({InventoryName}) in rollout {RolloutId} with the workflow {WorkflowName} and the custom fields {CustomFields}")]
    private static partial void LogInventoryCreated(ILogger logger, int? actorId, int inventoryId, string inventoryName, int rolloutId,
        string workflowName, IReadOnlyList<string> customFields);

    [LoggerMessage(EventId = 9037, EventName = "InventoryChanged", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} changed inventory {InventoryId} ({InventoryName}) in rollout {RolloutId}: {Changes}")]
    private static partial void LogInventoryChanged(ILogger logger, int? actorId, int inventoryId, string inventoryName, int rolloutId,
        string changes);

    [LoggerMessage(EventId = 9038, EventName = "LinkTypeDeleted", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} deleted link type {LinkTypeId} ({OutwardName} / {InwardName}), advanced {Advanced}, sharing {SharedFields}")]
    private static partial void LogLinkTypeDeleted(ILogger logger, int? actorId, int linkTypeId, string outwardName, string inwardName,
        bool advanced, IReadOnlyList<string> sharedFields);

    [LoggerMessage(EventId = 9039, EventName = "UserErased", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} erased user {UserId}: {HistoryEntries} client history entries rewritten, {FailedCells} failed cells and {Corrections} corrections cleared")]
    private static partial void LogUserErased(ILogger logger, int? actorId, int userId, int historyEntries, int failedCells,
        int corrections);

    [LoggerMessage(EventId = 9006, EventName = "ClientLinkCreated", Level = LogLevel.Information,
        Message = "Audit: user {ActorId} created link {LinkId} ({LinkType}) from client {SourceClientId} to client {TargetClientId} in rollout {RolloutId}")]
    private static partial void LogClientLinkCreated(ILogger logger, int? actorId, int linkId, string linkType,
        int sourceClientId, int targetClientId, int rolloutId);
}
