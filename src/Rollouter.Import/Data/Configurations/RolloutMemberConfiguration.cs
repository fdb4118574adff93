using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

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
