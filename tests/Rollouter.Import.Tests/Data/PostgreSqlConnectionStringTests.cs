using Npgsql;
using Rollouter.Import.Data;

namespace Rollouter.Import.Tests.Data;

public class PostgreSqlConnectionStringTests
{
    [Fact]
    public void TheApplicationsConnections_PrepareWhatTheyRunOften_AndKeepItWhenReturnedToThePool()
    {
        var builder = new NpgsqlConnectionStringBuilder(
            PostgreSqlConnectionString.ForApplication("Host=db.example;Username=app;Password=secret;Database=rollouter"));

        Assert.Equal(PostgreSqlConnectionString.MaxAutoPrepare, builder.MaxAutoPrepare);
        Assert.True(builder.NoResetOnClose);
        Assert.Equal(("db.example", "app", "secret", "rollouter"), (builder.Host, builder.Username, builder.Password, builder.Database));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false", 0, false)]
    [InlineData("Host=db;maxautoprepare=10;noresetonclose=False", 10, false)]
    [InlineData("Host=db;Max Auto Prepare=0", 0, true)]
    public void AConnectionStringThatNamesEitherSetting_KeepsItsOwnValue(string connectionString, int maxAutoPrepare, bool noReset)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionString.ForApplication(connectionString));

        Assert.Equal(maxAutoPrepare, builder.MaxAutoPrepare);
        Assert.Equal(noReset, builder.NoResetOnClose);
    }
}
