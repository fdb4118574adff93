using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class CustomFieldConfiguration : IEntityTypeConfiguration<CustomField>
{
    public void Configure(EntityTypeBuilder<CustomField> builder)
    {
        builder.Property(f => f.Name).HasMaxLength(200);
        builder.HasIndex(f => f.Name).IsUnique();
        builder.Property(f => f.Description).HasMaxLength(2000);
        builder.Property(f => f.Type).HasConversion<string>().HasMaxLength(32);
        builder.Property(f => f.ValidationRegex).HasMaxLength(1000);
        builder.HasMany(f => f.Options).WithOne(o => o.CustomField).HasForeignKey(o => o.CustomFieldId);
        builder.Ignore(f => f.HasOptions);
        builder.Ignore(f => f.IsMultiValued);
    }
}
