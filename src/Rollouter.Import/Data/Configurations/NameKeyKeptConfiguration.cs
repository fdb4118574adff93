using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class NameKeyKeptConfiguration : IEntityTypeConfiguration<NameKeyKept>
{
    public void Configure(EntityTypeBuilder<NameKeyKept> builder)
    {
        // A plain id, as the clients' history has: no foreign key, since clients are deleted in bulk (a revert, an
        // inventory's deletion) and the retry forgets an id whose client is gone.
        builder.ToTable("NameKeysKept");
        builder.HasKey(k => k.ClientId);
        builder.Property(k => k.ClientId).ValueGeneratedNever();
    }
}
