using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The other lists that page by keyset (First / Previous / Next / Last, and the API's after= and next): the rollout's
/// imports, the key account manager's reviews (failed ones first), an import's failed rows. Each page holds every item
/// once, in order, forward and back.
/// </summary>
public abstract class KeysetListsTests(RolloutWebFactory factory)
{
    private const int Imports = 130;
    private const int FailedRows = 130;
    private static readonly SemaphoreSlim Seeding = new(1, 1);

    /// <summary>130 imports of W11 (every third Failed), the last of them failed with 130 failed rows, two on every tenth row.</summary>
    private async Task<int> FailedImportAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            if (await db.Imports.Where(i => i.FileName == "keyset-130.csv").Select(i => (int?)i.Id).SingleOrDefaultAsync() is { } id)
            {
                return id;
            }

            var laptops = await db.Inventories.SingleAsync(i => i.Name == "Laptops");
            var manager = await db.Users.SingleAsync(u => u.Email == "manager@demo.test");
            var imports = Enumerable.Range(1, Imports).Select(i => new ClientImport
            {
                RolloutId = laptops.RolloutId,
                InventoryId = laptops.Id,
                FileName = $"keyset-{i}.csv",
                CreatedById = manager.Id,
                CreatedAt = DateTimeOffset.UtcNow,
                Status = i % 3 == 0 || i == Imports ? ImportStatus.Failed : ImportStatus.Completed,
            }).ToList();
            db.Imports.AddRange(imports);
            await db.SaveChangesAsync();
            var failed = imports[^1];
            var row = 2;
            var errors = new List<ImportRowError>();
            while (errors.Count < FailedRows)
            {
                errors.Add(new ImportRowError { ImportId = failed.Id, Row = row, Column = "B", Message = $"Row {row} B" });
                if (row % 10 == 0 && errors.Count < FailedRows)
                {
                    errors.Add(new ImportRowError { ImportId = failed.Id, Row = row, Column = "A", Message = $"Row {row} A" });
                }

                row++;
            }

            // Inserted out of row order: the list orders by row, then id.
            db.ImportRowErrors.AddRange(errors.OrderBy(e => e.Row % 7));
            await db.SaveChangesAsync();
            return failed.Id;
        }
        finally
        {
            Seeding.Release();
        }
    }

    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> read)
    {
        using var scope = factory.Services.CreateScope();
        return await read(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private static string? Link(string page, string testId) => HtmlPage.Parse(page).PagerLink(testId);

    /// <summary>First, Next to the end; then Last, Previous to the start. Each page's items, in page order.</summary>
    private static async Task<(List<int> Forward, List<List<int>> Backward)> WalkAsync(HttpClient client, string path, string testId,
        Func<string, IEnumerable<int>> items)
    {
        var forward = new List<int>();
        var page = await client.GetStringAsync(path);
        Assert.Null(Link(page, testId + "-previous"));
        if (HtmlPage.Parse(page).FindTestId(testId + "-first") is not null)
        {
            HtmlPage.Parse(page).AssertPagerItemDisabled(testId + "-first");
            HtmlPage.Parse(page).AssertPagerItemDisabled(testId + "-previous");
        }

        while (true)
        {
            forward.AddRange(items(page));
            if (Link(page, testId + "-next") is not { } next)
            {
                break;
            }

            page = await client.GetStringAsync(next);
        }

        var backward = new List<List<int>>();
        page = await client.GetStringAsync(Link(await client.GetStringAsync(path), testId + "-last")!);
        Assert.Null(Link(page, testId + "-next"));
        HtmlPage.Parse(page).AssertPagerItemDisabled(testId + "-next");
        HtmlPage.Parse(page).AssertPagerItemDisabled(testId + "-last");
        while (true)
        {
            backward.Add([.. items(page)]);
            if (Link(page, testId + "-previous") is not { } previous)
            {
                break;
            }

            page = await client.GetStringAsync(previous);
        }

        return (forward, backward);
    }

    private static void AssertWalk(List<int> expected, (List<int> Forward, List<List<int>> Backward) walk, int pageSize)
    {
        Assert.Equal(expected, walk.Forward);
        Assert.Equal(expected.TakeLast(pageSize), walk.Backward[0]);
        Assert.Equal(expected.Take(pageSize), walk.Backward[^1]);
        Assert.Equal(expected.ToHashSet(), walk.Backward.SelectMany(p => p).ToHashSet());
    }

    [Fact]
    public async Task RolloutImports_PageNewestFirst_ForwardAndBack()
    {
        await FailedImportAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var expected = await DbAsync(db => db.Imports.Where(i => i.Rollout.Identifier == "W11").OrderByDescending(i => i.Id)
            .Select(i => i.Id).ToListAsync());

        var walk = await WalkAsync(manager, "/rollouts/W11/imports", "imports",
            page => HtmlPage.Parse(page).QuerySelectorAll("tbody tr").Select(row => int.Parse(row.Children[0].NormalizedText())));

        AssertWalk(expected, walk, 50);
    }

    [Fact]
    public async Task Reviews_PageFailedFirst_ThenTheOthers_NewestFirst()
    {
        await FailedImportAsync();
        var kam = await factory.SignInAsync("kam@demo.test");
        var visible = await DbAsync(db => db.RolloutMembers.Where(m => m.User.Email == "kam@demo.test").Select(m => m.RolloutId).ToListAsync());
        var expected = await DbAsync(db => db.Imports.Where(i => visible.Contains(i.RolloutId))
            .OrderBy(i => i.Status == ImportStatus.Failed ? 0 : 1).ThenByDescending(i => i.Id).Select(i => i.Id).ToListAsync());

        var walk = await WalkAsync(kam, "/reviews", "reviews",
            page => HtmlPage.Parse(page).QuerySelectorAll("tbody tr[data-import]").Select(row => int.Parse(row.GetAttribute("data-import")!)));

        Assert.True(expected.Count > 100);
        AssertWalk(expected, walk, 50);
    }

    [Fact]
    public async Task FailedRows_PageByRow_OnThePageAndInTheApi()
    {
        var id = await FailedImportAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var expected = await DbAsync(db => db.ImportRowErrors.Where(e => e.ImportId == id).OrderBy(e => e.Row).ThenBy(e => e.Id)
            .Select(e => e.Message).ToListAsync());

        var walk = await WalkAsync(manager, $"/rollouts/W11/imports/{id}", "errors",
            page => HtmlPage.Parse(page).TestId("failed-rows-table").QuerySelectorAll("tbody tr").Select(row => expected.IndexOf(row.Children[3].NormalizedText())));
        var messages = new List<string>();
        string? next = null;
        do
        {
            var answer = await api.GetJsonAsync($"/api/imports/{id}/errors?pageSize=7" + (next is null ? "" : "&after=" + next));
            Assert.Equal(FailedRows, answer["total"]!.GetValue<int>());
            messages.AddRange(answer["items"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));
            next = answer["next"]?.GetValue<string>();
        }
        while (next is not null);
        var byPage = await api.GetJsonAsync($"/api/imports/{id}/errors?page=3&pageSize=7");

        AssertWalk([.. Enumerable.Range(0, expected.Count)], walk, 50);
        Assert.Equal(expected, messages);
        Assert.Equal(expected.Skip(14).Take(7), byPage["items"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/imports/{id}/errors?after=nonsense")).StatusCode);
    }
}

public sealed class SqliteKeysetListsTests(RolloutWebFactory factory) : KeysetListsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresKeysetListsTests(PostgresWebFactory factory) : KeysetListsTests(factory), IClassFixture<PostgresWebFactory>;
