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
        builder.Property(h => h.Corrections).HasNullableJsonConversion();
        // A client's history is read newest first, a page at a time (the client's page, GET /api/clients/{id}): this index
        // hands out a page without reading the client's other entries, and counts them from the index alone; it also
        // serves every look-up by client (decision 0128).
        builder.HasIndex(h => new { h.ClientId, h.At, h.Id });
        builder.HasIndex(h => h.ImportId);
    }
}
