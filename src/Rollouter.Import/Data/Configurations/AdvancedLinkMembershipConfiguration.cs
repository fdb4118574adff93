using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

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
