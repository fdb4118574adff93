using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ImportCellCorrectionConfiguration : IEntityTypeConfiguration<ImportCellCorrection>
{
    public void Configure(EntityTypeBuilder<ImportCellCorrection> builder)
    {
        builder.Property(c => c.Column).HasMaxLength(8);
        builder.HasIndex(c => new { c.ImportId, c.Row, c.Column }).IsUnique();
        builder.HasOne(c => c.By).WithMany().HasForeignKey(c => c.ById).OnDelete(DeleteBehavior.Restrict);
    }
}
