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

    public DbSet<Rollout> Rollouts => Set<Rollout>();
    public DbSet<RolloutMember> RolloutMembers => Set<RolloutMember>();
    public DbSet<Workflow> Workflows => Set<Workflow>();
    public DbSet<WorkflowStatus> WorkflowStatuses => Set<WorkflowStatus>();
    public DbSet<CustomField> CustomFields => Set<CustomField>();
    public DbSet<CustomFieldOption> CustomFieldOptions => Set<CustomFieldOption>();
    public DbSet<Inventory> Inventories => Set<Inventory>();
    public DbSet<InventoryCustomField> InventoryCustomFields => Set<InventoryCustomField>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<ClientHistoryEntry> ClientHistory => Set<ClientHistoryEntry>();
    public DbSet<ClientLinkType> ClientLinkTypes => Set<ClientLinkType>();
    public DbSet<ClientLink> ClientLinks => Set<ClientLink>();
    public DbSet<AdvancedLinkMembership> AdvancedLinkMemberships => Set<AdvancedLinkMembership>();
    public DbSet<ClientImport> Imports => Set<ClientImport>();
    public DbSet<ImportRowError> ImportRowErrors => Set<ImportRowError>();
    public DbSet<ImportFileChunk> ImportFileChunks => Set<ImportFileChunk>();
    public DbSet<ImportCellCorrection> ImportCellCorrections => Set<ImportCellCorrection>();
    public DbSet<ImportValueReplacement> ImportValueReplacements => Set<ImportValueReplacement>();

    public DatabaseProvider Provider => DatabaseProviders.FromProviderName(Database.ProviderName);

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        var provider = Provider;
        builder.ApplyConfiguration(new UserConfiguration());
        builder.ApplyConfiguration(new RolloutConfiguration());
        builder.ApplyConfiguration(new RolloutMemberConfiguration());
        builder.ApplyConfiguration(new WorkflowConfiguration());
        builder.ApplyConfiguration(new WorkflowStatusConfiguration());
        builder.ApplyConfiguration(new CustomFieldConfiguration());
        builder.ApplyConfiguration(new CustomFieldOptionConfiguration());
        builder.ApplyConfiguration(new InventoryConfiguration());
        builder.ApplyConfiguration(new InventoryCustomFieldConfiguration());
        builder.ApplyConfiguration(new ClientConfiguration(provider));
        builder.ApplyConfiguration(new ClientHistoryEntryConfiguration());
        builder.ApplyConfiguration(new ClientLinkTypeConfiguration());
        builder.ApplyConfiguration(new ClientLinkTypeSharedFieldConfiguration());
        builder.ApplyConfiguration(new ClientLinkConfiguration());
        builder.ApplyConfiguration(new AdvancedLinkMembershipConfiguration());
        builder.ApplyConfiguration(new ImportConfiguration());
        builder.ApplyConfiguration(new ImportRowErrorConfiguration());
        builder.ApplyConfiguration(new ImportFileChunkConfiguration(provider));
        builder.ApplyConfiguration(new ImportCellCorrectionConfiguration());
        builder.ApplyConfiguration(new ImportValueReplacementConfiguration());
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset stored as text; as binary (ticks + offset) it can.
        if (Provider == DatabaseProvider.Sqlite)
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }
}
