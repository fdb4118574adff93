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
        // The client list sorted by assignee or client user walks users in this order (ClientPages).
        builder.HasIndex(u => new { u.DisplayName, u.Id });
        builder.Property(u => u.Role).HasConversion<string>().HasMaxLength(32);
    }
}
