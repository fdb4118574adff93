using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Web.Features.Settings.CustomFields;

namespace Rollouter.Import.Tests.Web;

public abstract partial class OptionHoldersTests
{
    /// <summary>The count without the database's JSON test (SQL Server's) gives the same answers.</summary>
    [Fact]
    public async Task TheAppsCount_WhereTheDatabaseCannotTell_AgreesWithTheDatabases()
    {
        var id = await LookalikesAsync();
        using var scope = factory.Services.CreateScope();
        var settings = scope.ServiceProvider.GetRequiredService<CustomFieldSettings>();
        var here = new List<int>();
        var counted = new List<int>();

        foreach (var (option, _) in Asked)
        {
            here.Add(await settings.CountClientsWithOptionHereAsync(id, option, CancellationToken.None));
            counted.Add(await settings.CountClientsWithOptionAsync(id, option, CancellationToken.None));
        }

        Assert.Equal(Asked.Select(a => a.Holders), here);
        Assert.Equal(here, counted);
    }
}
