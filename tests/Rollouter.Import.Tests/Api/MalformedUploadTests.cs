using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;
using Serilog.Events;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A multipart body that breaks off or cannot be a multipart body is the client's mistake: 400 "The upload is not a
/// valid multipart body." on both upload endpoints (problem details for the API, the form's error for the page), no
/// import, no file left behind; a client that goes away mid-upload is no error of the server either.
/// </summary>
public sealed class MalformedUploadTests(LogCapturingWebFactory factory) : IClassFixture<LogCapturingWebFactory>
{
    private const string Message = "The upload is not a valid multipart body.";

    /// <summary>A body whose last part never ends: no closing boundary.</summary>
    private static string CutOff(int inventoryId) =>
        $"--XX\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n{inventoryId}";

    /// <summary>A whole, well-formed body, under a boundary longer than the 70 characters RFC 2046 allows.</summary>
    private static readonly string LongBoundary = new('b', 71);

    private static string Complete(string boundary, int inventoryId, string? token = null) =>
        (token is null ? "" : $"--{boundary}\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n")
        + $"--{boundary}\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n{inventoryId}\r\n"
        + $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        + $"Name\r\nMAL-1\r\n--{boundary}--\r\n";

    private static ByteArrayContent Body(string body, string boundary)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        return content;
    }

    private async Task<(int Imports, int Files)> CountAsync() =>
        (await factory.WithDbAsync(db => db.Imports.CountAsync()),
            Directory.Exists(Path.Combine(factory.DataFolder, "uploads"))
                ? Directory.GetFiles(Path.Combine(factory.DataFolder, "uploads"), "*.upload").Length
                : 0);

    [Fact]
    public async Task Api_ACutOffBodyOrAnOverlongBoundary_IsABadRequest()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var before = await CountAsync();

        foreach (var (body, boundary) in new[] { (CutOff(laptops), "XX"), (Complete(LongBoundary, laptops), LongBoundary) })
        {
            var response = await client.PostAsync($"/api/rollouts/{rolloutId}/imports", Body(body, boundary));

            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(Message, (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
        }

        Assert.Equal(before, await CountAsync());
        Assert.Equal(HttpStatusCode.Created,
            (await client.PostAsync($"/api/rollouts/{rolloutId}/imports", Body(Complete("ok", laptops), "ok"))).StatusCode);
    }

    [Fact]
    public async Task Api_AFileThatBreaksOff_IsABadRequest_AndLeavesNoFile()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var before = await CountAsync();
        var body = Complete("XX", laptops);
        body = body[..body.IndexOf("MAL-1", StringComparison.Ordinal)] + new string('x', 100_000);

        var response = await client.PostAsync($"/api/rollouts/{rolloutId}/imports", Body(body, "XX"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Message, (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Page_ACutOffBodyOrAnOverlongBoundary_ShowsTheMessageOnTheForm()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var laptops = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync());
        var before = await CountAsync();

        foreach (var (boundary, cutOff) in new[] { ("XX", true), (LongBoundary, false) })
        {
            var token = RolloutWebFactory.AntiforgeryToken(await client.GetStringAsync("/rollouts/W11/imports/new"));
            var body = cutOff
                ? $"--XX\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n" + CutOff(laptops)
                : Complete(boundary, laptops, token);

            var response = await client.PostAsync("/rollouts/W11/imports/new", Body(body, boundary));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var page = await response.ReadPageAsync();
            Assert.Equal(Message, page.TestId("upload-error").NormalizedText());
            Assert.Equal("multipart/form-data", page.TestId("upload-form").GetAttribute("enctype"));
        }

        Assert.Equal(before, await CountAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await ImportPagesTests.UploadAsync(client, laptops, "ok.csv", "Name\nMAL-2\n"u8.ToArray())).StatusCode);
    }

    /// <summary>Sends the inventory and the start of a file, then waits, as a client does before it goes away.</summary>
    private sealed class StalledContent(string boundary, int inventoryId, string? token, TaskCompletionSource sent) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var start = (token is null ? "" : $"--{boundary}\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n")
                        + $"--{boundary}\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n"
                        + inventoryId.ToString(CultureInfo.InvariantCulture)
                        + $"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\nName\r\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(start + new string('x', 200_000)), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            sent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Theory]
    [InlineData("/api/rollouts/{0}/imports", true)]
    [InlineData("/rollouts/W11/imports/new", false)]
    public async Task AClientThatGoesAwayMidUpload_IsNoErrorOfTheServer(string path, bool api)
    {
        var client = api ? await ApiTestClient.LoginAsync(factory, "manager@demo.test") : await factory.SignInAsync("manager@demo.test");
        var laptops = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync());
        var rolloutId = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var url = string.Format(CultureInfo.InvariantCulture, path, rolloutId);
        var sent = new TaskCompletionSource();
        using var gone = new CancellationTokenSource();
        // The page reads nothing after a missing token: it comes first, as the form sends it.
        var token = api ? null : RolloutWebFactory.AntiforgeryToken(await client.GetStringAsync("/rollouts/W11/imports/new"));
        using var content = new StalledContent("XX", laptops, token, sent);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=XX");
        var before = await CountAsync();

        var request = client.PostAsync(url, content, gone.Token);
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);

        // The request's completion line, once the server is done with it.
        LogEvent? completed = null;
        for (var waited = 0; completed is null && waited < 100; waited++)
        {
            completed = factory.Logs.Events.LastOrDefault(e => CapturedLogEvents.Value(e, "RequestPath") as string == url
                && CapturedLogEvents.Value(e, "RequestMethod") as string == "POST" && e.Properties.ContainsKey("StatusCode"));
            await Task.Delay(100);
        }

        Assert.NotNull(completed);
        var requestId = CapturedLogEvents.Value(completed, "RequestId");
        var errors = factory.Logs.Events.Where(e => e.Level >= LogEventLevel.Error && Equals(CapturedLogEvents.Value(e, "RequestId"), requestId))
            .Select(e => e.RenderMessage(CultureInfo.InvariantCulture) + " " + e.Exception?.GetType().Name).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.NotEqual(500, CapturedLogEvents.Value(completed, "StatusCode"));
        Assert.Equal(before, await CountAsync());
    }
}
