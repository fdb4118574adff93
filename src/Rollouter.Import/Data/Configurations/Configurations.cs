using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.Property(u => u.UserCode).HasMaxLength(50);
        builder.HasIndex(u => u.UserCode).IsUnique();
        // The client list sorted by assignee or client user walks users in this order (ClientPages).
        builder.HasIndex(u => new { u.DisplayName, u.Id });
        builder.Property(u => u.Role).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class RolloutConfiguration : IEntityTypeConfiguration<Rollout>
{
    public void Configure(EntityTypeBuilder<Rollout> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.Property(r => r.Identifier).HasMaxLength(32);
        builder.HasIndex(r => r.Identifier).IsUnique();
    }
}

internal sealed class RolloutMemberConfiguration : IEntityTypeConfiguration<RolloutMember>
{
    public void Configure(EntityTypeBuilder<RolloutMember> builder)
    {
        builder.HasKey(m => new { m.RolloutId, m.UserId });
        builder.HasOne(m => m.Rollout).WithMany(r => r.Members).HasForeignKey(m => m.RolloutId);
        builder.HasOne(m => m.User).WithMany(u => u.Rollouts).HasForeignKey(m => m.UserId);
        builder.HasIndex(m => m.UserId);
    }
}

internal sealed class WorkflowConfiguration : IEntityTypeConfiguration<Workflow>
{
    public void Configure(EntityTypeBuilder<Workflow> builder)
    {
        builder.Property(w => w.Name).HasMaxLength(200);
        builder.HasIndex(w => w.Name).IsUnique();
        builder.HasMany(w => w.Statuses).WithOne(s => s.Workflow).HasForeignKey(s => s.WorkflowId);
    }
}

internal sealed class WorkflowStatusConfiguration : IEntityTypeConfiguration<WorkflowStatus>
{
    public void Configure(EntityTypeBuilder<WorkflowStatus> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.HasIndex(s => new { s.WorkflowId, s.Name }).IsUnique();
    }
}

internal sealed class CustomFieldConfiguration : IEntityTypeConfiguration<CustomField>
{
    public void Configure(EntityTypeBuilder<CustomField> builder)
    {
        builder.Property(f => f.Name).HasMaxLength(200);
        builder.HasIndex(f => f.Name).IsUnique();
        builder.Property(f => f.Description).HasMaxLength(2000);
        builder.Property(f => f.Type).HasConversion<string>().HasMaxLength(32);
        builder.Property(f => f.ValidationRegex).HasMaxLength(1000);
        builder.HasMany(f => f.Options).WithOne(o => o.CustomField).HasForeignKey(o => o.CustomFieldId);
        builder.Ignore(f => f.HasOptions);
        builder.Ignore(f => f.IsMultiValued);
    }
}

internal sealed class CustomFieldOptionConfiguration : IEntityTypeConfiguration<CustomFieldOption>
{
    public void Configure(EntityTypeBuilder<CustomFieldOption> builder)
    {
        builder.Property(o => o.Name).HasMaxLength(400);
        builder.HasIndex(o => new { o.CustomFieldId, o.Name }).IsUnique();
    }
}

internal sealed class InventoryConfiguration : IEntityTypeConfiguration<Inventory>
{
    public void Configure(EntityTypeBuilder<Inventory> builder)
    {
        builder.Property(i => i.Name).HasMaxLength(200);
        builder.HasIndex(i => new { i.RolloutId, i.Name }).IsUnique();
        builder.HasOne(i => i.Rollout).WithMany(r => r.Inventories).HasForeignKey(i => i.RolloutId);
        builder.HasOne(i => i.Workflow).WithMany().HasForeignKey(i => i.WorkflowId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(i => i.CustomFields).WithOne(f => f.Inventory).HasForeignKey(f => f.InventoryId);
    }
}

internal sealed class InventoryCustomFieldConfiguration : IEntityTypeConfiguration<InventoryCustomField>
{
    public void Configure(EntityTypeBuilder<InventoryCustomField> builder)
    {
        builder.HasKey(f => new { f.InventoryId, f.CustomFieldId });
        builder.HasOne(f => f.CustomField).WithMany().HasForeignKey(f => f.CustomFieldId)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(f => f.CustomFieldId);
    }
}

internal sealed class ClientConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(400);

        // The database itself keeps names unique per rollout, ignoring case: the lower-cased copy of the name that the
        // application stores (Client.KeyOf) carries the unique index on every provider. It is not a computed column:
        // computing it was a tenth of PostgreSQL's work in a million-row import. It compares byte-wise on PostgreSQL
        // ("C"), which is all a key needs and makes bulk index inserts cheap.
        var nameKey = builder.Property(c => c.NameKey).HasMaxLength(400).IsRequired();
        if (provider == DatabaseProvider.PostgreSql)
        {
            nameKey.UseCollation("C");

            // Each backend takes 100 ids at a time from the sequence instead of one: nextval() was a twentieth of a
            // million-row import's work. A backend's unused ids are skipped when it ends, so ids can have gaps.
            builder.Property(c => c.Id).HasIdentityOptions(numbersToCache: 100);
        }

        // The same index serves an inventory's client list (rollout and inventory, ordered by NameKey), its count and
        // export: it carries the inventory id, so those read the rollout's part of the index alone (queries by inventory
        // therefore always name the rollout too). A second index for them cost a fifth of PostgreSQL's work in a
        // million-row import; a rollout's inventories are few. SQLite cannot carry a column in an index, and keeps one.
        var unique = builder.HasIndex(c => new { c.RolloutId, c.NameKey }).IsUnique();
        switch (provider)
        {
            case DatabaseProvider.PostgreSql:
                NpgsqlIndexBuilderExtensions.IncludeProperties(unique, c => c.InventoryId);
                break;
            case DatabaseProvider.SqlServer:
                SqlServerIndexBuilderExtensions.IncludeProperties(unique, c => c.InventoryId);
                break;
            default:
                builder.HasIndex(c => new { c.InventoryId, c.RolloutId, c.NameKey });
                break;
        }

        // No foreign key to the inventory (see Client.InventoryId): a constraint is checked row by row, one lookup and
        // row lock per client in a bulk load. The import writer instead locks the inventory row once per import and
        // checks that the rollout it writes is the inventory's (ClientStore.LockInventoryAsync).
        builder.Property(c => c.Values).HasJsonConversion();

        // The client list pages by keyset (ClientPages): the sorts by status, assignee and client user each walk one of
        // these from the cursor, so a page costs the same at the start and a million clients further on. Each costs an
        // import about 1.6 CPU seconds of PostgreSQL's per million clients; description and custom fields, whose text
        // indexes would cost 4 s each, sort lists of up to 50,000 clients instead (docs/decisions/0022).
        builder.HasIndex(c => new { c.InventoryId, c.StatusId, c.Id });
        builder.HasIndex(c => new { c.InventoryId, c.AssigneeId, c.Id });
        builder.HasIndex(c => new { c.InventoryId, c.ClientUserId, c.Id });

        if (provider == DatabaseProvider.PostgreSql)
        {
            // The search by a text anywhere in the name or the description (LIKE / ILIKE '%text%'): trigrams (pg_trgm,
            // enabled by the migration) find the few matching clients without reading the others. The dearest index of
            // an import: about 15 CPU seconds of PostgreSQL's per million clients (docs/decisions/0023).
            NpgsqlIndexBuilderExtensions.HasOperators(
                NpgsqlIndexBuilderExtensions.HasMethod(builder.HasIndex(c => new { c.NameKey, c.Description }, "IX_Clients_Search"), "gin"),
                "gin_trgm_ops", "gin_trgm_ops");
        }
    }
}

internal sealed class ClientHistoryEntryConfiguration : IEntityTypeConfiguration<ClientHistoryEntry>
{
    public void Configure(EntityTypeBuilder<ClientHistoryEntry> builder)
    {
        builder.Property(h => h.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(h => h.Changes).HasJsonConversion();
        builder.HasIndex(h => h.ClientId);
        builder.HasIndex(h => h.ImportId);
    }
}

internal sealed class ClientLinkTypeConfiguration : IEntityTypeConfiguration<ClientLinkType>
{
    public void Configure(EntityTypeBuilder<ClientLinkType> builder)
    {
        builder.Property(t => t.OutwardName).HasMaxLength(200);
        builder.Property(t => t.InwardName).HasMaxLength(200);
        builder.HasMany(t => t.SharedFields).WithOne(f => f.ClientLinkType).HasForeignKey(f => f.ClientLinkTypeId);
    }
}

internal sealed class ClientLinkTypeSharedFieldConfiguration : IEntityTypeConfiguration<ClientLinkTypeSharedField>
{
    public void Configure(EntityTypeBuilder<ClientLinkTypeSharedField> builder)
    {
        builder.HasKey(f => new { f.ClientLinkTypeId, f.CustomFieldId });
        builder.HasOne(f => f.CustomField).WithMany().HasForeignKey(f => f.CustomFieldId)
            .OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ClientLinkConfiguration : IEntityTypeConfiguration<ClientLink>
{
    public void Configure(EntityTypeBuilder<ClientLink> builder)
    {
        builder.HasOne(l => l.LinkType).WithMany().HasForeignKey(l => l.ClientLinkTypeId)
            .OnDelete(DeleteBehavior.Restrict);
        // SQL Server refuses two cascade paths into one table: links go with their source client, and whoever
        // deletes a client removes the links that point at it first.
        builder.HasOne(l => l.SourceClient).WithMany().HasForeignKey(l => l.SourceClientId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(l => l.TargetClient).WithMany().HasForeignKey(l => l.TargetClientId)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(l => new { l.SourceClientId, l.TargetClientId, l.ClientLinkTypeId }).IsUnique();
        builder.HasIndex(l => l.TargetClientId);
    }
}

internal sealed class AdvancedLinkMembershipConfiguration : IEntityTypeConfiguration<AdvancedLinkMembership>
{
    public void Configure(EntityTypeBuilder<AdvancedLinkMembership> builder)
    {
        builder.HasKey(m => m.ClientId);
        builder.HasOne(m => m.Client).WithOne().HasForeignKey<AdvancedLinkMembership>(m => m.ClientId)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(m => m.ClientLink).WithMany().HasForeignKey(m => m.ClientLinkId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => m.ClientLinkId);
    }
}

internal sealed class ImportConfiguration : IEntityTypeConfiguration<ClientImport>
{
    public void Configure(EntityTypeBuilder<ClientImport> builder)
    {
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.FileName).HasMaxLength(400);
        builder.Property(i => i.FileSha256).HasMaxLength(64);
        builder.Property(i => i.FailureMessage).HasMaxLength(4000);
        builder.Property(i => i.ConcurrencyStamp).IsConcurrencyToken();
        builder.HasOne(i => i.Rollout).WithMany().HasForeignKey(i => i.RolloutId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.Inventory).WithMany().HasForeignKey(i => i.InventoryId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.CreatedBy).WithMany().HasForeignKey(i => i.CreatedById)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.ApprovedBy).WithMany().HasForeignKey(i => i.ApprovedById)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(i => i.Errors).WithOne(e => e.Import).HasForeignKey(e => e.ImportId);
        builder.HasMany(i => i.FileChunks).WithOne(c => c.Import).HasForeignKey(c => c.ImportId);
        // The imports lists page by keyset on the id, newest first (per rollout; the reviews: failed ones first).
        builder.HasIndex(i => new { i.RolloutId, i.Id });
        builder.HasIndex(i => new { i.Status, i.Id });
    }
}

internal sealed class ImportRowErrorConfiguration : IEntityTypeConfiguration<ImportRowError>
{
    public void Configure(EntityTypeBuilder<ImportRowError> builder)
    {
        builder.Property(e => e.Column).HasMaxLength(8);
        builder.Property(e => e.Header).HasMaxLength(400);
        builder.Property(e => e.Message).HasMaxLength(2000);
        // The failed rows page by keyset on (row, id).
        builder.HasIndex(e => new { e.ImportId, e.Row, e.Id });
    }
}

internal sealed class ImportFileChunkConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<ImportFileChunk>
{
    public void Configure(EntityTypeBuilder<ImportFileChunk> builder)
    {
        builder.HasKey(c => new { c.ImportId, c.Index });
        if (provider == DatabaseProvider.PostgreSql)
        {
            // The job reads the whole file back before it starts: lz4 unpacks a 165 MB CSV in a fraction of the
            // 0.4 s the default pglz takes.
            builder.Property(c => c.Data).UseCompressionMethod("lz4");
        }
    }
}
