using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ClientLinkTypeConfiguration : IEntityTypeConfiguration<ClientLinkType>
{
    public void Configure(EntityTypeBuilder<ClientLinkType> builder)
    {
        builder.Property(t => t.OutwardName).HasMaxLength(200);
        builder.Property(t => t.InwardName).HasMaxLength(200);
        builder.HasMany(t => t.SharedFields).WithOne(f => f.ClientLinkType).HasForeignKey(f => f.ClientLinkTypeId);
    }
}
