using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Rollouter.Import.Data;

namespace Rollouter.Import.Migrations.Sqlite;

/// <summary>Lets `dotnet ef` build the context for Sqlite; the connection is never opened to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<RolloutDbContext>
{
    public RolloutDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(DatabaseProvider.Sqlite, "Data Source=design-time.db");
        return new RolloutDbContext(options.Options);
    }
}
