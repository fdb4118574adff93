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
        builder.HasIndex(u => u.DisplayName);
        builder.Property(u => u.Role).HasConversion<string>().HasMaxLength(32);
    }
}
