using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Rollouter.Import.Data.Configurations;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data;

public class RolloutDbContext(DbContextOptions<RolloutDbContext> options)
    : IdentityUserContext<User, int>(options), IDataProtectionKeyContext
{
    /// <summary>Cookie and token keys, shared by every instance that uses this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The browsers' sign-ins: a sign-in cookie is valid only while its session is here.</summary>
    public DbSet<UserSession> UserSessions => Set<UserSession>();

    public DbSet<Rollout> Rollouts => Set<Rollout>();
    public DbSet<RolloutMember> RolloutMembers => Set<RolloutMember>();
    public DbSet<Workflow> Workflows => Set<Workflow>();
    public DbSet<WorkflowStatus> WorkflowStatuses => Set<WorkflowStatus>();
    public DbSet<CustomField> CustomFields => Set<CustomField>();
    public DbSet<CustomFieldOption> CustomFieldOptions => Set<CustomFieldOption>();
    public DbSet<Inventory> Inventories => Set<Inventory>();
    public DbSet<InventoryCustomField> InventoryCustomFields => Set<InventoryCustomField>();

    public DbSet<InventoryHiddenField> InventoryHiddenFields => Set<InventoryHiddenField>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<ClientHistoryEntry> ClientHistory => Set<ClientHistoryEntry>();

    /// <summary>Clients kept on their old name key by the upgrade, tried again until they get the key of their name as seen.</summary>
    public DbSet<NameKeyKept> NameKeysKept => Set<NameKeyKept>();
    public DbSet<ClientLinkType> ClientLinkTypes => Set<ClientLinkType>();
    public DbSet<ClientLink> ClientLinks => Set<ClientLink>();
    public DbSet<AdvancedLinkMembership> AdvancedLinkMemberships => Set<AdvancedLinkMembership>();
    public DbSet<ClientImport> Imports => Set<ClientImport>();
    public DbSet<ImportRowError> ImportRowErrors => Set<ImportRowError>();
    public DbSet<ImportFileChunk> ImportFileChunks => Set<ImportFileChunk>();
    public DbSet<ImportCellCorrection> ImportCellCorrections => Set<ImportCellCorrection>();
    public DbSet<ImportValueReplacement> ImportValueReplacements => Set<ImportValueReplacement>();

    /// <summary>The earlier runs of imports approved again (the latest run is on the import).</summary>
    public DbSet<ImportRun> ImportRuns => Set<ImportRun>();

    public DatabaseProvider Provider => DatabaseProviders.FromProviderName(Database.ProviderName);

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        var provider = Provider;
        if (provider == DatabaseProvider.PostgreSql)
        {
            // Trigram indexes for the client search (IX_Clients_Search).
            builder.HasPostgresExtension("pg_trgm");
        }

        builder.ApplyConfiguration(new UserConfiguration());
        builder.ApplyConfiguration(new UserSessionConfiguration());
        builder.ApplyConfiguration(new RolloutConfiguration());
        builder.ApplyConfiguration(new RolloutMemberConfiguration());
        builder.ApplyConfiguration(new WorkflowConfiguration());
        builder.ApplyConfiguration(new WorkflowStatusConfiguration(provider));
        builder.ApplyConfiguration(new CustomFieldConfiguration());
        builder.ApplyConfiguration(new CustomFieldOptionConfiguration(provider));
        builder.ApplyConfiguration(new InventoryConfiguration());
        builder.ApplyConfiguration(new InventoryCustomFieldConfiguration());
        builder.ApplyConfiguration(new InventoryHiddenFieldConfiguration());
        builder.ApplyConfiguration(new ClientConfiguration(provider));
        builder.ApplyConfiguration(new ClientHistoryEntryConfiguration());
        builder.ApplyConfiguration(new NameKeyKeptConfiguration());
        builder.ApplyConfiguration(new ClientLinkTypeConfiguration());
        builder.ApplyConfiguration(new ClientLinkTypeSharedFieldConfiguration());
        builder.ApplyConfiguration(new ClientLinkConfiguration());
        builder.ApplyConfiguration(new AdvancedLinkMembershipConfiguration());
        builder.ApplyConfiguration(new ImportConfiguration(provider));
        builder.ApplyConfiguration(new ImportRowErrorConfiguration());
        builder.ApplyConfiguration(new ImportFileChunkConfiguration(provider));
        builder.ApplyConfiguration(new ImportCellCorrectionConfiguration());
        builder.ApplyConfiguration(new ImportValueReplacementConfiguration(provider));
        builder.ApplyConfiguration(new ImportRunConfiguration(provider));
    }

    /// <summary>
    /// Saves, and keeps the inventories' client counts in the same transaction (<see cref="ClientCounts"/>) when the
    /// save adds or removes clients, e.g. the demo data or a client created on its own.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var counted = CountedClients();
        if (counted.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            foreach (var (inventoryId, difference) in ClientCountDifferences(counted))
            {
                await ClientCounts.AddAsync(this, inventoryId, difference, cancellationToken);
            }

            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }

            return saved;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        CountedClients().Count == 0
            ? base.SaveChanges(acceptAllChangesOnSuccess)
            : SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    /// <summary>The clients this save adds, removes or moves to another inventory, with their inventories before.</summary>
    private List<(Client Client, EntityState State, int? InventoryBefore)> CountedClients() =>
    [
        .. ChangeTracker.Entries<Client>()
            .Where(e => e.State is EntityState.Added or EntityState.Deleted
                || (e.State == EntityState.Modified && e.Property(c => c.InventoryId).IsModified))
            .Select(e => (e.Entity, e.State, e.State == EntityState.Added ? (int?)null : e.Property(c => c.InventoryId).OriginalValue)),
    ];

    // Read after the save: an added client's inventory id is final only then.
    private static IEnumerable<(int InventoryId, int Difference)> ClientCountDifferences(
        List<(Client Client, EntityState State, int? InventoryBefore)> counted)
    {
        var differences = new Dictionary<int, int>();
        foreach (var (client, state, before) in counted)
        {
            if (before is { } removedFrom)
            {
                differences[removedFrom] = differences.GetValueOrDefault(removedFrom) - 1;
            }

            if (state != EntityState.Deleted)
            {
                differences[client.InventoryId] = differences.GetValueOrDefault(client.InventoryId) + 1;
            }
        }

        return differences.Select(d => (d.Key, d.Value));
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // No text column keeps a NUL character: PostgreSQL refuses one (a 500 for a name sent through the API with
        // "\u0000"), SQLite ends strings at it in its functions, and no one types it. Written without it, read as stored.
        configurationBuilder.Properties<string>().HaveConversion<WithoutNulConverter>();
        // SQLite cannot order or compare DateTimeOffset stored as text; as binary (ticks + offset) it can.
        if (Provider == DatabaseProvider.Sqlite)
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }
}

/// <summary>A text as stored: without NUL characters (see <see cref="RolloutDbContext"/>'s conventions).</summary>
internal sealed class WithoutNulConverter() : ValueConverter<string, string>(
    value => value.Replace("\0", "", StringComparison.Ordinal), value => value);
