using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// A multipart body sent without a length (chunked), made to exhaust the server: a form field of many megabytes, a
/// body of many parts, two files. Each is refused with a 400 after reading little of it; nothing is kept.
/// </summary>
public sealed class HostileUploadTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private const string Boundary = "HOSTILE";

    /// <summary>Far more than any limit: what the server reads of it must stay far below.</summary>
    private const long HugeBytes = 64L * 1024 * 1024;

    private async Task<(int Rollout, int Laptops)> IdsAsync() =>
        (await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync()),
            await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync()));

    private static string Field(string name, string value) =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n";

    private static string FilePart(string fileName, string content) =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n";

    private static string FilePart(string name, string fileName, string content) =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n";

    private const string End = $"--{Boundary}--\r\n";

    [Fact]
    public async Task Api_AFieldOfManyMegabytes_IsRefusedWith400_AfterReadingLittleOfIt()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var (rollout, _) = await IdsAsync();
        using var content = new LazyContent(
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n", HugeBytes,
            "\r\n" + FilePart("a.csv", "Name\nHOS-1") + End);

        var response = await client.PostAsync($"/api/rollouts/{rollout}/imports", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The form field inventoryId is longer than 4 KB.", (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
        Assert.True(content.Sent < 4 * 1024 * 1024, $"{content.Sent} bytes were read");
    }

    [Fact]
    public async Task Page_AFieldOfManyMegabytes_IsRefusedOnTheForm_AfterReadingLittleOfIt()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var token = RolloutWebFactory.AntiforgeryToken(await client.GetStringAsync("/rollouts/W11/imports/new"));
        using var content = new LazyContent(
            Field("__RequestVerificationToken", token) + $"--{Boundary}\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n",
            HugeBytes, "\r\n" + End);

        var response = await client.PostAsync("/rollouts/W11/imports/new", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The form field inventoryId is longer than 4 KB.", (await response.ReadPageAsync()).TestId("upload-error").NormalizedText());
        Assert.True(content.Sent < 4 * 1024 * 1024, $"{content.Sent} bytes were read");
    }

    [Fact]
    public async Task Page_WithoutTheAntiforgeryTokenFirst_IsRefusedBeforeTheRestIsRead()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var token = RolloutWebFactory.AntiforgeryToken(await client.GetStringAsync("/rollouts/W11/imports/new"));
        var (_, laptops) = await IdsAsync();
        var before = await factory.WithDbAsync(db => db.Imports.CountAsync());

        // A field before the token: refused unread, however long.
        using var first = new LazyContent($"--{Boundary}\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\n", HugeBytes, "\r\n" + End);
        var response = await client.PostAsync("/rollouts/W11/imports/new", first);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(first.Sent < 4 * 1024 * 1024, $"{first.Sent} bytes were read");

        // A wrong token first: the file after it is not read.
        using var wrong = new LazyContent(Field("__RequestVerificationToken", "not-the-token")
            + Field("inventoryId", laptops.ToString(CultureInfo.InvariantCulture))
            + $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nName\n", HugeBytes, "\r\n" + End);
        response = await client.PostAsync("/rollouts/W11/imports/new", wrong);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(wrong.Sent < 4 * 1024 * 1024, $"{wrong.Sent} bytes were read");

        // The token as a header (a script's way) is checked before the body: the field may then come anywhere.
        using var headed = new LazyContent(Field("inventoryId", laptops.ToString(CultureInfo.InvariantCulture))
            + FilePart("h.csv", "Name\nHOS-HEAD"), 0, End);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/rollouts/W11/imports/new") { Content = headed };
        request.Headers.Add("RequestVerificationToken", token);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(before + 1, await factory.WithDbAsync(db => db.Imports.CountAsync()));
    }

    [Fact]
    public async Task Api_ManyPartsOrASecondFile_AreRefusedWith400()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var (rollout, laptops) = await IdsAsync();
        var before = await factory.WithDbAsync(db => db.Imports.CountAsync());
        var inventory = Field("inventoryId", laptops.ToString(CultureInfo.InvariantCulture));

        using var many = new LazyContent(inventory + string.Concat(Enumerable.Repeat(Field("x", "1"), 100_000)), 0, End);
        var response = await client.PostAsync($"/api/rollouts/{rollout}/imports", many);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The upload has more than 16 parts; send the inventory and one file.",
            (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());

        using var two = new LazyContent(inventory + FilePart("a.csv", "Name\nHOS-A") + FilePart("b.csv", "Name\nHOS-B"), 0, End);
        response = await client.PostAsync($"/api/rollouts/{rollout}/imports", two);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The upload holds more than one file; send one file per import.",
            (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());

        Assert.Equal(before, await factory.WithDbAsync(db => db.Imports.CountAsync()));
        var uploads = Path.Combine(factory.DataFolder, "uploads");
        Assert.Empty(Directory.Exists(uploads) ? Directory.GetFiles(uploads, "*.upload") : []);
    }

    /// <summary>
    /// <c>curl -F inventoryId=1 -F file=@a.csv -F other=@b.csv</c> imported a.csv and said nothing of b.csv: a file in a
    /// part of another name is refused (400) wherever it comes, and nothing is kept.
    /// </summary>
    [Fact]
    public async Task Api_AFileInAPartNotNamedFile_IsRefusedWith400_BeforeOrAfterTheFile()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var (rollout, laptops) = await IdsAsync();
        var before = await factory.WithDbAsync(db => db.Imports.CountAsync());
        var inventory = Field("inventoryId", laptops.ToString(CultureInfo.InvariantCulture));

        foreach (var body in new[]
                 {
                     inventory + FilePart("a.csv", "Name\nHOS-OTHER-A") + FilePart("other", "b.csv", "Name\nHOS-OTHER-B"),
                     inventory + FilePart("other", "b.csv", "Name\nHOS-OTHER-B") + FilePart("a.csv", "Name\nHOS-OTHER-A"),
                     inventory + FilePart("other", "b.csv", "Name\nHOS-OTHER-B"),
                 })
        {
            using var content = new LazyContent(body, 0, End);
            var response = await client.PostAsync($"/api/rollouts/{rollout}/imports", content);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("The upload holds a file in a part not named \"file\"; send one file per import, in the part named \"file\".",
                (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
        }

        Assert.Equal(before, await factory.WithDbAsync(db => db.Imports.CountAsync()));
        var uploads = Path.Combine(factory.DataFolder, "uploads");
        Assert.Empty(Directory.Exists(uploads) ? Directory.GetFiles(uploads, "*.upload") : []);
    }

    /// <summary>The page reads the upload as the API does: a second file under another name is refused on the form.</summary>
    [Fact]
    public async Task Page_AFileInAPartNotNamedFile_IsRefusedOnTheForm()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var token = RolloutWebFactory.AntiforgeryToken(await client.GetStringAsync("/rollouts/W11/imports/new"));
        var (_, laptops) = await IdsAsync();
        var before = await factory.WithDbAsync(db => db.Imports.CountAsync());
        using var content = new LazyContent(Field("__RequestVerificationToken", token)
            + Field("inventoryId", laptops.ToString(CultureInfo.InvariantCulture))
            + FilePart("a.csv", "Name\nHOS-PAGE-A") + FilePart("attachment", "b.csv", "Name\nHOS-PAGE-B"), 0, End);

        var response = await client.PostAsync("/rollouts/W11/imports/new", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The upload holds a file in a part not named \"file\"; send one file per import, in the part named \"file\".",
            (await response.ReadPageAsync()).TestId("upload-error").NormalizedText());
        Assert.Equal(before, await factory.WithDbAsync(db => db.Imports.CountAsync()));
    }
}

/// <summary>An installation that accepts 1 KB files: a chunked body past the limit and its form's room is refused with 413.</summary>
public sealed class HostileUploadLimitTests(SmallUploadWebFactory factory) : IClassFixture<SmallUploadWebFactory>
{
    [Fact]
    public async Task Page_AChunkedBodyPastTheLimitAndItsFormsRoom_IsRefusedWith413()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var token = RolloutWebFactory.AntiforgeryToken(await client.GetStringAsync("/rollouts/W11/imports/new"));

        // Short parts, each under long headers: every one is allowed, all of them pass the 1 KB + 64 KB of a request.
        var padded = $"--B\r\nContent-Disposition: form-data; name=\"pad\"\r\nX-Pad: {new string('p', 15_000)}\r\n\r\n1\r\n";
        using var content = new LazyContent(
            $"--B\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n"
            + string.Concat(Enumerable.Repeat(padded, 15)), 0, "--B--\r\n", "B");

        var response = await client.PostAsync("/rollouts/W11/imports/new", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("The file is larger than 1.0 KB, the largest file this installation accepts.",
            (await response.ReadPageAsync()).TestId("upload-error").NormalizedText());
    }

    [Fact]
    public async Task Api_AChunkedFilePastTheLimit_IsRefusedWith413_AfterReadingLittleOfIt()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rollout = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rollout, "Laptops");
        using var content = new LazyContent(
            $"--B\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n{laptops}\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\nName\n", 64L * 1024 * 1024, "\r\n--B--\r\n", "B");

        var response = await client.PostAsync($"/api/rollouts/{rollout}/imports", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True(content.Sent < 4 * 1024 * 1024, $"{content.Sent} bytes were read");
    }
}

/// <summary>
/// A multipart body of <paramref name="prefix"/>, <paramref name="fillBytes"/> digits made as they are sent (never held
/// in memory) and <paramref name="suffix"/>, without a declared length (chunked); <see cref="Sent"/> counts what the
/// server took of it.
/// </summary>
internal sealed class LazyContent : HttpContent
{
    private readonly byte[] prefix;
    private readonly long fillBytes;
    private readonly byte[] suffix;
    private long sent;

    public LazyContent(string prefix, long fillBytes, string suffix, string boundary = "HOSTILE")
    {
        this.prefix = Encoding.UTF8.GetBytes(prefix);
        this.fillBytes = fillBytes;
        this.suffix = Encoding.UTF8.GetBytes(suffix);
        Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
    }

    public long Sent => Interlocked.Read(ref sent);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await WriteAsync(stream, prefix, cancellationToken);
        var block = new byte[64 * 1024];
        block.AsSpan().Fill((byte)'1');
        for (var left = fillBytes; left > 0; left -= block.Length)
        {
            await WriteAsync(stream, block.AsMemory(0, (int)Math.Min(block.Length, left)), cancellationToken);
        }

        await WriteAsync(stream, suffix, cancellationToken);
    }

    private async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        // In pieces, so that what the server reads is counted closely (the transport buffers a little ahead).
        for (var at = 0; at < bytes.Length; at += 16 * 1024)
        {
            var piece = bytes.Slice(at, Math.Min(16 * 1024, bytes.Length - at));
            await stream.WriteAsync(piece, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            Interlocked.Add(ref sent, piece.Length);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
