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

    public ClientLinkType ClientLinkType { get => field ?? throw Navigation.NotLoaded(this, nameof(ClientLinkType)); set; }

    public int CustomFieldId { get; set; }

    public CustomField CustomField { get => field ?? throw Navigation.NotLoaded(this, nameof(CustomField)); set; }
}

public class ClientLink
{
    public int Id { get; set; }

    public int ClientLinkTypeId { get; set; }

    public ClientLinkType LinkType { get => field ?? throw Navigation.NotLoaded(this, nameof(LinkType)); set; }

    /// <summary>The client the outward name reads from ("SourceClient replaces TargetClient").</summary>
    public int SourceClientId { get; set; }

    public Client SourceClient { get => field ?? throw Navigation.NotLoaded(this, nameof(SourceClient)); set; }

    public int TargetClientId { get; set; }

    public Client TargetClient { get => field ?? throw Navigation.NotLoaded(this, nameof(TargetClient)); set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One row per client that takes part in an advanced link. Its key is the client, so the database itself
/// guarantees that a client has at most one advanced link.
/// </summary>
public class AdvancedLinkMembership
{
    public int ClientId { get; set; }

    public Client Client { get => field ?? throw Navigation.NotLoaded(this, nameof(Client)); set; }

    public int ClientLinkId { get; set; }

    public ClientLink ClientLink { get => field ?? throw Navigation.NotLoaded(this, nameof(ClientLink)); set; }
}
