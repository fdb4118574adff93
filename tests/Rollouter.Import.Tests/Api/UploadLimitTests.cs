using System.Net;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>An installation that accepts 1 KB files.</summary>
public sealed class SmallUploadWebFactory : RolloutWebFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Rollouter:Imports:MaxFileBytes"] = "1024" };
}

public sealed class UploadLimitTests(SmallUploadWebFactory factory) : IClassFixture<SmallUploadWebFactory>
{
    [Fact]
    public async Task FileAboveTheConfiguredLimit_IsRefusedWith413_NamingTheLimit()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var csv = new ClientFile("Name", "Department").Rows(200, i => [$"BIG-{i}", "IT"], first: 0).ToCsv();

        var response = await client.UploadAsync(rolloutId, laptops, "big.csv", csv);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("1.0 KB", (await ApiTestClient.ReadAsync(response))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created,
            (await client.UploadAsync(rolloutId, laptops, "small.csv", "Name,Department\nSMALL-1,IT\n")).StatusCode);
    }

    [Fact]
    public async Task FileOfExactlyTheLimit_IsAccepted_OneByteMoreIsRefused()
    {
        // Mutation testing (docs/development.md): "at most 1 KB" held for 1,023 bytes or for 1,025 alike until this test;
        // a ">=" for ">" in the upload's count or the reader's refused the file the message calls acceptable.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        var atLimit = await client.UploadAsync(rolloutId, laptops, "limit.csv", Sized("LIMIT-1", 1024));
        var over = await client.UploadAsync(rolloutId, laptops, "over.csv", Sized("OVER-1", 1025));

        Assert.Equal(HttpStatusCode.Created, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("1.0 KB", (await ApiTestClient.ReadAsync(over))["error"]!.GetValue<string>());
    }

    /// <summary>A one-row CSV of exactly <paramref name="bytes"/> bytes: its Department cell fills it up.</summary>
    private static byte[] Sized(string name, int bytes)
    {
        var start = $"Name,Department\n{name},";
        var csv = System.Text.Encoding.UTF8.GetBytes(start + new string('d', bytes - start.Length - 1) + "\n");
        Assert.Equal(bytes, csv.Length);
        return csv;
    }
}
