using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class WorkflowConfiguration : IEntityTypeConfiguration<Workflow>
{
    public void Configure(EntityTypeBuilder<Workflow> builder)
    {
        builder.Property(w => w.Name).HasMaxLength(200);
        builder.HasIndex(w => w.Name).IsUnique();
        builder.HasMany(w => w.Statuses).WithOne(s => s.Workflow).HasForeignKey(s => s.WorkflowId);
    }
}
