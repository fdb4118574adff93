using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

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
