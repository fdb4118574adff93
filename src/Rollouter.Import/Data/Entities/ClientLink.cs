namespace Rollouter.Import.Data.Entities;

/// <summary>A global kind of link between two clients ("replaces" / "is replaced by").</summary>
public class ClientLinkType
{
    public int Id { get; set; }

    public required string OutwardName { get; set; }

    public required string InwardName { get; set; }

    /// <summary>Advanced links share <see cref="SharedFields"/> between the two directly linked clients.</summary>
    public bool IsAdvanced { get; set; }

    public List<ClientLinkTypeSharedField> SharedFields { get; set; } = [];
}

public class ClientLinkTypeSharedField
{
    public int ClientLinkTypeId { get; set; }

    public ClientLinkType ClientLinkType { get; set; } = null!;

    public int CustomFieldId { get; set; }

    public CustomField CustomField { get; set; } = null!;
}

public class ClientLink
{
    public int Id { get; set; }

    public int ClientLinkTypeId { get; set; }

    public ClientLinkType LinkType { get; set; } = null!;

    /// <summary>The client the outward name reads from ("SourceClient replaces TargetClient").</summary>
    public int SourceClientId { get; set; }

    public Client SourceClient { get; set; } = null!;

    public int TargetClientId { get; set; }

    public Client TargetClient { get; set; } = null!;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One row per client that takes part in an advanced link. Its key is the client, so the database itself
/// guarantees that a client has at most one advanced link.
/// </summary>
public class AdvancedLinkMembership
{
    public int ClientId { get; set; }

    public Client Client { get; set; } = null!;

    public int ClientLinkId { get; set; }

    public ClientLink ClientLink { get; set; } = null!;
}
