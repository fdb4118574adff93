using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Rollouter.Import.Data;

namespace Rollouter.Import.Migrations.SqlServer;

/// <summary>Lets `dotnet ef` build the context for SqlServer; the connection is never opened to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<RolloutDbContext>
{
    public RolloutDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(DatabaseProvider.SqlServer, "Server=127.0.0.1;Database=Rollouter;TrustServerCertificate=True;User Id=sa;Password=design-time");
        return new RolloutDbContext(options.Options);
    }
}
