using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class WorkflowStatusConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<WorkflowStatus>
{
    public void Configure(EntityTypeBuilder<WorkflowStatus> builder)
    {
        // The settings tell statuses apart ignoring case only (OrdinalIgnoreCase), the import by their exact name.
        builder.Property(s => s.Name).HasMaxLength(200).ComparedOrdinally(provider);
        builder.HasIndex(s => new { s.WorkflowId, s.Name }).IsUnique();
    }
}
