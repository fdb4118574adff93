using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rollouter.Import.Testing;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>What a script does: sign in for a token, then call the API with it.</summary>
public static class ApiTestClient
{
    public static async Task<HttpClient> LoginAsync(RolloutWebFactory factory, string email, string password = DemoSeeder.Password)
    {
        var client = factory.CreateBrowser();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await ReadAsync(response))["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())
        ?? throw new InvalidOperationException("Empty JSON body");

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await ReadAsync(response);
    }

    public static async Task<int> RolloutIdAsync(this HttpClient client, string identifier)
    {
        var rollouts = (await client.GetJsonAsync("/api/rollouts")).AsArray();
        return rollouts.Single(r => r!["identifier"]!.GetValue<string>() == identifier)!["id"]!.GetValue<int>();
    }

    public static async Task<int> InventoryIdAsync(this HttpClient client, int rolloutId, string name)
    {
        var inventories = (await client.GetJsonAsync($"/api/rollouts/{rolloutId}/inventories")).AsArray();
        return inventories.Single(i => i!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<int>();
    }

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, int rolloutId, int inventoryId,
        string fileName, string csv) => client.UploadAsync(rolloutId, inventoryId, fileName, Encoding.UTF8.GetBytes(csv));

    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, int rolloutId, int inventoryId,
        string fileName, byte[] content)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(inventoryId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "inventoryId" },
            { new ByteArrayContent(content), "file", fileName },
        };
        return await client.PostAsync($"/api/rollouts/{rolloutId}/imports", form);
    }

    /// <summary>Waits until the import is Completed or Failed (at most a minute).</summary>
    public static Task<JsonNode> WaitForResultAsync(this HttpClient client, int importId) =>
        client.WaitForImportAsync(importId, i => i.Status() is "Completed" or "Failed", TimeSpan.FromMinutes(1));

    /// <summary>Asks for the import (<c>GET /api/imports/{id}</c>) until <paramref name="until"/> holds; fails after <paramref name="timeout"/>.</summary>
    public static Task<JsonNode> WaitForImportAsync(this HttpClient client, int importId, Func<JsonNode, bool> until, TimeSpan timeout) =>
        ImportWaiting.WaitForImportAsync(importId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            () => client.GetJsonAsync($"/api/imports/{importId}"), until, timeout, import => import.ToJsonString());

    /// <summary>
    /// Asks the import page's progress endpoint, as the page's progress bar does, until the import is no longer In Progress
    /// (at most a minute); its last answer (<c>done</c>, <c>status</c>, …).
    /// </summary>
    public static Task<JsonElement> WaitForImportAsync(this HttpClient client, string importPath) =>
        ImportWaiting.WaitForImportAsync(importPath, () => client.GetFromJsonAsync<JsonElement>(importPath + "/progress"),
            progress => progress.GetProperty("done").GetBoolean(), TimeSpan.FromMinutes(1), progress => progress.ToString());

    public static string Status(this JsonNode import) => import["status"]!.GetValue<string>();

    public static int Id(this JsonNode import) => import["id"]!.GetValue<int>();

    public static string Json(this JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
