using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class CustomFieldOptionConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<CustomFieldOption>
{
    public void Configure(EntityTypeBuilder<CustomFieldOption> builder)
    {
        // The settings and the import tell options apart ignoring case only (OrdinalIgnoreCase): "ＤＥＬＬ" is not "Dell".
        builder.Property(o => o.Name).HasMaxLength(400).ComparedOrdinally(provider);
        builder.HasIndex(o => new { o.CustomFieldId, o.Name }).IsUnique();
    }
}
