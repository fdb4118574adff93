using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ImportConfiguration : IEntityTypeConfiguration<ClientImport>
{
    public void Configure(EntityTypeBuilder<ClientImport> builder)
    {
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.FileName).HasMaxLength(ClientImport.FileNameLength);
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
    }
}
