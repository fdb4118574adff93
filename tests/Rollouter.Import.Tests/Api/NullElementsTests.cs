using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A <c>null</c> where a request's list holds objects or text (<c>{"columns":[null]}</c>) is a 400 naming the element,
/// for every API body, as a value of the wrong type is: never a 500. A list whose elements may be null takes them.
/// </summary>
public sealed class NullElementsTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private async Task<(HttpClient Client, int ImportId)> ImportAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var csv = $"Name,Status\nNUL-{Guid.NewGuid().ToString("N")[..8]},New\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "nulls.csv", csv));
        return (client, import.Id());
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
    [InlineData("mapping", """{"columns":[null]}""", "columns[0]", "expected an object")]
    [InlineData("mapping", """{"updateExisting":false,"columns":[{"letter":"A","target":"Name"},null]}""", "columns[1]", "expected an object")]
    [InlineData("corrections", """{"cells":[null]}""", "cells[0]", "expected an object")]
    [InlineData("corrections", """{"replacements":[null]}""", "replacements[0]", "expected an object")]
    public async Task ANullElement_OfAnImportsList_IsABadRequestNamingIt(string call, string json, string member, string expected)
    {
        var (client, id) = await ImportAsync();

        var problem = await BadRequestAsync(client, HttpMethod.Put, $"/api/imports/{id}/{call}", json);

        Assert.Equal($"The request body is not valid: {member}: {expected}, not null.", problem["detail"]!.GetValue<string>());
        Assert.Equal(problem["detail"]!.GetValue<string>(), problem["error"]!.GetValue<string>());
        Assert.Equal(member, problem["field"]!.GetValue<string>());
        Assert.Equal("WaitingForApproval", (await client.GetJsonAsync($"/api/imports/{id}")).Status());
    }

    [Theory]
    [InlineData("/api/workflows", """{"name":"W","statuses":["a",null]}""", "statuses[1]")]
    [InlineData("/api/custom-fields", """{"name":"C","type":"Selection","options":["a",null]}""", "options[1]")]
    public async Task ANullElement_OfASettingsList_IsABadRequestNamingIt(string url, string json, string member)
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var problem = await BadRequestAsync(client, HttpMethod.Post, url, json);

        Assert.Equal($"The request body is not valid: {member}: expected text, not null.", problem["detail"]!.GetValue<string>());
        Assert.Equal(member, problem["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task ANullNumber_InAListOfIds_IsABadRequestToo()
    {
        var client = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");

        var users = await BadRequestAsync(client, HttpMethod.Put, "/api/users/1", """{"rolloutIds":[null]}""");
        var inventory = await BadRequestAsync(client, HttpMethod.Post, $"/api/rollouts/{rolloutId}/inventories",
            """{"name":"N","workflowId":1,"customFieldIds":[null]}""");

        Assert.Equal("The request body is not valid: rolloutIds[0]: expected a whole number.", users["detail"]!.GetValue<string>());
        Assert.Equal("The request body is not valid: customFieldIds[0]: expected a whole number.", inventory["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task ANullValue_InTheLinksKeep_IsABadRequest()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var problem = await BadRequestAsync(client, HttpMethod.Post, "/api/clients/1/links",
            """{"otherClientId":2,"linkTypeId":1,"keep":{"Department":null}}""");

        Assert.Equal("The request body is not valid: keep[Department]: expected text, not null.", problem["detail"]!.GetValue<string>());
    }
}
