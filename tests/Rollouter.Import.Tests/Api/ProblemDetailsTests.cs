using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// Every error of the API is RFC 9457 problem details (application/problem+json, the message in <c>detail</c>) that
/// keeps the message in <c>error</c> for the scripts written before: the API's own refusals and ASP.NET Core's alike.
/// </summary>
public sealed class ProblemDetailsTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body) ?? throw new InvalidOperationException("No body");
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        var detail = problem["detail"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Equal(detail, problem["error"]!.GetValue<string>());
        Assert.StartsWith("https://tools.ietf.org/html/rfc", problem["type"]?.GetValue<string>());
        return problem;
    }

    [Fact]
    public async Task ARefusal_IsProblemDetails_WithTheMessageInDetailAndInError()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var problem = await ProblemAsync(await client.GetAsync("/api/imports/987654"), HttpStatusCode.NotFound);

        Assert.Equal("Import 987654 does not exist.", problem["detail"]!.GetValue<string>());
        Assert.Equal("Not Found", problem["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnUnknownApiAddress_WithAValidToken_IsNotFound_NotTheSignInPage()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        await ProblemAsync(await client.GetAsync("/api/no-such-thing"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync("/api/imports/1/no-such-step"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnUnknownApiAddress_WithoutAToken_IsUnauthorized_NotARedirect()
    {
        var problem = await ProblemAsync(await factory.CreateBrowser().GetAsync("/api/no-such-thing"), HttpStatusCode.Unauthorized);

        Assert.Contains("/api/auth/login", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task AMethodTheAddressDoesNotTake_IsMethodNotAllowed()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        await ProblemAsync(await client.DeleteAsync("/api/rollouts"), HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task AnUnhandledException_IsProblemDetails_WithoutItsInternals()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var response = await client.GetAsync("/api/test/throw");

        await ProblemAsync(response, HttpStatusCode.InternalServerError);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Secret internal detail", body);
        Assert.DoesNotContain("InvalidOperationException", body);
    }

    [Fact]
    public async Task ABodyThatIsNotJson_IsABadRequest_NamingWhatIsWrong()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        using var content = new StringContent("{ not json", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

        var problem = await ProblemAsync(await client.PostAsync($"/api/rollouts/{rolloutId}/inventories", content),
            HttpStatusCode.BadRequest);

        Assert.StartsWith("The request body is not valid", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABodyThatIsNotJson_SaysWhereItBreaksOff()
    {
        // API pass: the reader's "LineNumber: 2 | BytePositionInLine: 2" was cut off with its path, leaving a script's
        // author to hunt for the broken line.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        using var content = new StringContent("{\n  \"name\": \"Desks\",\n  oops\n}", Encoding.UTF8,
            new MediaTypeHeaderValue("application/json"));

        var problem = await ProblemAsync(await client.PostAsync($"/api/rollouts/{rolloutId}/inventories", content),
            HttpStatusCode.BadRequest);

        var detail = problem["detail"]!.GetValue<string>();
        Assert.StartsWith("The request body is not valid", detail, StringComparison.Ordinal);
        Assert.Contains("(line 3, byte 3)", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUploadThatIsNotASpreadsheet_IsUnsupportedMediaType()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        var response = await client.UploadAsync(rolloutId, laptops, "clients.xlsx", "%PDF-1.7 not a workbook"u8.ToArray());

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("GET", "/api/imports/1/check", "POST")]
    [InlineData("GET", "/api/auth/login", "POST")]
    [InlineData("HEAD", "/api/imports/1/check", "POST")]
    public async Task AGetOrHeadOnAnAddressThatTakesOnlyOtherMethods_IsMethodNotAllowed_SayingWhichItTakes(string method, string path, string allowed)
    {
        // The static assets' fallback made routing answer these "There is nothing at this address".
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allowed.Split(", ").Order(), response.Content.Headers.Allow.Order());
        if (method == "GET")
        {
            var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
            Assert.Equal("This address does not take this method.", problem["detail"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("PUT", "/api/imports/1/check", "POST")]
    [InlineData("DELETE", "/api/imports/1/approve", "POST")]
    [InlineData("PATCH", "/api/auth/login", "POST")]
    [InlineData("PUT", "/api/clients/1/links", "POST")]
    [InlineData("DELETE", "/api/rollouts/1/imports", "GET, HEAD, POST")]
    [InlineData("PUT", "/api/rollouts", "GET, HEAD, POST")]
    [InlineData("PUT", "/api/rollouts/1/inventories", "GET, HEAD, POST")]
    [InlineData("DELETE", "/api/imports/1/errors", "GET, HEAD")]
    [InlineData("PATCH", "/api/inventories/1/clients", "GET, HEAD")]
    [InlineData("PATCH", "/api/imports/1", "GET, HEAD, DELETE")]
    [InlineData("DELETE", "/api/custom-fields", "GET, HEAD, POST")]
    [InlineData("PATCH", "/api/users/1", "GET, HEAD, PUT")]
    public async Task AnyMethodAnAddressDoesNotTake_IsMethodNotAllowed_AllowingExactlyItsMethods_AsProblemDetails(
        string method, string path, string allowed)
    {
        // Routing's own 405 allowed GET and HEAD besides: the static assets' fallback endpoint takes them on every path.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        using var body = new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = body });

        var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("This address does not take this method.", problem["detail"]!.GetValue<string>());
        Assert.Equal(allowed.Split(", ").Order(), response.Content.Headers.Allow.Order());
    }

    [Theory]
    [InlineData("/api/rollouts")]
    [InlineData("/api/custom-fields")]
    public async Task AHeadOnAnAddressThatTakesGet_IsAnsweredAsItsGet(string path)
    {
        // RFC 9110, 9.3.2: a server that takes GET takes HEAD. It was 405 (the API's actions take GET only).
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var get = await client.GetAsync(path);

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AHeadWithoutAToken_IsUnauthorized_AsItsGet()
    {
        var anonymous = factory.CreateBrowser();

        var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/rollouts"));

        Assert.Equal(HttpStatusCode.Unauthorized, head.StatusCode);
    }

    [Fact]
    public async Task AGetOfAnAddressThatDoesNotExist_IsStillNotFound()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        await ProblemAsync(await client.GetAsync("/api/imports/abc/check"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync("/api/imports/1/check/more"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABodyOfAnotherType_IsUnsupportedMediaType_AsProblemDetails_SayingWhatThisCallTakes()
    {
        // QA: every call said the same "send JSON …, or a file upload as multipart/form-data", whichever it was.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        using var text = new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("text/plain"));
        using var json = new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var form = new MultipartFormDataContent { { new StringContent("x"), "name" } };

        var problem = await ProblemAsync(await client.PostAsync($"/api/rollouts/{rolloutId}/inventories", text),
            HttpStatusCode.UnsupportedMediaType);
        var multipart = await ProblemAsync(await client.PostAsync($"/api/rollouts/{rolloutId}/inventories", form),
            HttpStatusCode.UnsupportedMediaType);
        var upload = await ProblemAsync(await client.PostAsync($"/api/rollouts/{rolloutId}/imports", json),
            HttpStatusCode.UnsupportedMediaType);

        Assert.All(new[] { problem, multipart }, p => Assert.Equal(
            "This call takes a JSON body (Content-Type: application/json).", p["detail"]!.GetValue<string>()));
        Assert.Equal("This call takes multipart/form-data, with the file in the field `file` and the inventory's id in " +
                     "the field `inventoryId`.", upload["detail"]!.GetValue<string>());
    }

    [Fact]
    public void TheOnlyCallThatSaysWhichBodyItTakes_IsTheUpload_AndItTakesMultipart()
    {
        // Routing answers 415 for a call's [Consumes] without naming the call, and the answer says what the upload takes
        // (ProblemMapping.MultipartBodyOnly): a second call with [Consumes] would need its own sentence.
        var actions = factory.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items;
        var consuming = actions.Where(a => a.EndpointMetadata.OfType<Microsoft.AspNetCore.Mvc.ConsumesAttribute>().Any()).ToList();

        var upload = Assert.Single(consuming);
        Assert.Equal("api/rollouts/{id:int}/imports", upload.AttributeRouteInfo?.Template);
        Assert.Equal(["multipart/form-data"],
            upload.EndpointMetadata.OfType<Microsoft.AspNetCore.Mvc.ConsumesAttribute>().SelectMany(c => c.ContentTypes));
    }

    [Fact]
    public async Task AQueryParameterThatIsNotValid_IsNamedAsOne_NotAsTheBody()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        var problem = await ProblemAsync(await client.GetAsync($"/api/inventories/{laptops}/clients?pageSize=2147483648"),
            HttpStatusCode.BadRequest);

        Assert.StartsWith("The query parameter pageSize is not valid: ", problem["detail"]!.GetValue<string>());
        Assert.DoesNotContain("body", problem["detail"]!.GetValue<string>());
    }
}
