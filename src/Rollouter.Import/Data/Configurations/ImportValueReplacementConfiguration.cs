using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ImportValueReplacementConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<ImportValueReplacement>
{
    public void Configure(EntityTypeBuilder<ImportValueReplacement> builder)
    {
        builder.Property(r => r.Column).HasMaxLength(8);
        // Replacements are kept and matched by their exact value (ordinal): "dell" and "Dell" are two replacements.
        builder.Property(r => r.From).HasMaxLength(400).ComparedOrdinally(provider);
        builder.Property(r => r.To).HasMaxLength(400);
        builder.HasIndex(r => new { r.ImportId, r.Column, r.From }).IsUnique();
        builder.HasOne(r => r.By).WithMany().HasForeignKey(r => r.ById).OnDelete(DeleteBehavior.Restrict);
    }
}
