using System.Net;
using System.Net.Http.Json;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// The Check of a small file (the manager's, a key account manager's, POST /api/imports/{id}/check) among many clients
/// (issue 13; decision 0090): it looks up the clients its names name, a few hundred names a statement, instead of
/// reading every client of the rollout (a second among a million), and finds the same failures and updates.
/// </summary>
public abstract class CheckStatementsTests(StatementLoggingWebFactory factory)
{
    [Fact]
    public async Task TheCheckOfAFewRows_LooksUpTheirNames_AndFindsTheClientsOfThisAndOtherInventories()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await factory.WithDbAsync(db => Task.FromResult(db.Inventories.Single(i => i.Name == "Laptops" && i.RolloutId == rolloutId).Id));
        var fresh = $"CHK-{Guid.NewGuid():N}"[..16];
        // A new name, a client of Laptops (typed in another case, with spaces), one of Monitors.
        var csv = $"Name,Status,Department\n{fresh},New,IT\n  lt-0001 ,New,IT\nMON-0002,New,IT\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "check-statements.csv", csv));
        using (var mapped = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
               {
                   columns = new object[]
                   {
                       new { letter = "A", target = "Name" }, new { letter = "B", target = "Status" }, new { letter = "C", target = "Department" },
                   },
                   updateExisting = true,
               }))
        {
            Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);
        }

        factory.Statements.Clear();
        var response = await client.PostAsync($"/api/imports/{import.Id()}/check", null);
        var reads = factory.Statements.Statements.Where(s => s.Contains("FROM \"Clients\"", StringComparison.Ordinal)).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = await ApiTestClient.ReadAsync(response);
        Assert.True(1 == check["failedRows"]!.GetValue<int>(), check.ToJsonString());
        Assert.Equal(4, check["errors"]![0]!["row"]!.GetValue<int>());
        Assert.Contains("Monitors", check["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, check["toCreate"]!.GetValue<int>());
        Assert.Equal(1, check["toUpdate"]!.GetValue<int>());
        // Each read of the clients' table asks for names (or is bounded): none reads every client of the rollout.
        Assert.NotEmpty(reads);
        Assert.All(reads, sql => Assert.True(sql.Contains("\"NameKey\"", StringComparison.Ordinal)
            || sql.Contains("LIMIT", StringComparison.OrdinalIgnoreCase), sql));
    }
}

public sealed class SqliteCheckStatementsTests(StatementLoggingWebFactory factory)
    : CheckStatementsTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresCheckStatementsTests(PostgresStatementLoggingWebFactory factory)
    : CheckStatementsTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
