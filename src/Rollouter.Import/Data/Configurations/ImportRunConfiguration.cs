using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ImportRunConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<ImportRun>
{
    public void Configure(EntityTypeBuilder<ImportRun> builder)
    {
        builder.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.FailureMessage).HasMaxLength(4000);
        var approvalKey = builder.Property(r => r.ApprovalIdempotencyKey).HasMaxLength(ClientImport.IdempotencyKeyLength);
        if (provider == DatabaseProvider.SqlServer)
        {
            approvalKey.UseCollation(Collations.SqlServerBinary);
        }

        // A retried approval finds the earlier run its key started (ImportLifecycle.ApproveAsync).
        builder.HasIndex(r => new { r.ApprovedById, r.ApprovalIdempotencyKey });
        builder.HasOne(r => r.Import).WithMany().HasForeignKey(r => r.ImportId);
        builder.HasOne(r => r.ApprovedBy).WithMany().HasForeignKey(r => r.ApprovedById).OnDelete(DeleteBehavior.Restrict);
        // An import's runs, by number: one run per number (two approvals cannot both record one).
        builder.HasIndex(r => new { r.ImportId, r.Number }).IsUnique();
    }
}
