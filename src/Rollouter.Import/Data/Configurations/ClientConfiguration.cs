using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data.Configurations;

internal sealed class ClientConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(400);

        // The database itself keeps names unique per rollout, ignoring case: the lower-cased copy of the name that the
        // application stores (Client.KeyOf) carries the unique index on every provider. It is not a computed column:
        // computing it was a tenth of PostgreSQL's work in a million-row import. It compares byte-wise on PostgreSQL
        // ("C"), which is all a key needs and makes bulk index inserts cheap, and by code point on SQL Server, whose
        // default collation would take keys the application holds apart (full-width "ｐｃ01", "pc01") for one.
        var nameKey = builder.Property(c => c.NameKey).HasMaxLength(400).IsRequired().ComparedOrdinally(provider);
        if (provider == DatabaseProvider.PostgreSql)
        {
            nameKey.UseCollation("C");

            // Each backend takes 100 ids at a time from the sequence instead of one: nextval() was a twentieth of a
            // million-row import's work. A backend's unused ids are skipped when it ends, so ids can have gaps.
            builder.Property(c => c.Id).HasIdentityOptions(numbersToCache: 100);
        }

        // Names are unique in a rollout; an inventory's clients are read through their own index on every provider:
        // its client list by name (ClientPages), count and export. The list read the rollout's part of the unique index
        // before (which carried the inventory id), past every name of the rollout's other inventories: with a million
        // clients and 200,000 more in two other inventories, its last page cost PostgreSQL 130 ms and the name sort a
        // ninth of the database's time under load; this index costs a million-row import about 1.1 of 28 CPU seconds
        // of PostgreSQL's (docs/decisions/0004).
        builder.HasIndex(c => new { c.RolloutId, c.NameKey }).IsUnique();
        builder.HasIndex(c => new { c.InventoryId, c.NameKey });

        // No foreign key to the inventory (see Client.InventoryId): a constraint is checked row by row, one lookup and
        // row lock per client in a bulk load. The import writer instead locks the inventory row once per import and
        // checks that the rollout it writes is the inventory's (ClientStore.LockInventoryAsync).
        builder.Property(c => c.Values).HasJsonConversion();

        // The client list pages by keyset (ClientPages): the sorts by status, assignee and client user each walk one of
        // these from the cursor, so a page costs the same at the start and a million clients further on. Each costs an
        // import about 1.6 CPU seconds of PostgreSQL's per million clients; description and custom fields, whose text
        // indexes would cost 4 s each, sort lists of up to 50,000 clients instead (docs/decisions/0029).
        builder.HasIndex(c => new { c.InventoryId, c.StatusId, c.Id });
        builder.HasIndex(c => new { c.InventoryId, c.AssigneeId, c.Id });
        builder.HasIndex(c => new { c.InventoryId, c.ClientUserId, c.Id });

        // The clients an import created: the client list filtered by an import (decision 0103) and its revert find them
        // without reading the table (a million-row scan on PostgreSQL for each page or revert otherwise).
        builder.HasIndex(c => c.CreatedByImportId);

        if (provider == DatabaseProvider.PostgreSql)
        {
            // The search by a text anywhere in the name or the description (LIKE / ILIKE '%text%'): trigrams (pg_trgm,
            // enabled by the migration) find the few matching clients without reading the others. The dearest index of
            // an import: about 15 CPU seconds of PostgreSQL's per million clients (docs/decisions/0030).
            NpgsqlIndexBuilderExtensions.HasOperators(
                NpgsqlIndexBuilderExtensions.HasMethod(builder.HasIndex(c => new { c.NameKey, c.Description }, "IX_Clients_Search"), "gin"),
                "gin_trgm_ops", "gin_trgm_ops");
        }
    }
}
