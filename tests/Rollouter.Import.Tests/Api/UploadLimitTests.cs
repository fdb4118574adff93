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
}
