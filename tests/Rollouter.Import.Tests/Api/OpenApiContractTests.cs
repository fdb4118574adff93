using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) as a contract a client is generated from (decision 0118). QA: every
/// enum was declared an integer (<c>"ImportStatus": {"type": "integer"}</c>) while the API sends its name
/// (<c>"status": "Completed"</c>), so a generated client failed on the first import it read; the downloads were declared
/// as a JSON object (ASP.NET's <c>FileStreamResult</c>, with <c>fileStream</c> and <c>entityTag</c>) and also as
/// <c>application/json</c>; and the 410 that approve, check, the mapping, the file settings and the corrections answer
/// for an import whose file is gone was listed on none of them.
/// </summary>
public sealed class OpenApiContractTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private async Task<JsonObject> DocumentAsync() =>
        JsonNode.Parse(await factory.CreateBrowser().GetStringAsync("/openapi/v1.json"))?.AsObject()
        ?? throw new InvalidOperationException("No OpenAPI document");

    private static JsonObject Resolve(JsonObject document, JsonNode? schema)
    {
        var node = schema?.AsObject() ?? throw new InvalidOperationException("No schema");
        while (node["$ref"]?.GetValue<string>() is { } reference)
        {
            node = document["components"]?["schemas"]?[reference.Split('/')[^1]]?.AsObject()
                   ?? throw new InvalidOperationException($"No schema {reference}");
        }

        return node;
    }

    private static HashSet<string> Types(JsonObject document, JsonObject schema)
    {
        if ((schema["oneOf"] ?? schema["anyOf"])?.AsArray() is { } alternatives)
        {
            return [.. alternatives.SelectMany(a => Types(document, Resolve(document, a)))];
        }

        return schema["type"] switch
        {
            JsonArray many => [.. many.Select(t => t?.GetValue<string>() ?? "")],
            JsonValue one => [one.GetValue<string>()],
            _ when schema["enum"] is JsonArray values => [.. values.Select(v => v is null ? "null" : "string")],
            _ => ["any"],
        };
    }

    private static string KindOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
        JsonValue v when v.TryGetValue<string>(out _) => "string",
        JsonValue v when v.TryGetValue<long>(out _) => "integer",
        _ => "number",
    };

    /// <summary>Where <paramref name="value"/> is not what <paramref name="schema"/> declares: type, enum, members.</summary>
    private static void Compare(JsonObject document, JsonNode? value, JsonNode? schemaNode, string path, List<string> differences)
    {
        var schema = Resolve(document, schemaNode);
        var types = Types(document, schema);
        var kind = KindOf(value);
        if (types.Contains("any"))
        {
            return;
        }

        if (!types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            differences.Add($"{path} is {kind} ({value?.ToJsonString()}), the document says {string.Join(" or ", types.Order())}");
            return;
        }

        if ((schema["oneOf"] ?? schema["anyOf"])?.AsArray() is { } alternatives)
        {
            if (value is not null && alternatives.Select(a => Resolve(document, a)).FirstOrDefault(a => Types(document, a).Contains(kind)) is { } chosen)
            {
                Compare(document, value, chosen, path, differences);
            }

            return;
        }

        if (schema["enum"] is JsonArray allowed && value is JsonValue
            && !allowed.Any(a => a is not null && a.GetValue<string>() == value.GetValue<string>()))
        {
            differences.Add($"{path} is {value.ToJsonString()}, not one of {allowed.ToJsonString()}");
        }

        if (value is JsonObject obj && schema["properties"] is JsonObject properties)
        {
            foreach (var (name, member) in obj)
            {
                if (properties[name] is { } declared)
                {
                    Compare(document, member, declared, $"{path}.{name}", differences);
                }
                else
                {
                    differences.Add($"{path}.{name} is not in the document");
                }
            }
        }
        else if (value is JsonObject map && schema["additionalProperties"] is JsonObject each)
        {
            foreach (var (name, member) in map)
            {
                Compare(document, member, each, $"{path}.{name}", differences);
            }
        }
        else if (value is JsonArray items && schema["items"] is { } itemSchema)
        {
            foreach (var item in items.Take(20))
            {
                Compare(document, item, itemSchema, $"{path}[]", differences);
            }
        }
    }

    private static JsonNode? SchemaOf(JsonObject document, string path, string method, int status) =>
        document["paths"]?[path]?[method]?["responses"]?[status.ToString(CultureInfo.InvariantCulture)]?["content"]?["application/json"]?["schema"];

    [Fact]
    public async Task TheAnswersOfAScriptedImport_AreWhatTheDocumentDeclares_EnumsAsTheirNames()
    {
        var document = await DocumentAsync();
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var laptops = await manager.InventoryIdAsync(rolloutId, "Laptops");
        var name = $"CONTRACT-{Guid.NewGuid():N}"[..20];
        var upload = await manager.UploadAsync(rolloutId, laptops, "contract.csv", $"Name,Status,Department\n{name},Nope,IT\n");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var id = (await ApiTestClient.ReadAsync(upload)).Id();
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await manager.WaitForResultAsync(id)).Status());

        var differences = new List<string>();
        var calls = new (HttpClient Client, string Path, string Address)[]
        {
            (manager, "/api/imports/{id}", $"/api/imports/{id}"),
            (manager, "/api/rollouts/{id}/imports", $"/api/rollouts/{rolloutId}/imports"),
            (manager, "/api/imports/{id}/errors", $"/api/imports/{id}/errors"),
            (manager, "/api/inventories/{id}", $"/api/inventories/{laptops}"),
            (manager, "/api/inventories/{id}/clients", $"/api/inventories/{laptops}/clients?pageSize=100"),
            (manager, "/api/custom-fields", "/api/custom-fields"),
            (admin, "/api/users", "/api/users"),
        };
        foreach (var (client, path, address) in calls)
        {
            Compare(document, await client.GetJsonAsync(address), SchemaOf(document, path, "get", 200), path, differences);
        }

        var check = await manager.PostAsync($"/api/imports/{id}/check", null);
        Compare(document, await ApiTestClient.ReadAsync(check), SchemaOf(document, "/api/imports/{id}/check", "post", 200),
            "/api/imports/{id}/check", differences);

        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences.Distinct()));
        var statuses = Resolve(document, document["components"]?["schemas"]?["ImportStatus"])["enum"]?.AsArray()
            .Select(s => s?.GetValue<string>());
        Assert.Equal(["Incomplete", "WaitingForApproval", "InProgress", "Failed", "Completed", "Reverted"], statuses);
    }

    [Theory]
    [InlineData("/api/rollouts/{id}/imports")]
    [InlineData("/api/imports/{id}/approve")]
    [InlineData("/api/imports/{id}/revert")]
    public async Task TheCallsThatTakeAnIdempotencyKey_DeclareItsHeader(string path)
    {
        // The approval takes the upload's Idempotency-Key since 2026-12-07 (decision 0122): a generated client sends it.
        var document = await DocumentAsync();

        var parameters = document["paths"]?[path]?["post"]?["parameters"]?.AsArray() ?? [];

        Assert.Contains(parameters, p => p?["in"]?.GetValue<string>() == "header" && p["name"]?.GetValue<string>() == "Idempotency-Key");
    }

    [Theory]
    [InlineData("/api/users", "post")]
    [InlineData("/api/users/{id}", "put")]
    public async Task AUsersRolloutIds_DeclareTheirBound(string path, string method)
    {
        // More than 1,000 ids, counted as sent, is a 400 (field rolloutIds): the document says so, as maxItems and in words,
        // so a client generated from it knows the limit before the server refuses (decisions 0143 and 0160).
        var document = await DocumentAsync();

        var body = Resolve(document, document["paths"]?[path]?[method]?["requestBody"]?["content"]?["application/json"]?["schema"]);
        var rolloutIds = Resolve(document, body["properties"]?["rolloutIds"]);

        Assert.Equal(1_000, rolloutIds["maxItems"]?.GetValue<int>());
        Assert.Contains("more than 1,000 ids, counted as sent, is 400", rolloutIds["description"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/rollouts")]
    [InlineData("/api/users")]
    public async Task TheListsPagedByTheLinkHeader_DeclareItAndTheirAfter(string path)
    {
        // GET /api/users pages as GET /api/rollouts since 2026-12-07 (decision 0159): a generated client reads the header.
        var document = await DocumentAsync();

        var operation = document["paths"]?[path]?["get"];
        var parameters = operation?["parameters"]?.AsArray() ?? [];

        Assert.NotNull(operation?["responses"]?["200"]?["headers"]?["Link"]);
        Assert.NotNull(operation?["responses"]?["400"]);
        Assert.Contains(parameters, p => p?["name"]?.GetValue<string>() == "after");
        Assert.Contains(parameters, p => p?["name"]?.GetValue<string>() == "pageSize");
    }

    [Fact]
    public async Task AnInventorysCustomFieldIds_DeclareTheirBound()
    {
        // More than 500 custom fields, or one twice, is a 400 (field customFieldIds); the document said only "an array of
        // integers" (decision 0161).
        var document = await DocumentAsync();

        var fields = Resolve(document, document["components"]?["schemas"]?["CreateInventoryRequest"]?["properties"]?["customFieldIds"]);

        Assert.Equal(500, fields["maxItems"]?.GetValue<int>());
        Assert.True(fields["uniqueItems"]?.GetValue<bool>());
        Assert.Contains("more than 500 is 400", fields["description"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDownloads_AreDeclaredAsTheirFilesTypes_BinaryAndNotJson()
    {
        var document = await DocumentAsync();
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var laptops = await manager.InventoryIdAsync(rolloutId, "Laptops");
        var upload = await manager.UploadAsync(rolloutId, laptops, "download.csv", $"Name,Status\nDL-{Guid.NewGuid():N},Nope\n");
        var id = (await ApiTestClient.ReadAsync(upload)).Id();
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await manager.WaitForResultAsync(id)).Status());

        foreach (var (path, address) in new[]
                 {
                     ("/api/imports/{id}/file", $"/api/imports/{id}/file"),
                     ("/api/imports/{id}/error-report", $"/api/imports/{id}/error-report"),
                     ("/api/inventories/{id}/export", $"/api/inventories/{laptops}/export"),
                 })
        {
            var content = document["paths"]?[path]?["get"]?["responses"]?["200"]?["content"]?.AsObject();
            Assert.NotNull(content);
            Assert.DoesNotContain("application/json", content.Select(c => c.Key));
            Assert.All(content, c =>
            {
                var schema = Resolve(document, c.Value?["schema"]);
                Assert.Equal(("string", "binary"), (schema["type"]?.GetValue<string>(), schema["format"]?.GetValue<string>()));
            });

            using var answer = await manager.GetAsync(address);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains(answer.Content.Headers.ContentType?.MediaType, content.Select(c => c.Key));
        }
    }

    [Fact]
    public async Task AnImportWhoseFileIsGone_EveryAnswerOfItsCalls_IsOneTheDocumentLists()
    {
        var document = await DocumentAsync();
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var laptops = await manager.InventoryIdAsync(rolloutId, "Laptops");
        var upload = await manager.UploadAsync(rolloutId, laptops, "gone.csv", $"Name,Status\nGONE-{Guid.NewGuid():N},New\n");
        var id = (await ApiTestClient.ReadAsync(upload)).Id();
        await factory.WithDbAsync(db => db.ImportFileChunks.Where(c => c.ImportId == id).ExecuteDeleteAsync());
        foreach (var copy in Directory.GetFiles(Path.Combine(factory.DataFolder, "import-cache"), $"import-{id}-*"))
        {
            File.Delete(copy);
        }

        var calls = new (string Method, string Path, string Query, string? Body)[]
        {
            ("post", "/api/imports/{id}/check", "", null),
            ("put", "/api/imports/{id}/parse-options", "", """{"headerRow": 1, "delimiter": ";"}"""),
            ("put", "/api/imports/{id}/corrections", "", """{"cells": [{"row": 2, "column": "A", "value": "X"}], "replacements": []}"""),
            ("get", "/api/imports/{id}/corrections/preview", "?column=A&from=x", null),
            ("put", "/api/imports/{id}/mapping", "", """{"updateExisting": false, "columns": [{"letter": "A", "target": "Name"}]}"""),
            ("post", "/api/imports/{id}/apply-report", "", null),
            ("post", "/api/imports/{id}/approve", "", null),
            ("get", "/api/imports/{id}/file", "", null),
        };
        var undocumented = new List<string>();
        var answered = new Dictionary<string, int>();
        foreach (var (method, path, query, body) in calls)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path.Replace("{id}", id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) + query);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            }

            using var response = await manager.SendAsync(request);
            var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            answered[path] = (int)response.StatusCode;
            var listed = document["paths"]?[path]?[method]?["responses"]?.AsObject().Select(r => r.Key).ToList() ?? [];
            if (!listed.Contains(status))
            {
                undocumented.Add($"{method.ToUpperInvariant()} {path} answered {status}, documents {string.Join(", ", listed)}");
            }
        }

        Assert.True(undocumented.Count == 0, string.Join(Environment.NewLine, undocumented));
        Assert.Equal(410, answered["/api/imports/{id}/approve"]);
        Assert.Equal(410, answered["/api/imports/{id}/check"]);
    }
}
