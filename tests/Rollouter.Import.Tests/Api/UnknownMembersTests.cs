using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// QA: a member the body does not have was ignored, so <c>{"updateExisting":false,"colums":[…]}</c> (or a body without
/// <c>columns</c>) answered 200 and emptied the saved mapping. Every JSON body now refuses an unknown member with 400
/// naming it in <c>field</c>, and the mapping without <c>columns</c> is refused too; nothing is stored.
/// </summary>
public sealed class UnknownMembersTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private async Task<(HttpClient Client, JsonNode Import)> ImportAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var csv = $"Name,Status,Department\nUNK-{Guid.NewGuid().ToString("N")[..8]},New,IT\n";
        var created = await client.UploadAsync(rolloutId, laptops, "unknown.csv", csv);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (client, await ApiTestClient.ReadAsync(created));
    }

    private static async Task<JsonNode> BadRequestAsync(HttpClient client, HttpMethod method, string url, string json)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    [Theory]
    [InlineData("""{"updateExisting":false,"colums":[{"letter":"A","target":"Name"}]}""", "colums",
        "colums is not a member of the request body; it takes updateExisting and columns (did you mean columns?).")]
    [InlineData("""{"update_existing":true,"columns":[{"letter":"A","target":"Name"}]}""", "update_existing",
        "update_existing is not a member of the request body; it takes updateExisting and columns (did you mean updateExisting?).")]
    [InlineData("""{"columns":[{"letter":"A","target":"Name","createOption":true}]}""", "columns[0].createOption",
        "columns[0].createOption is not a member of columns[0]; it takes letter, target, lookup, createOptions and separator (did you mean createOptions?).")]
    [InlineData("""{"updateExisting":true}""", "columns",
        "columns: give the columns to map ([{letter, target, …}], one entry per column of the file); an empty list maps none.")]
    [InlineData("""{"updateExisting":true,"columns":null}""", "columns",
        "columns: give the columns to map ([{letter, target, …}], one entry per column of the file); an empty list maps none.")]
    public async Task AMappingWithAnUnknownMemberOrWithoutColumns_IsRefusedNamingIt_AndKeepsTheSavedMapping(string json, string field,
        string reason)
    {
        var (client, import) = await ImportAsync();
        Assert.Equal("WaitingForApproval", import.Status());

        var problem = await BadRequestAsync(client, HttpMethod.Put, $"/api/imports/{import.Id()}/mapping", json);

        Assert.Equal(field, problem["field"]?.GetValue<string>());
        Assert.Equal($"The request body is not valid: {reason}", problem["detail"]!.GetValue<string>());
        var after = await client.GetJsonAsync($"/api/imports/{import.Id()}");
        Assert.Equal(import["mapping"]!.ToJsonString(), after["mapping"]!.ToJsonString());
        Assert.Equal("WaitingForApproval", after.Status());
    }

    [Fact]
    public async Task FileSettingsWithAnUnknownMember_AreRefusedNamingIt_AndChangeNothing()
    {
        var (client, import) = await ImportAsync();

        var problem = await BadRequestAsync(client, HttpMethod.Put, $"/api/imports/{import.Id()}/parse-options",
            """{"headerRow":1,"delimeter":";"}""");

        Assert.Equal("delimeter", problem["field"]?.GetValue<string>());
        Assert.StartsWith("The request body is not valid: delimeter is not a member of the request body; it takes sheet, headerRow, " +
            "delimiter, encoding and includeHiddenRows (did you mean delimiter?)", problem["detail"]!.GetValue<string>());
        var after = await client.GetJsonAsync($"/api/imports/{import.Id()}");
        Assert.Equal(import["parseOptions"]!.ToJsonString(), after["parseOptions"]!.ToJsonString());
    }

    [Theory]
    [InlineData("/api/imports/{id}/corrections", "PUT", """{"cell":[{"row":2,"column":"C","value":"HR"}]}""", "cell")]
    [InlineData("/api/workflows", "POST", """{"name":"Typo","status":["New"]}""", "status")]
    [InlineData("/api/auth/login", "POST", """{"email":"manager@demo.test","pasword":"x"}""", "pasword")]
    public async Task AnyOtherBodyWithAnUnknownMember_IsRefusedNamingIt(string url, string method, string json, string field)
    {
        var (client, import) = await ImportAsync();

        var problem = await BadRequestAsync(client, new HttpMethod(method), url.Replace("{id}", import.Id().ToString(
            System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), json);

        Assert.Equal(field, problem["field"]?.GetValue<string>());
        Assert.Contains($"{field} is not a member of the request body", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, (await client.GetJsonAsync($"/api/imports/{import.Id()}/corrections"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task EveryMemberTheDocumentedBodiesName_IsStillTaken()
    {
        // docs/api.md: the mapping's and the file settings' members, each once.
        var (client, import) = await ImportAsync();
        using var mapping = new StringContent("""
            {"updateExisting":false,"columns":[{"letter":"A","target":"Name","lookup":null,"createOptions":false,"separator":null},
            {"letter":"B","target":"Status"},{"letter":"C","target":"Department"}]}
            """, Encoding.UTF8, "application/json");
        using var options = new StringContent("""
            {"sheet":null,"headerRow":1,"delimiter":",","encoding":"utf-8","includeHiddenRows":false}
            """, Encoding.UTF8, "application/json");
        using var corrections = new StringContent("""
            {"cells":[{"row":2,"column":"C","value":"HR"}],"replacements":[{"column":"B","from":"Old","to":"New"}]}
            """, Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/imports/{import.Id()}/mapping", mapping)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/imports/{import.Id()}/parse-options", options)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/imports/{import.Id()}/corrections", corrections)).StatusCode);
    }
}
