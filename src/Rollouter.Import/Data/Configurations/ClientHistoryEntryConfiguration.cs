using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ClientHistoryEntryConfiguration : IEntityTypeConfiguration<ClientHistoryEntry>
{
    public void Configure(EntityTypeBuilder<ClientHistoryEntry> builder)
    {
        builder.Property(h => h.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(h => h.Changes).HasJsonConversion();
        builder.HasIndex(h => h.ClientId);
        builder.HasIndex(h => h.ImportId);
    }
}
