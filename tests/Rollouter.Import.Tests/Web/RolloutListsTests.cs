using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The rollouts lists (the Rollouts page, the rollouts settings) are searched by name or identifier and paged, 100
/// rollouts a page: an installation with 2,000 rollouts listed every one on one page of 540 KB, an administrator's
/// start page (decision 0129).
/// </summary>
public abstract class RolloutListsTests(RolloutWebFactory factory)
{
    /// <summary><paramref name="count"/> rollouts "{tag} 001"…, identifiers "{tag}001"…, with the demo manager as a member.</summary>
    private Task ManyRolloutsAsync(string tag, int count) => factory.WithDbAsync(async db =>
    {
        var manager = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        for (var i = 1; i <= count; i++)
        {
            db.Rollouts.Add(new Rollout
            {
                Name = $"{tag} {i:000}", Identifier = $"{tag}{i:000}", CreatedAt = DateTimeOffset.UtcNow,
                Members = [new RolloutMember { UserId = manager }],
            });
        }

        await db.SaveChangesAsync();
    });

    private static int Rows(string page, string testId) =>
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelectorAll($"[data-testid={testId}] tbody tr").Length;

    private static string Text(string page, string testId) => string.Join(' ',
        (new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelector($"[data-testid={testId}]")?.TextContent ?? "")
            .Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("/rollouts", "admin@demo.test")]
    [InlineData("/rollouts", "manager@demo.test")]
    [InlineData("/settings/rollouts", "admin@demo.test")]
    [InlineData("/settings/rollouts", "manager@demo.test")]
    public async Task RolloutsList_IsSearchedByNameOrIdentifier_AndPaged_AHundredAtATime(string path, string email)
    {
        var tag = "Ro" + Guid.NewGuid().ToString("N")[..6];
        await ManyRolloutsAsync(tag, 105);
        var session = await factory.SignInAsync(email);

        var first = await session.GetStringAsync($"{path}?q={tag}");
        var second = await session.GetStringAsync($"{path}?q={tag}&page=2");
        var byIdentifier = await session.GetStringAsync($"{path}?q={tag.ToUpperInvariant()}042");
        var none = await session.GetStringAsync($"{path}?q={tag}-none");
        var all = await session.GetStringAsync(path);

        Assert.Equal(100, Rows(first, "rollouts"));
        Assert.Equal($"Rollouts 1–100 of 105 matching \"{tag}\"", Text(first, "rollouts-count"));
        Assert.Equal(5, Rows(second, "rollouts"));
        Assert.Contains($"{tag} 105", second, StringComparison.Ordinal);
        Assert.DoesNotContain($"{tag} 001", second, StringComparison.Ordinal);
        Assert.Equal(1, Rows(byIdentifier, "rollouts"));
        Assert.Contains($"{tag} 042", byIdentifier, StringComparison.Ordinal);
        Assert.Equal(0, Rows(none, "rollouts"));
        Assert.Contains($"No rollouts matching \"{tag}-none\"", Text(none, "rollouts-count"), StringComparison.Ordinal);
        Assert.True(Rows(all, "rollouts") <= 100);
        Assert.Contains("Page 1 of", all, StringComparison.Ordinal);
    }
}

public sealed class SqliteRolloutListsTests(RolloutWebFactory factory)
    : RolloutListsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresRolloutListsTests(PostgresWebFactory factory)
    : RolloutListsTests(factory), IClassFixture<PostgresWebFactory>;
