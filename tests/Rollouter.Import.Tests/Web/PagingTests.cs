using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Every paged page and API endpoint takes any page number: a page past the end is the last page (pages) or an empty
/// one (API), never a negative OFFSET and a 500. On both databases, since PostgreSQL refuses a negative OFFSET.
/// </summary>
public abstract class PagingTests(RolloutWebFactory factory)
{
    private static readonly string[] Pages = ["2147483647", "-2147483648", "0", "1"];

    /// <summary>
    /// Positions no link gives: garbage, numbers out of range, and client-list cursors of the right shape with a key
    /// of the wrong kind, of another sort, or a huge one.
    /// </summary>
    private static readonly string[] BadCursors =
    [
        "garbage", "%00", "2147483647.9223372036854775807", "-1.-1", "99999999999.1", new string('A', 5000),
        Cursor("status", "not a status", 1), Cursor("assignee", "x", -5), Cursor("name", null, int.MaxValue),
        Cursor("name", new string('z', 3000), 1), Cursor("description", "zz", int.MinValue), Cursor("f999999", "1", 1),
    ];

    private static string Cursor(string sort, string? key, int id) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new object?[] { sort, key, id }));

    /// <summary>A failed import of Laptops with a failed row, through the API.</summary>
    private async Task<(HttpClient Api, int LaptopsId, int ImportId)> FailedImportAsync()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "paging.csv",
            $"Name,Status\nPAGING-{Guid.NewGuid():N},No such status\n"));
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await api.WaitForResultAsync(import.Id())).Status());
        return (api, laptops, import.Id());
    }

    [Fact]
    public async Task EveryPagedApiEndpoint_TakesAnyPageAndPageSize()
    {
        var (api, laptops, importId) = await FailedImportAsync();

        foreach (var path in new[] { $"/api/imports/{importId}/errors", $"/api/inventories/{laptops}/clients" })
        {
            foreach (var page in Pages)
            {
                foreach (var pageSize in new[] { "2147483647", "-1", "50" })
                {
                    if (page == "2147483647" && path.EndsWith("/clients", StringComparison.Ordinal))
                    {
                        // The client list's page= reaches the first 10,000 clients: beyond, it says to follow next.
                        var beyond = await api.GetAsync($"{path}?page={page}&pageSize={pageSize}");
                        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
                        Assert.Contains("after=", await beyond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                        continue;
                    }

                    var response = await api.GetAsync($"{path}?page={page}&pageSize={pageSize}");
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} page={page} pageSize={pageSize}: {(int)response.StatusCode} {body}");
                    var list = await ApiTestClient.ReadAsync(response);
                    Assert.InRange(list["page"]!.GetValue<int>(), 1, int.MaxValue);
                    Assert.InRange(list["pageSize"]!.GetValue<int>(), 1, 1000);
                    if (page == "2147483647")
                    {
                        Assert.Empty(list["items"]!.AsArray());
                    }
                }
            }
        }
    }

    [Fact]
    public async Task EveryPagedPage_TakesAnyPage_AndShowsTheLastOneBeyondTheEnd()
    {
        var (_, laptops, importId) = await FailedImportAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var kam = await factory.SignInAsync("kam@demo.test");

        foreach (var (client, path) in new[]
                 {
                     (manager, $"/rollouts/W11/inventories/{laptops}"), (manager, $"/rollouts/W11/imports/{importId}"),
                     (kam, "/reviews"), (kam, $"/reviews/W11/imports/{importId}"),
                     (manager, "/rollouts/W11/imports"),
                 })
        {
            foreach (var page in Pages)
            {
                var response = await client.GetAsync($"{path}?page={page}");
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}?page={page}: {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task EveryPagedApiEndpoint_AnswersAPositionItDidNotGive_With400()
    {
        var (api, laptops, importId) = await FailedImportAsync();

        foreach (var path in new[] { $"/api/imports/{importId}/errors", $"/api/inventories/{laptops}/clients" })
        {
            foreach (var cursor in BadCursors)
            {
                foreach (var sort in path.EndsWith("/clients", StringComparison.Ordinal)
                             ? new[] { "", "&sort=status", "&sort=assignee&dir=desc", "&sort=description" } : [""])
                {
                    var response = await api.GetAsync($"{path}?after={Uri.EscapeDataString(cursor)}{sort}");
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.OK,
                        $"{path} after={cursor[..Math.Min(cursor.Length, 40)]}{sort}: {(int)response.StatusCode} {body}");
                }
            }

            var both = await api.GetAsync($"{path}?after=garbage&page=2147483647&pageSize=2147483647");
            Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        }

        var far = await api.GetAsync($"/api/inventories/{laptops}/clients?from={Uri.EscapeDataString(new string('\uffff', 3000))}");
        Assert.Equal(HttpStatusCode.OK, far.StatusCode);
        Assert.Empty((await ApiTestClient.ReadAsync(far))["items"]!.AsArray());
    }

    [Fact]
    public async Task EveryPagedPage_ShowsTheFirstPageForAPositionItDidNotGive()
    {
        var (_, laptops, importId) = await FailedImportAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var kam = await factory.SignInAsync("kam@demo.test");

        foreach (var (client, path) in new[]
                 {
                     (manager, $"/rollouts/W11/inventories/{laptops}?"), (manager, $"/rollouts/W11/inventories/{laptops}?sort=status&"),
                     (manager, $"/rollouts/W11/inventories/{laptops}?sort=clientuser&dir=desc&"),
                     (manager, $"/rollouts/W11/imports/{importId}?"), (manager, "/rollouts/W11/imports?"),
                     (kam, "/reviews?"), (kam, $"/reviews/W11/imports/{importId}?"),
                 })
        {
            foreach (var cursor in BadCursors)
            {
                foreach (var position in new[] { "after", "before" })
                {
                    var response = await client.GetAsync($"{path}{position}={Uri.EscapeDataString(cursor)}&page=2147483647");
                    Assert.True(response.StatusCode == HttpStatusCode.OK,
                        $"{path}{position}={cursor[..Math.Min(cursor.Length, 40)]}: {(int)response.StatusCode}");
                }
            }
        }
    }
}

public sealed class SqlitePagingTests(RolloutWebFactory factory) : PagingTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresPagingTests(PostgresWebFactory factory) : PagingTests(factory), IClassFixture<PostgresWebFactory>;
