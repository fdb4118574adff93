using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ClientLinkTypeSharedFieldConfiguration : IEntityTypeConfiguration<ClientLinkTypeSharedField>
{
    public void Configure(EntityTypeBuilder<ClientLinkTypeSharedField> builder)
    {
        builder.HasKey(f => new { f.ClientLinkTypeId, f.CustomFieldId });
        builder.HasOne(f => f.CustomField).WithMany().HasForeignKey(f => f.CustomFieldId)
            .OnDelete(DeleteBehavior.Restrict);
    }
}
