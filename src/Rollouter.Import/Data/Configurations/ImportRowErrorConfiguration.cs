using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ImportRowErrorConfiguration : IEntityTypeConfiguration<ImportRowError>
{
    public void Configure(EntityTypeBuilder<ImportRowError> builder)
    {
        builder.Property(e => e.Column).HasMaxLength(8);
        builder.Property(e => e.Header).HasMaxLength(400);
        builder.Property(e => e.Message).HasMaxLength(2000);
        // The failed rows page by keyset on (row, id).
        builder.HasIndex(e => new { e.ImportId, e.Row, e.Id });
    }
}
