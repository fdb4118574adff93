using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// What the key account managers' review list asks the database for (issue 13: no list grows slower with what it
/// lists): failed imports first, then the others, each group read newest first through an index, never ordered by a
/// computed "failed or not" that sorts every visible import.
/// </summary>
public abstract partial class ReviewListStatementsTests(StatementLoggingWebFactory factory)
{
    [Fact]
    public async Task TheReviewList_ReadsEachGroupInIdOrder_WithoutSortingByAComputedGroup()
    {
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var laptops = await db.Inventories.SingleAsync(i => i.Name == "Laptops");
            var manager = await db.Users.SingleAsync(u => u.Email == "manager@demo.test");
            db.Imports.AddRange(Enumerable.Range(1, 6).Select(i => new ClientImport
            {
                RolloutId = laptops.RolloutId,
                InventoryId = laptops.Id,
                FileName = $"review-statements-{i}.csv",
                CreatedById = manager.Id,
                CreatedAt = DateTimeOffset.UtcNow,
                Status = i % 2 == 0 ? ImportStatus.Failed : ImportStatus.Completed,
            }));
            await db.SaveChangesAsync();
        }

        var kam = await factory.SignInAsync("kam@demo.test");

        factory.Statements.Clear();
        var page = await kam.GetPageAsync("/reviews");
        var importReads = factory.Statements.Statements.Where(s => ImportsTable().IsMatch(s)).ToList();

        var statuses = page.QuerySelectorAll("[data-testid=reviews] tbody tr[data-import]").Select(row => row.GetAttribute("data-status")).ToList();
        Assert.Equal(["Failed", "Failed", "Failed"], statuses.Take(3));
        Assert.DoesNotContain("Failed", statuses.Skip(3));
        Assert.NotEmpty(importReads);
        Assert.All(importReads, sql => Assert.DoesNotMatch(OrderByCase(), sql));
    }

    [GeneratedRegex("""\bFROM\s+"Imports"(\s|$)""", RegexOptions.IgnoreCase)]
    private static partial Regex ImportsTable();

    [GeneratedRegex("""ORDER BY\s+CASE""", RegexOptions.IgnoreCase)]
    private static partial Regex OrderByCase();
}

public sealed class SqliteReviewListStatementsTests(StatementLoggingWebFactory factory)
    : ReviewListStatementsTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresReviewListStatementsTests(PostgresStatementLoggingWebFactory factory)
    : ReviewListStatementsTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
