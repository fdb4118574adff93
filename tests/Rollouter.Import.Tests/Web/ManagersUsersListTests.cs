using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A rollout manager's users lists (Settings › Users, <c>GET /api/users</c>) keep the users of the manager's rollouts
/// (decision 0018). The filter checked every membership of every user against the manager's memberships, a second
/// read of the memberships inside the first: at 50,000 users a manager of 500 rollouts waited 0.12–0.38 s for a search
/// the administrator had in 0.04 s. The manager's rollouts are now read once, first, and each user's memberships are
/// checked against them (decision 0141), with the same users listed.
/// </summary>
public abstract partial class ManagersUsersListTests(StatementLoggingWebFactory factory)
{
    private const string Password = "Str0ng!Password";

    [GeneratedRegex("\"RolloutMembers\"")]
    private static partial Regex Memberships();

    private static async Task<int> CreateAsync(HttpClient admin, string tag, string name, params int[] rollouts)
    {
        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = $"{name} {tag}", email = $"{name}.{tag}@list.test".ToLowerInvariant(), userCode = $"{tag}-{name}",
            role = "Technician", password = Password, rolloutIds = rollouts,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await ApiTestClient.ReadAsync(created)).Id();
    }

    [Fact]
    public async Task AManagersUsersList_ListsTheUsersOfTheirRollouts_ReadingTheMembershipsOnce()
    {
        var tag = "ML" + Guid.NewGuid().ToString("N")[..6];
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var w11 = await admin.RolloutIdAsync("W11");
        var srv = await admin.RolloutIdAsync("SRV");
        await CreateAsync(admin, tag, "Inside", w11);
        await CreateAsync(admin, tag, "Both", srv, w11);
        await CreateAsync(admin, tag, "Outside", srv);
        await CreateAsync(admin, tag, "Nowhere");
        var page = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        factory.Statements.Clear();
        var listed = await page.PageAsync($"/settings/users?q={tag}");
        var counts = factory.Statements.Statements
            .Where(s => s.Contains("count(", StringComparison.OrdinalIgnoreCase) && s.Contains("FROM \"AspNetUsers\"", StringComparison.Ordinal))
            .ToList();
        var answered = (await api.GetFromJsonAsync<JsonArray>($"/api/users?q={tag}"))?.Select(u => u?["displayName"]?.GetValue<string>()).ToList();

        // The users of the manager's rollout (W11), also one who is in another rollout too; not those outside it.
        Assert.Contains($"Inside {tag}", listed, StringComparison.Ordinal);
        Assert.Contains($"Both {tag}", listed, StringComparison.Ordinal);
        Assert.DoesNotContain($"Outside {tag}", listed, StringComparison.Ordinal);
        Assert.DoesNotContain($"Nowhere {tag}", listed, StringComparison.Ordinal);
        Assert.Equal([$"Both {tag}", $"Inside {tag}"], answered);
        // The list's count checks a user's memberships against the manager's rollouts read before: the memberships are
        // read once in it, not once more inside the check of each membership.
        var count = Assert.Single(counts);
        Assert.True(Memberships().Count(count) == 1, count);
    }
}

public sealed class SqliteManagersUsersListTests(StatementLoggingWebFactory factory)
    : ManagersUsersListTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresManagersUsersListTests(PostgresStatementLoggingWebFactory factory)
    : ManagersUsersListTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
