using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary><c>GET</c> and <c>PUT /api/imports/{id}/corrections</c>: a failed import fixed without a new upload.</summary>
public abstract class CorrectionsApiTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A failed import of three rows: B2 and B4 are "Shipped", B3 "Nope" (not statuses).</summary>
    private async Task<(HttpClient Client, int ImportId)> FailedAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var csv = $"Name,Status,Department\n{Unique("COR")},Shipped,IT\n{Unique("COR")},Nope,IT\n{Unique("COR")},Shipped,HR\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "corrections.csv", csv));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await client.WaitForResultAsync(import.Id())).Status());
        return (client, import.Id());
    }

    [Fact]
    public async Task Put_ACellAndAReplacement_AnswersWithTheImport_GetListsThem_AndApproveCompletes()
    {
        var (client, id) = await FailedAsync();

        var preview = await client.GetJsonAsync($"/api/imports/{id}/corrections/preview?column=b&from=Shipped");
        var put = await client.PutAsJsonAsync($"/api/imports/{id}/corrections", new
        {
            cells = new[] { new { row = 3, column = "b", value = "Prepared" } },
            replacements = new[] { new { column = "B", from = "Shipped", to = "Done" } },
        });

        Assert.Equal((2, "[2,4]"), (preview["cells"]!.GetValue<int>(), preview["rows"]!.Json()));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var import = await ApiTestClient.ReadAsync(put);
        Assert.Equal(("Failed", 1, 1), (import.Status(), import["corrections"]!["cells"]!.GetValue<int>(),
            import["corrections"]!["replacements"]!.GetValue<int>()));
        Assert.Empty(import["mappingErrors"]!.AsArray());
        var corrections = await client.GetJsonAsync($"/api/imports/{id}/corrections");
        var cell = corrections["cells"]!.AsArray().Single()!;
        Assert.Equal((3, "B", "Prepared", "Nope", "Max Manager"), (cell["row"]!.GetValue<int>(), cell["column"]!.GetValue<string>(),
            cell["value"]!.GetValue<string>(), cell["original"]!.GetValue<string>(), cell["by"]!.GetValue<string>()));
        Assert.NotNull(cell["at"]);
        var replacement = corrections["replacements"]!.AsArray().Single()!;
        Assert.Equal(("B", "Shipped", "Done"), (replacement["column"]!.GetValue<string>(), replacement["from"]!.GetValue<string>(),
            replacement["to"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(id);
        Assert.True("Completed" == result.Status(), result.Json());
        Assert.Equal(3, result["counts"]!["created"]!.GetValue<int>());
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var clients = await db.Clients.Where(c => c.CreatedByImportId == id).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
            var page = await factory.SignInAsync("manager@demo.test");
            var replaced = await page.GetPageAsync($"/rollouts/W11/clients/{clients[0]}");
            var corrected = await page.GetPageAsync($"/rollouts/W11/clients/{clients[1]}");
            Assert.Contains($"created by import #{id}", replaced.Body!.NormalizedText(), StringComparison.Ordinal);
            Assert.Contains("(value corrected in the browser by Max Manager: 'Shipped' → 'Done' (Status))",
                replaced.Texts("[data-testid=history-corrections]"));
            Assert.Contains("value corrected in the browser by Max Manager: 'Nope' → 'Prepared'",
                corrected.TestId("history-corrections").NormalizedText(), StringComparison.Ordinal);
        }

        var completed = await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { cells = new[] { new { row = 2, column = "B", value = "New" } } });
        Assert.Equal(HttpStatusCode.Conflict, completed.StatusCode);
        Assert.Contains("can no longer be corrected", (await ApiTestClient.ReadAsync(completed))["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_ARowOrColumnTheFileDoesNotHave_IsABadRequest_AsProblemDetails()
    {
        var (client, id) = await FailedAsync();

        var column = await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { cells = new[] { new { row = 2, column = "Q", value = "New" } } });
        var row = await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { cells = new[] { new { row = 40, column = "B", value = "New" } } });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (column.StatusCode, row.StatusCode));
        foreach (var response in new[] { column, row })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            var problem = await ApiTestClient.ReadAsync(response);
            Assert.Equal(problem["detail"]!.GetValue<string>(), problem["error"]!.GetValue<string>());
        }

        Assert.Equal("{\"cells\":[],\"replacements\":[],\"total\":0,\"pageSize\":1000,\"next\":null}",
            (await client.GetJsonAsync($"/api/imports/{id}/corrections")).Json());
    }

    [Fact]
    public async Task KeyAccountManager_ReadsTheCorrections_ButCannotChangeThem_TechnicianNeither()
    {
        var (client, id) = await FailedAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { replacements = new[] { new { column = "B", from = "Shipped", to = "Done" } } })).StatusCode);
        var kam = await ApiTestClient.LoginAsync(factory, "kam@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var change = new { cells = new[] { new { row = 3, column = "B", value = "New" } } };

        var read = await kam.GetJsonAsync($"/api/imports/{id}/corrections");

        Assert.Equal("Done", read["replacements"]![0]!["to"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await kam.PutAsJsonAsync($"/api/imports/{id}/corrections", change)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync($"/api/imports/{id}/corrections")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.PutAsJsonAsync($"/api/imports/{id}/corrections", change)).StatusCode);
        Assert.Single((await client.GetJsonAsync($"/api/imports/{id}/corrections"))["replacements"]!.AsArray());
        Assert.Empty((await client.GetJsonAsync($"/api/imports/{id}/corrections"))["cells"]!.AsArray());
    }

    [Fact]
    public async Task Put_ANullValue_RemovesTheCellsCorrection()
    {
        var (client, id) = await FailedAsync();
        await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { cells = new[] { new { row = 3, column = "B", value = "New" } } });

        var removed = await client.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { cells = new[] { new { row = 3, column = "B", value = (string?)null } } });

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(0, (await ApiTestClient.ReadAsync(removed))["corrections"]!["cells"]!.GetValue<int>());
        Assert.Empty((await client.GetJsonAsync($"/api/imports/{id}/corrections"))["cells"]!.AsArray());
    }

    [Fact]
    public async Task Get_PagesTheCorrectedCellsByRow_NextIsTheAfterOfTheNextPage_ReplacementsComeWithTheFirst_AndWithoutParametersAThousand()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var csv = "Name,Status\n" + string.Concat(Enumerable.Range(0, 60).Select(_ => $"{Unique("PAGED")},Nope\n"));
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "paged.csv", csv));
        var id = import.Id();
        // Rows 2 to 61, column B, stored in reverse so that the order is the list's, not the insertion's.
        var put = await client.PutAsJsonAsync($"/api/imports/{id}/corrections", new
        {
            cells = Enumerable.Range(2, 60).Reverse().Select(row => new { row, column = "B", value = "New" }).ToArray(),
            replacements = new[] { new { column = "B", from = "Nope", to = "Done" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var pages = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = await client.GetJsonAsync($"/api/imports/{id}/corrections?pageSize=25{(after is null ? "" : $"&after={Uri.EscapeDataString(after)}")}");
            pages.Add(page);
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null && pages.Count < 10);
        var all = await client.GetJsonAsync($"/api/imports/{id}/corrections");
        var badCursor = await client.GetAsync($"/api/imports/{id}/corrections?after=nonsense");

        Assert.Equal([25, 25, 10], pages.Select(p => p["cells"]!.AsArray().Count));
        Assert.All(pages, p => Assert.Equal((60, 25), (p["total"]!.GetValue<int>(), p["pageSize"]!.GetValue<int>())));
        Assert.Equal(Enumerable.Range(2, 60), pages.SelectMany(p => p["cells"]!.AsArray()).Select(c => c!["row"]!.GetValue<int>()));
        Assert.Equal([1, 0, 0], pages.Select(p => p["replacements"]!.AsArray().Count));
        Assert.Null(pages[^1]["next"]);
        Assert.Equal((60, 1000, 1), (all["cells"]!.AsArray().Count, all["pageSize"]!.GetValue<int>(), all["replacements"]!.AsArray().Count));
        Assert.Null(all["next"]);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.Equal("application/problem+json", badCursor.Content.Headers.ContentType!.MediaType);
    }
}

public sealed class SqliteCorrectionsApiTests(RolloutWebFactory factory)
    : CorrectionsApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresCorrectionsApiTests(PostgresWebFactory factory)
    : CorrectionsApiTests(factory), IClassFixture<PostgresWebFactory>;
