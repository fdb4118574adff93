using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Rollouter.Import.Data;

namespace Rollouter.Import.Migrations.PostgreSql;

/// <summary>Lets `dotnet ef` build the context for PostgreSql; the connection is never opened to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<RolloutDbContext>
{
    public RolloutDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(DatabaseProvider.PostgreSql, "Host=127.0.0.1;Database=rollouter_design;Username=postgres");
        return new RolloutDbContext(options.Options);
    }
}
