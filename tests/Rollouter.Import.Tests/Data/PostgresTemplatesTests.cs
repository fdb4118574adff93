using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Data;

public sealed class PostgresTemplatesTests(PostgresWebFactory factory) : IClassFixture<PostgresWebFactory>
{
    [Fact]
    public async Task AppStartedOnACopyOfTheDemoTemplate_FindsTheDemoData_AndSeedsNothingTwice()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();

        Assert.Equal(DemoSeeder.Users.Select(u => u.Email).Order(),
            (await db.Users.Select(u => u.Email!).ToListAsync()).Order());
        Assert.Equal(1, await db.Rollouts.CountAsync(r => r.Identifier == DemoSeeder.RolloutIdentifier));
        Assert.Equal(1, await db.Rollouts.CountAsync(r => r.Identifier == DemoSeeder.OtherRolloutIdentifier));
        Assert.Equal(["Laptops", "Monitors"],
            (await db.Inventories.Where(i => i.Rollout.Identifier == DemoSeeder.RolloutIdentifier).Select(i => i.Name)
                .ToListAsync()).Order());
    }

    [Fact]
    public async Task DropLeftovers_DropsATemplateWhoseRunIsGone_AndKeepsTheTemplatesOfThisRun()
    {
        _ = factory.Server; // this run's templates exist, and a copy of the demo template is in use
        var crashedRuns = PostgresTemplates.NewName("tpl") + "_0e8a313e";
        await using (var connection = PostgresTemplates.OpenServer())
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{crashedRuns}\"", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        PostgresTemplates.DropLeftovers();

        var databases = await DatabasesAsync();
        Assert.DoesNotContain(crashedRuns, databases);
        Assert.Equal(2, PostgresTemplates.Templates.Count);
        Assert.All(PostgresTemplates.Templates, template => Assert.Contains(template, databases));
    }

    private static async Task<List<string>> DatabasesAsync()
    {
        await using var connection = PostgresTemplates.OpenServer();
        await using var list = new NpgsqlCommand("SELECT datname FROM pg_database", connection);
        await using var reader = await list.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public void Leftovers_AreTheStampedTestDatabasesOlderThanARun_NotYoungerOnesNorTemplatesNorOthers()
    {
        var now = new DateTime(2026, 12, 3, 16, 0, 0, DateTimeKind.Utc);

        var leftovers = PostgresTemplates.Leftovers(
        [
            "rollouter_tpl_20261203120000_0e8a313e_9aa308e9_demo",
            "rollouter_web_20261203135959_0123abcd",
            "rollouter_test_20261203150000_0123abcd",
            "rollouter_process_20261203155900_0123abcd",
            "rollouter_web_3488183671e84d46",
            "rollouter_bench_0123456789ab",
            "rollouter",
        ], now);

        Assert.Equal(["rollouter_web_20261203135959_0123abcd"], leftovers);
        Assert.True(PostgresTemplates.IsTemplate("rollouter_tpl_20261203120000_0e8a313e_9aa308e9_demo"));
        Assert.False(PostgresTemplates.IsTemplate("rollouter_web_20261203135959_0123abcd"));
    }

    [Fact]
    public void NewName_IsStampedSoThatTheNextRunCanTellItsAge()
    {
        var name = PostgresTemplates.NewName("web");

        Assert.Empty(PostgresTemplates.Leftovers([name], DateTime.UtcNow));
        Assert.Equal([name], PostgresTemplates.Leftovers([name], DateTime.UtcNow + PostgresTemplates.LeftoverAge + TimeSpan.FromMinutes(1)));
    }
}
