using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class InventoryHiddenFieldConfiguration : IEntityTypeConfiguration<InventoryHiddenField>
{
    public void Configure(EntityTypeBuilder<InventoryHiddenField> builder)
    {
        builder.HasKey(f => new { f.InventoryId, f.CustomFieldId });
        builder.HasOne<Inventory>().WithMany().HasForeignKey(f => f.InventoryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CustomField>().WithMany().HasForeignKey(f => f.CustomFieldId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(f => f.CustomFieldId);
    }
}
