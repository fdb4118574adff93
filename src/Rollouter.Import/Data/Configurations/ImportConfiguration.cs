using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ImportConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<ClientImport>
{
    public void Configure(EntityTypeBuilder<ClientImport> builder)
    {
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.FileName).HasMaxLength(ClientImport.FileNameLength);
        builder.Property(i => i.FileSha256).HasMaxLength(64);
        var idempotencyKey = builder.Property(i => i.IdempotencyKey).HasMaxLength(ClientImport.IdempotencyKeyLength);
        if (provider == DatabaseProvider.SqlServer)
        {
            // Keys are told apart ordinally ("ab" and "AB" are two keys), as on the other databases.
            idempotencyKey.UseCollation(Collations.SqlServerBinary);
        }

        var approvalKey = builder.Property(i => i.ApprovalIdempotencyKey).HasMaxLength(ClientImport.IdempotencyKeyLength);
        if (provider == DatabaseProvider.SqlServer)
        {
            approvalKey.UseCollation(Collations.SqlServerBinary);
        }

        var revertKey = builder.Property(i => i.RevertIdempotencyKey).HasMaxLength(ClientImport.IdempotencyKeyLength);
        if (provider == DatabaseProvider.SqlServer)
        {
            revertKey.UseCollation(Collations.SqlServerBinary);
        }

        builder.Property(i => i.FailureMessage).HasMaxLength(4000);
        builder.Property(i => i.SkippedRows).HasMaxLength(ClientImport.SkippedRowsLength);
        builder.Property(i => i.ConcurrencyStamp).IsConcurrencyToken();
        builder.HasOne(i => i.Rollout).WithMany().HasForeignKey(i => i.RolloutId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.Inventory).WithMany().HasForeignKey(i => i.InventoryId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.CreatedBy).WithMany().HasForeignKey(i => i.CreatedById)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.ApprovedBy).WithMany().HasForeignKey(i => i.ApprovedById)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.RevertedBy).WithMany().HasForeignKey(i => i.RevertedById)
            .OnDelete(DeleteBehavior.Restrict);
        builder.Property(i => i.RevertFailureMessage).HasMaxLength(4000);
        builder.HasMany(i => i.Errors).WithOne(e => e.Import).HasForeignKey(e => e.ImportId);
        builder.HasMany(i => i.FileChunks).WithOne(c => c.Import).HasForeignKey(c => c.ImportId);
        builder.HasMany(i => i.CellCorrections).WithOne(c => c.Import).HasForeignKey(c => c.ImportId);
        builder.HasMany(i => i.Replacements).WithOne(r => r.Import).HasForeignKey(r => r.ImportId);
        // The imports lists page by keyset on the id, newest first (per rollout; the reviews: failed ones first).
        builder.HasIndex(i => new { i.RolloutId, i.Id });
        builder.HasIndex(i => new { i.Status, i.Id });
        // The reviews list: failed imports, then the others, each by latest activity, newest first (keyset on activity
        // and id). The first serves the failed group, the second the others and a list filtered by one status.
        builder.Property(i => i.LastActivityAt).UsePropertyAccessMode(PropertyAccessMode.Property);
        builder.HasIndex(i => new { i.Status, i.LastActivityAt, i.Id });
        builder.HasIndex(i => new { i.LastActivityAt, i.Id });
        // A retried upload finds the import its idempotency key made (ImportLifecycle.CreateOnceAsync).
        builder.HasIndex(i => new { i.RolloutId, i.CreatedById, i.IdempotencyKey });
        // A retried approval finds the approval its key made, of this import or another (ImportLifecycle.ApproveAsync).
        builder.HasIndex(i => new { i.ApprovedById, i.ApprovalIdempotencyKey });
        // A retried revert finds the revert its key asked for, of this import or another (ImportLifecycle.RequestRevertAsync).
        builder.HasIndex(i => new { i.RevertedById, i.RevertIdempotencyKey });

        // The look for reverts to resume, every 5 s on every instance (ImportRecovery.RevertsToResume): only the
        // Completed imports with a revert asked for, nearly always none, so the look reads an empty index instead of
        // every Completed import through the one above (100,000 of them, say). A query implies the filter when it
        // names both terms as written here, the status as a constant. The status leads the key as well: SQLite,
        // without statistics, then sees the index serve the status and the revert asked for, where the one above
        // serves the status only, and chooses it.
        var completed = ImportStatus.Completed.ToString();
        builder.HasIndex(i => new { i.Status, i.RevertRequestedAt }, RevertsAskedIndex).HasFilter(provider == DatabaseProvider.SqlServer
            ? $"[Status] = N'{completed}' AND [RevertRequestedAt] IS NOT NULL"
            : $"\"Status\" = '{completed}' AND \"RevertRequestedAt\" IS NOT NULL");
    }

    /// <summary>The filtered index of the Completed imports with a revert asked for.</summary>
    public const string RevertsAskedIndex = "IX_Imports_RevertsAsked";
}
