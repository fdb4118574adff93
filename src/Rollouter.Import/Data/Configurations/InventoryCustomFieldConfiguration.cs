using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

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
