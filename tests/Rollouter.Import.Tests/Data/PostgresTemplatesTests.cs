using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
    public void Leftovers_AreTheStampedDatabasesOlderThanARun_NotYoungerOnesNorOthers()
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

        Assert.Equal(["rollouter_tpl_20261203120000_0e8a313e_9aa308e9_demo", "rollouter_web_20261203135959_0123abcd"],
            leftovers);
    }

    [Fact]
    public void NewName_IsStampedSoThatTheNextRunCanTellItsAge()
    {
        var name = PostgresTemplates.NewName("web");

        Assert.Empty(PostgresTemplates.Leftovers([name], DateTime.UtcNow));
        Assert.Equal([name], PostgresTemplates.Leftovers([name], DateTime.UtcNow + PostgresTemplates.LeftoverAge + TimeSpan.FromMinutes(1)));
    }
}
