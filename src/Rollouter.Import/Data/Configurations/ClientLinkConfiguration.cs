using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ClientLinkConfiguration : IEntityTypeConfiguration<ClientLink>
{
    public void Configure(EntityTypeBuilder<ClientLink> builder)
    {
        builder.HasOne(l => l.LinkType).WithMany().HasForeignKey(l => l.ClientLinkTypeId)
            .OnDelete(DeleteBehavior.Restrict);
        // SQL Server refuses two cascade paths into one table: links go with their source client, and whoever
        // deletes a client removes the links that point at it first.
        builder.HasOne(l => l.SourceClient).WithMany().HasForeignKey(l => l.SourceClientId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(l => l.TargetClient).WithMany().HasForeignKey(l => l.TargetClientId)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(l => new { l.SourceClientId, l.TargetClientId, l.ClientLinkTypeId }).IsUnique();
        builder.HasIndex(l => l.TargetClientId);
        // A type's links in id order (the first counted and named when the type is deleted, decision 0089): also the
        // index of the foreign key to the type.
        builder.HasIndex(l => new { l.ClientLinkTypeId, l.Id });
    }
}
