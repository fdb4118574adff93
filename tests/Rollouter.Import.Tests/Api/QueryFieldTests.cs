using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// QA: the client list's 400s for sort, dir, after and the page's bound carried no <c>field</c> (pageSize's did), one
/// message named before and last, which the API ignored (<c>?last=true</c> answered the first page), and the upload's
/// "Send multipart/form-data with the fields inventoryId and file." did not say which was at fault. Each names its
/// parameter in <c>field</c> now, and says only what the API takes.
/// </summary>
public sealed class QueryFieldTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private static async Task<JsonNode> BadRequestAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    [Theory]
    [InlineData("sort=bogus", "sort", "There is no sort \"bogus\"")]
    [InlineData("dir=up", "dir", "dir is asc or desc, not \"up\".")]
    [InlineData("after=abc", "after", "after is not a position in this list sorted by name")]
    [InlineData("page=202", "page", "page reaches the first 10,000 clients at most")]
    [InlineData("pageSize=abc", "pageSize", "The query parameter pageSize is not valid")]
    [InlineData("from=B-00100&page=2", "page", "Give only one of from and page: each says where the page starts.")]
    [InlineData("after=abc&from=B&page=3", "from", "Give only one of after, from and page: each says where the page starts.")]
    [InlineData("last=true", "last", "The API does not take last: it pages forward, following next (after=)")]
    [InlineData("before=abc", "before", "The API does not take before: it pages forward, following next (after=)")]
    public async Task AClientListParameterThatIsNotValid_IsNamedInField(string query, string field, string message)
    {
        var client = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var laptops = await client.InventoryIdAsync(await client.RolloutIdAsync("W11"), "Laptops");

        var problem = await BadRequestAsync(await client.GetAsync($"/api/inventories/{laptops}/clients?{query}"));

        Assert.Equal(field, problem["field"]?.GetValue<string>());
        var detail = problem["detail"]!.GetValue<string>();
        Assert.StartsWith(message, detail, StringComparison.Ordinal);
        if (!query.Contains("before", StringComparison.Ordinal) && !query.Contains("last", StringComparison.Ordinal))
        {
            // A parameter the API does not take is never offered.
            Assert.DoesNotContain("before", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("last", detail, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// QA (the API as a contract): an import's failed rows and its corrections refused a made-up <c>after</c>, and the
    /// failed rows <c>after</c> with <c>page</c>, without naming the parameter, as every other list does.
    /// </summary>
    [Theory]
    [InlineData("errors?after=abc", "after", "after is not a position in this list: take next from an answer.")]
    [InlineData("errors?after=3.1&page=2", "page", "Give after or page, not both: each says where the page starts.")]
    [InlineData("corrections?after=abc", "after", "after is not a position in this list: take next from an answer.")]
    [InlineData("errors?column=Status", "column", "column is a column letter of the file, such as B (as each failed row's column gives it), not \"Status\".")]
    public async Task AnImportListsCursorThatIsNotValid_IsNamedInField(string query, string field, string message)
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var upload = await client.UploadAsync(rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"), "cursor.csv",
            $"Name,Status\nCURSOR-{Guid.NewGuid():N},Nope\n");
        var id = (await ApiTestClient.ReadAsync(upload)).Id();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await client.WaitForResultAsync(id)).Status());

        var problem = await BadRequestAsync(await client.GetAsync($"/api/imports/{id}/{query}"));

        Assert.Equal((field, message), (problem["field"]?.GetValue<string>(), problem["detail"]?.GetValue<string>()));
    }

    /// <summary>
    /// QA (the API as a contract): a call sent without a body (a script's variable that came out empty) was told "The
    /// request body is not valid: A non-empty request body is required.; The request field is required.", ASP.NET's
    /// words with the parameter's name; now what is missing and what to send (decision 0119).
    /// </summary>
    [Theory]
    [InlineData("POST", "/api/auth/login", false, "The request body is empty: send a JSON object (Content-Type: application/json) with email and password.")]
    [InlineData("PUT", "/api/imports/{id}/mapping", true, "The request body is empty: send a JSON object (Content-Type: application/json) with updateExisting and columns.")]
    public async Task ACallWithAnEmptyBody_SaysItIsEmptyAndWhatToSend(string method, string path, bool asManager, string message)
    {
        var client = factory.CreateBrowser();
        if (asManager)
        {
            client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
            var rolloutId = await client.RolloutIdAsync("W11");
            var upload = await client.UploadAsync(rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"), "empty-body.csv",
                $"Name\nEMPTY-{Guid.NewGuid():N}\n");
            path = path.Replace("{id}", (await ApiTestClient.ReadAsync(upload)).Id().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("", Encoding.UTF8, "application/json"),
        };
        var problem = await BadRequestAsync(await client.SendAsync(request));

        Assert.Equal(message, problem["detail"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("abc", true, "inventoryId", "inventoryId is the id of one of the rollout's inventories (a whole number, as GET /api/rollouts/{id}/inventories gives it), not \"abc\".")]
    [InlineData(null, true, "inventoryId", "Send the inventory to import into in the field inventoryId")]
    [InlineData("LAPTOPS", false, "file", "Send the file to import in the field file")]
    public async Task AnUploadWithoutItsInventoryOrFile_NamesTheFieldAtFault(string? inventoryId, bool withFile, string field, string message)
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        using var form = new MultipartFormDataContent();
        if (inventoryId is not null)
        {
            form.Add(new StringContent(inventoryId == "LAPTOPS" ? laptops.ToString(CultureInfo.InvariantCulture) : inventoryId), "inventoryId");
        }

        if (withFile)
        {
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("Name\nQF-1\n")), "file", "clients.csv");
        }

        var problem = await BadRequestAsync(await client.PostAsync($"/api/rollouts/{rolloutId}/imports", form));

        Assert.Equal(field, problem["field"]?.GetValue<string>());
        Assert.StartsWith(message, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
