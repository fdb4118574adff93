using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Api;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) lists the status codes each operation really answers: every
/// operation is called as a script would get it wrong (no token, a role below the minimum, an id that does not exist,
/// a body of another type, a query parameter that is not valid) and each answer must be one its operation documents.
/// </summary>
public sealed class OpenApiResponsesTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private const string Missing = "987654";

    private sealed record Operation(string Method, string Path, JsonObject Node)
    {
        public IReadOnlyCollection<string> Responses =>
            [.. (Node["responses"]?.AsObject() ?? []).Select(r => r.Key)];

        public bool HasBody => Node["requestBody"] is not null;

        public IReadOnlyList<string> QueryParameters =>
            [.. (Node["parameters"]?.AsArray() ?? []).Where(p => p?["in"]?.GetValue<string>() == "query")
                .Select(p => p?["name"]?.GetValue<string>() ?? "")];

        public override string ToString() => $"{Method} {Path}";
    }

    private async Task<List<Operation>> OperationsAsync()
    {
        var document = JsonNode.Parse(await factory.CreateBrowser().GetStringAsync("/openapi/v1.json"))
                       ?? throw new InvalidOperationException("No OpenAPI document");
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
        {
            foreach (var (method, operation) in item?.AsObject() ?? [])
            {
                if (operation is JsonObject node && method is "get" or "post" or "put" or "delete" or "patch")
                {
                    operations.Add(new Operation(method.ToUpperInvariant(), path, node));
                }
            }
        }

        Assert.NotEmpty(operations);
        return operations;
    }

    /// <summary>The ids of real things in W11, by the segment before <c>{id}</c>; an import the manager uploads.</summary>
    private async Task<Dictionary<string, string>> RealIdsAsync()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var laptops = await manager.InventoryIdAsync(rolloutId, "Laptops");
        var upload = await manager.UploadAsync(rolloutId, laptops, "openapi.csv",
            $"Name,Status,Department,Serial number\nOPENAPI-{Guid.NewGuid():N},New,IT,SN-OPENAPI\n");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var importId = (await ApiTestClient.ReadAsync(upload))["id"]!.GetValue<int>();
        var clients = await manager.GetJsonAsync($"/api/inventories/{laptops}/clients?pageSize=1");
        var clientId = clients["items"]![0]!["id"]!.GetValue<int>();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var userId = await db.Users.Where(u => u.Email == "technician@demo.test").Select(u => u.Id).SingleAsync();
        var fieldId = await db.CustomFields.OrderBy(f => f.Id).Select(f => f.Id).FirstAsync();
        var workflowId = await db.Workflows.OrderBy(w => w.Id).Select(w => w.Id).FirstAsync();
        var linkTypeId = await db.ClientLinkTypes.OrderBy(t => t.Id).Select(t => t.Id).FirstOrDefaultAsync();
        return new Dictionary<string, string>
        {
            ["rollouts"] = Id(rolloutId),
            ["inventories"] = Id(laptops),
            ["imports"] = Id(importId),
            ["clients"] = Id(clientId),
            ["users"] = Id(userId),
            ["custom-fields"] = Id(fieldId),
            ["workflows"] = Id(workflowId),
            ["links"] = "1",
            ["link-types"] = Id(linkTypeId),
        };
    }

    /// <summary><c>POST /api/auth/logout</c> and <c>…/logout-everywhere</c>: the caller's own sign-out, open to every role.</summary>
    private static bool IsOwnSignOut(Operation operation) => operation.Path.StartsWith("/api/auth/logout", StringComparison.Ordinal);

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Address(string path, IReadOnlyDictionary<string, string>? ids)
    {
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].StartsWith('{'))
            {
                segments[i] = ids is null ? Missing : ids[segments[i - 1]];
            }
        }

        return string.Join('/', segments);
    }

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, Operation operation, string address, string bodyType = "application/json")
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), address);
        if (operation.HasBody || operation.Method == "POST")
        {
            request.Content = new StringContent(bodyType == "application/json" ? "{}" : "some text", Encoding.UTF8,
                new MediaTypeHeaderValue(bodyType));
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task EveryAnswerOfEveryOperation_IsOneItsOperationDocuments()
    {
        var operations = await OperationsAsync();
        var ids = await RealIdsAsync();
        var anonymous = factory.CreateBrowser();
        var clientUser = await ApiTestClient.LoginAsync(factory, "clientuser@demo.test");
        var keyAccountManager = await ApiTestClient.LoginAsync(factory, "kam@demo.test");
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var undocumented = new List<string>();

        async Task ExpectDocumentedAsync(Operation operation, string who, Task<HttpStatusCode> call)
        {
            var status = (int)await call;
            if (!operation.Responses.Contains(status.ToString(CultureInfo.InvariantCulture)))
            {
                undocumented.Add($"{operation} ({who}) answered {status}, documents {string.Join(", ", operation.Responses)}");
            }
        }

        // Signing one's own token out ends it (decision 0180): those calls come last, so that every other operation is
        // answered to a token that still works.
        foreach (var operation in operations.OrderBy(o => IsOwnSignOut(o) ? 1 : 0))
        {
            var real = Address(operation.Path, ids);
            await ExpectDocumentedAsync(operation, "no token", CallAsync(anonymous, operation, real));
            await ExpectDocumentedAsync(operation, "client user", CallAsync(clientUser, operation, real));
            await ExpectDocumentedAsync(operation, "key account manager", CallAsync(keyAccountManager, operation, real));
            if (operation.Path.Contains('{', StringComparison.Ordinal))
            {
                await ExpectDocumentedAsync(operation, "missing id", CallAsync(manager, operation, Address(operation.Path, null)));
            }

            if (operation.HasBody || operation.Path.EndsWith("/imports", StringComparison.Ordinal))
            {
                await ExpectDocumentedAsync(operation, "text body", CallAsync(manager, operation, real, "text/plain"));
            }

            foreach (var parameter in operation.QueryParameters)
            {
                await ExpectDocumentedAsync(operation, $"{parameter}=x", CallAsync(manager, operation, $"{real}?{parameter}=2147483648x"));
            }
        }

        Assert.True(undocumented.Count == 0, string.Join(Environment.NewLine, undocumented));
    }

    /// <summary>
    /// Mutation testing (docs/development.md): the answer of every operation that changes something to a role below
    /// rollout manager, in a rollout the user is a member of. The test above accepts any documented answer, so a write
    /// operation whose check were loosened to <see cref="Web.Infrastructure.Security.RolloutRequirement.ImportReader"/>
    /// (or whose check were left out) passed it: a key account manager, read-only on imports, could then approve,
    /// correct, revert or discard one. Only the dry run (<c>POST /api/imports/{id}/check</c>) is theirs.
    /// </summary>
    [Fact]
    public async Task EveryOperationThatChangesSomething_RefusesAKeyAccountManagerAndATechnician_With403()
    {
        var operations = await OperationsAsync();
        var ids = await RealIdsAsync();
        var keyAccountManager = await ApiTestClient.LoginAsync(factory, "kam@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var allowed = new List<string>();

        // Every role signs its own token out (decision 0180); a 204 there is no loosened check.
        var writes = operations.Where(o => o.Method != "GET" && o.Path != "/api/auth/login" && !IsOwnSignOut(o)).ToList();
        Assert.Contains(writes, o => o is { Method: "POST", Path: "/api/imports/{id}/approve" });
        // A body the operation takes, where an empty one is refused before the rights are asked (415, 400): an upload, a mapping.
        async Task<HttpStatusCode> SendAsync(HttpClient client, Operation operation, string real)
        {
            if (operation is { Method: "POST", Path: "/api/rollouts/{id}/imports" })
            {
                using var upload = await client.UploadAsync(int.Parse(ids["rollouts"], CultureInfo.InvariantCulture),
                    int.Parse(ids["inventories"], CultureInfo.InvariantCulture), "refused.csv", "Name\nREFUSED-1\n");
                return upload.StatusCode;
            }

            if (operation is { Method: "PUT", Path: "/api/imports/{id}/mapping" })
            {
                using var body = new StringContent("""{"updateExisting":false,"columns":[{"letter":"A","target":"Name"}]}""",
                    Encoding.UTF8, "application/json");
                using var mapped = await client.PutAsync(real, body);
                return mapped.StatusCode;
            }

            return await CallAsync(client, operation, real);
        }

        foreach (var operation in writes)
        {
            var real = Address(operation.Path, ids);
            var kamMay = operation is { Method: "POST", Path: "/api/imports/{id}/check" };
            var kam = await SendAsync(keyAccountManager, operation, real);
            if (kam != HttpStatusCode.Forbidden && !kamMay)
            {
                allowed.Add($"{operation} (key account manager) answered {(int)kam}");
            }

            var tech = await SendAsync(technician, operation, real);
            if (tech != HttpStatusCode.Forbidden)
            {
                allowed.Add($"{operation} (technician) answered {(int)tech}");
            }
        }

        Assert.True(allowed.Count == 0, string.Join(Environment.NewLine, allowed));
        Assert.Equal("WaitingForApproval", (await keyAccountManager.GetJsonAsync($"/api/imports/{ids["imports"]}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task EveryOperation_Documents503_AndEveryWritingOne507_AsProblemDetails_SayingWhatTheyMean()
    {
        // QA: 503 (the database busy or unavailable) and 507 (a full disk) were described once in docs/api.md, in no
        // operation: a client generated from the document had no type for them (decision 0127).
        var operations = await OperationsAsync();

        foreach (var operation in operations)
        {
            var writes = operation.Method != "GET" || operation.Responses.Contains("410");
            foreach (var status in writes ? new[] { "503", "507" } : ["503"])
            {
                var response = operation.Node["responses"]?[status];
                Assert.True(response is not null, $"{operation} does not list {status}");
                Assert.NotNull(response["content"]?["application/problem+json"]?["schema"]);
                Assert.Equal(status == "503" ? OpenApiContract.DatabaseUnavailableDescription : OpenApiContract.DiskFullDescription,
                    response["description"]?.GetValue<string>());
            }

            Assert.Equal("integer", operation.Node["responses"]?["503"]?["headers"]?["Retry-After"]?["schema"]?["type"]?.GetValue<string>());
            Assert.Equal(writes, operation.Responses.Contains("507"));
        }

        Assert.Contains(operations, o => o is { Method: "GET", Path: "/api/rollouts" } && !o.Responses.Contains("507"));
        Assert.Contains(operations, o => o is { Method: "GET", Path: "/api/imports/{id}/error-report" } && o.Responses.Contains("507"));
    }

    [Fact]
    public async Task EveryOperationButSignIn_Documents401_AndTheUploadDocumentsItsLimits()
    {
        var operations = await OperationsAsync();

        Assert.All(operations.Where(o => o.Path != "/api/auth/login"), o => Assert.Contains("401", o.Responses));
        var upload = operations.Single(o => o is { Method: "POST", Path: "/api/rollouts/{id}/imports" });
        Assert.Superset(new HashSet<string> { "201", "400", "401", "403", "404", "413", "415" }, upload.Responses.ToHashSet());
        var login = operations.Single(o => o.Path == "/api/auth/login");
        Assert.Superset(new HashSet<string> { "200", "400", "401", "415", "429" }, login.Responses.ToHashSet());
        foreach (var step in new[] { "check", "approve", "revert", "mapping", "parse-options", "corrections" })
        {
            Assert.All(operations.Where(o => o.Path == $"/api/imports/{{id}}/{step}" && o.Method != "GET"),
                o => Assert.Contains("409", o.Responses));
        }
    }
}
