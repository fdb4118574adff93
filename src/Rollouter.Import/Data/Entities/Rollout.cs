namespace Rollouter.Import.Data.Entities;

public class Rollout
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>Short, unique, used in URLs (e.g. "W11").</summary>
    public required string Identifier { get; set; }

    /// <summary>The most clients the rollout may hold across all its inventories; null means no limit.</summary>
    public int? ClientLimit { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public ICollection<RolloutMember> Members { get; set; } = [];

    public ICollection<Inventory> Inventories { get; set; } = [];
}

public class RolloutMember
{
    public int RolloutId { get; set; }

    public Rollout Rollout { get => field ?? throw Navigation.NotLoaded(this, nameof(Rollout)); set; }

    public int UserId { get; set; }

    public User User { get => field ?? throw Navigation.NotLoaded(this, nameof(User)); set; }
}
