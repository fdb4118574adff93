using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rollouter.Import.BrowserTests.Infrastructure;
using Rollouter.Import.Testing;

namespace Rollouter.Import.BrowserTests.Recovery;

/// <summary>The app's JSON API, signed in as one user, as a script would call it.</summary>
public sealed class AppApi : IDisposable
{
    /// <summary>How often a wait asks again: the import's row changes about once a second.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly HttpClient _http;

    private AppApi(HttpClient http) => _http = http;

    public static async Task<AppApi> SignInAsync(AppServer app, string email, string password = "Demo!2026")
    {
        var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var response = await http.PostAsJsonAsync("api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonNode>())!["accessToken"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new AppApi(http);
    }

    public async Task<JsonNode> GetAsync(string url)
    {
        using var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body)!
            : throw new HttpRequestException($"GET {url} answered {(int)response.StatusCode}: {body}");
    }

    /// <summary>Posts <paramref name="body"/> as JSON; the answer's JSON (it must succeed).</summary>
    public async Task<JsonNode> PostAsync(string url, object body)
    {
        using var response = await _http.PostAsJsonAsync(url, body);
        var answer = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(answer)!
            : throw new HttpRequestException($"POST {url} answered {(int)response.StatusCode}: {answer}");
    }

    /// <summary>Puts <paramref name="body"/> as JSON; the answer's JSON (it must succeed).</summary>
    public async Task<JsonNode> PutAsync(string url, object body)
    {
        using var response = await _http.PutAsJsonAsync(url, body);
        var answer = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(answer)!
            : throw new HttpRequestException($"PUT {url} answered {(int)response.StatusCode}: {answer}");
    }

    /// <summary>
    /// A rollout of its own (as an administrator), <paramref name="members"/> (emails) its members, and one inventory
    /// "Desks" of the "Device rollout" workflow without custom fields: a test's imports there meet no other test's.
    /// </summary>
    public async Task<int> RolloutWithDesksAsync(string name, string identifier, params string[] members)
    {
        var rolloutId = (await PostAsync("api/rollouts", new { name, identifier, clientLimit = (int?)null }))["id"]!.GetValue<int>();
        var users = (await GetAsync("api/users")).AsArray();
        foreach (var email in members)
        {
            var user = users.Single(u => u!["email"]!.GetValue<string>() == email)!;
            await PostAsync($"api/rollouts/{rolloutId}/members", new { userId = user["id"]!.GetValue<int>() });
        }

        var workflow = (await GetAsync("api/workflows")).AsArray().Single(w => w!["name"]!.GetValue<string>() == "Device rollout")!;
        await PostAsync($"api/rollouts/{rolloutId}/inventories",
            new { name = "Desks", workflowId = workflow["id"]!.GetValue<int>(), customFieldIds = Array.Empty<int>() });
        return rolloutId;
    }

    /// <summary>Uploads a CSV into an inventory of a rollout (by identifier and name) and approves it; the import's id.</summary>
    public async Task<int> ApproveCsvAsync(string rollout, string inventory, string csv)
    {
        var rolloutId = (await GetAsync("api/rollouts")).AsArray()
            .Single(r => r!["identifier"]!.GetValue<string>() == rollout)!["id"]!.GetValue<int>();
        var inventoryId = (await GetAsync($"api/rollouts/{rolloutId}/inventories")).AsArray()
            .Single(i => i!["name"]!.GetValue<string>() == inventory)!["id"]!.GetValue<int>();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(inventoryId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "inventoryId" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "clients.csv");
        using var uploaded = await _http.PostAsync($"api/rollouts/{rolloutId}/imports", form);
        var import = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!;
        Assert.True(uploaded.IsSuccessStatusCode, import.ToJsonString());
        var id = import["id"]!.GetValue<int>();
        using var approved = await _http.PostAsync($"api/imports/{id}/approve", null);
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
        return id;
    }

    public Task<JsonNode> ImportAsync(int importId) => GetAsync($"api/imports/{importId}");

    /// <summary>Asks until the import satisfies the condition; fails when <paramref name="within"/> has passed.</summary>
    public Task<JsonNode> WaitForImportAsync(int importId, Func<JsonNode, bool> condition, TimeSpan within, string what) =>
        ImportWaiting.WaitForImportAsync($"{importId} ({what})", () => ImportAsync(importId), condition, within, Describe, PollInterval);

    public static string Describe(JsonNode import) =>
        $"status {import["status"]}, progress {import["progress"]?.ToJsonString()}, attempt {import["attempt"]}, " +
        $"counts {import["counts"]?.ToJsonString()}, failure {import["failureMessage"]}";

    public void Dispose() => _http.Dispose();
}
