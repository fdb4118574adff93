using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ImportFileChunkConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<ImportFileChunk>
{
    public void Configure(EntityTypeBuilder<ImportFileChunk> builder)
    {
        builder.HasKey(c => new { c.ImportId, c.Index });
        if (provider == DatabaseProvider.PostgreSql)
        {
            // The job reads the whole file back before it starts: lz4 unpacks a 165 MB CSV in a fraction of the
            // 0.4 s the default pglz takes.
            builder.Property(c => c.Data).UseCompressionMethod("lz4");
        }
    }
}
