using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
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

    /// <summary><paramref name="count"/> client users of W11 named "{tag} 0001"…, straight into the database.</summary>
    private Task ManyInW11Async(string tag, int count) => factory.WithDbAsync(async db =>
    {
        var w11 = await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync();
        for (var i = 1; i <= count; i++)
        {
            var email = $"{tag}-{i:0000}@many.test".ToLowerInvariant();
            db.Users.Add(new User
            {
                UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(),
                DisplayName = $"{tag} {i:0000}", UserCode = $"{tag}-{i:0000}", Role = Role.ClientUser, SecurityStamp = Guid.NewGuid().ToString(),
                Rollouts = [new RolloutMember { RolloutId = w11 }],
            });
        }

        await db.SaveChangesAsync();
    });

    private static IReadOnlyList<string> Names(IHtmlDocument page) =>
        [.. page.QuerySelectorAll("[data-testid=users] tbody tr td:first-child").Select(td => td.NormalizedText())];

    private static string? Link(IHtmlDocument page, string testId) =>
        page.FindTestId(testId) is { } item ? (item as IHtmlAnchorElement ?? item.QuerySelector("a") as IHtmlAnchorElement)?.GetAttribute("href") : null;

    [Fact]
    public async Task AManagersUsersList_CountsAThousandAtMost_AndPagesByKeyset_TheSameUsersInTheSameOrder()
    {
        // The plain list and its deep pages counted every user of the manager's rollouts and skipped to the page: at
        // 36,785 users of 500 rollouts page 300 took 0.23–0.45 s. The count now stops past 1,000 and the pages follow
        // the last user shown (decision 0158).
        var tag = "KS" + Guid.NewGuid().ToString("N")[..6];
        await ManyInW11Async(tag, 1_001);
        var manager = await factory.SignInAsync("manager@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");

        factory.Statements.Clear();
        var first = await manager.GetPageAsync($"/settings/users?q={tag}");
        var counts = factory.Statements.Statements.Where(s => s.Contains("count(", StringComparison.OrdinalIgnoreCase)
            && s.Contains("FROM \"AspNetUsers\"", StringComparison.Ordinal)).ToList();
        var seen = new List<string>(Names(first));
        var page = first;
        var pages = 1;
        while (Link(page, "users-next") is { } next && pages < 20)
        {
            page = await manager.GetPageAsync(next);
            seen.AddRange(Names(page));
            pages++;
        }

        var deepStatements = factory.Statements.Statements.Where(s => s.Contains("FROM \"AspNetUsers\"", StringComparison.Ordinal)).ToList();
        var lastPage = await manager.GetPageAsync(Link(first, "users-last") ?? "");
        var beforeLast = await manager.GetPageAsync(Link(lastPage, "users-previous") ?? "");
        var adminsFirst = await admin.GetPageAsync($"/settings/users?q={tag}");

        Assert.Equal($"1,000+ users matching \"{tag}\"", first.TestId("users-count").NormalizedText());
        Assert.Equal($"1,001 users matching \"{tag}\"", adminsFirst.TestId("users-count").NormalizedText());
        Assert.Equal(11, pages);
        Assert.Equal(Enumerable.Range(1, 1_001).Select(i => $"{tag} {i:0000}"), seen);
        Assert.Equal(Enumerable.Range(902, 100).Select(i => $"{tag} {i:0000}"), Names(lastPage));
        Assert.Null(Link(lastPage, "users-next"));
        Assert.Equal(Enumerable.Range(802, 100).Select(i => $"{tag} {i:0000}"), Names(beforeLast));
        // The count reads at most 1,001 users; no page skips over the users before it.
        var count = Assert.Single(counts);
        Assert.Contains("LIMIT", count, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(deepStatements, s => s.Contains("OFFSET", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GetApiUsers_AnswersAThousandAtMost_TheNextPageInTheLinkHeader()
    {
        // The API answered every user in one array: 840 KB for a manager's search "schmidt" among 50,000 users
        // (decision 0159, as GET /api/rollouts since decision 0133).
        var tag = "AP" + Guid.NewGuid().ToString("N")[..6];
        await ManyInW11Async(tag, 1_001);
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        static IReadOnlyList<string> Named(JsonArray? users) => [.. (users ?? []).Select(u => u?["displayName"]?.GetValue<string>() ?? "")];
        static string? Next(HttpResponseMessage response) =>
            response.Headers.TryGetValues("Link", out var values) && Regex.Match(string.Join(",", values), "<([^>]+)>; rel=\"next\"") is { Success: true } m
                ? m.Groups[1].Value : null;

        using var first = await api.GetAsync($"/api/users?q={tag.ToLowerInvariant()}");
        var firstNames = Named(await first.Content.ReadFromJsonAsync<JsonArray>());
        var next = Next(first);
        using var second = await api.GetAsync(next ?? "");
        var secondNames = Named(await second.Content.ReadFromJsonAsync<JsonArray>());
        using var small = await api.GetAsync($"/api/users?q={tag}&pageSize=400");
        using var notAPosition = await api.GetAsync($"/api/users?q={tag}&after=x1");
        var notAPositionBody = await ApiTestClient.ReadAsync(notAPosition);
        var adminId = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync());
        using var notTheirs = await api.GetAsync($"/api/users?after={adminId}");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(Enumerable.Range(1, 1_000).Select(i => $"{tag} {i:0000}"), firstNames);
        Assert.NotNull(next);
        Assert.Equal([$"{tag} 1001"], secondNames);
        Assert.Null(Next(second));
        Assert.Equal(400, (await small.Content.ReadFromJsonAsync<JsonArray>())?.Count);
        Assert.Contains("pageSize=400", Next(small) ?? "", StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "after"), (notAPosition.StatusCode, notAPositionBody["field"]?.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, notTheirs.StatusCode);
    }
}

public sealed class SqliteManagersUsersListTests(StatementLoggingWebFactory factory)
    : ManagersUsersListTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresManagersUsersListTests(PostgresStatementLoggingWebFactory factory)
    : ManagersUsersListTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
