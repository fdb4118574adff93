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
