using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A link type used more often than its pages count (issue 13: no page grows slower with the links; decision 0089): the
/// list, the type's page, the delete confirmation and the API's refusal count its links up to 10,000 and say "10,000+"
/// or "more than 10,000" beyond, the confirmation grouping the first 10,000 by inventory.
/// </summary>
public abstract class SettingsLinkTypesAtScaleTests(RolloutWebFactory factory)
{
    private const int Links = 10_001;

    [Fact]
    public async Task ALinkTypeUsedMoreThan10000Times_IsCountedUpTo10000_OnItsPagesAndInTheRefusal()
    {
        var type = await factory.WithDbAsync(async db =>
        {
            var laptops = await db.Inventories.SingleAsync(i => i.Name == "Laptops" && i.Rollout.Identifier == "W11");
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == laptops.WorkflowId).OrderBy(s => s.Position).Select(s => s.Id).FirstAsync();
            var linkType = new ClientLinkType { OutwardName = "mirrors at scale", InwardName = "is mirrored at scale by" };
            db.ClientLinkTypes.Add(linkType);
            await db.SaveChangesAsync();
            return (linkType.Id, status);
        });
        await factory.AddInventoryAsync("Link scale", await factory.WithDbAsync(db =>
                db.Inventories.Where(i => i.Name == "Laptops" && i.Rollout.Identifier == "W11").Select(i => i.WorkflowId).SingleAsync()), [],
            [.. Enumerable.Range(0, 120).Select(i => ($"LS-{i:D3}", type.status, new Dictionary<int, string[]>()))]);
        await factory.WithDbAsync(async db =>
        {
            var clients = await db.Clients.Where(c => c.Name.StartsWith("LS-")).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
            // 10,001 links among 120 clients of one inventory, each pair once.
            db.ClientLinks.AddRange(clients.SelectMany(source => clients.Where(target => target != source).Select(target => (source, target)))
                .Take(Links).Select(p => new ClientLink
                {
                    ClientLinkTypeId = type.Id, SourceClientId = p.source, TargetClientId = p.target, CreatedAt = DateTimeOffset.UtcNow,
                }));
            await db.SaveChangesAsync();
        });
        var admin = await factory.SignInAsync("admin@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var id = type.Id.ToString(CultureInfo.InvariantCulture);

        var list = await admin.GetPageAsync("/settings/link-types");
        var page = await admin.GetPageAsync($"/settings/link-types/{id}");
        var confirmation = await admin.GetPageAsync($"/settings/link-types/{id}/delete");
        var refused = await api.DeleteAsync($"/api/link-types/{id}");

        Assert.Equal("10,000+", list.RowOf("mirrors at scale").Cell("Links"));
        Assert.Contains("More than 10,000 links use this type: whether it is advanced no longer changes.", page.Body?.TextContent);
        Assert.StartsWith("More than 10,000 links use this link type, so it cannot be deleted; the first 10,000:",
            confirmation.TestId("link-type-in-use").NormalizedText());
        Assert.Equal(["10,000 links within Link scale in Windows 11 Refresh"],
            confirmation.QuerySelectorAll("[data-testid=link-type-links-between]").Select(e => e.NormalizedText()));
        Assert.Equal("The first 20 of more than 10,000 links", confirmation.TestId("link-type-links").One("caption").NormalizedText());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("The link type \"mirrors at scale\" cannot be deleted: more than 10,000 links use it (the first 10,000: 10,000 links " +
                     "within Link scale in Windows 11 Refresh). Remove those links on the clients' pages first, or rename the link type instead.",
            (await ApiTestClient.ReadAsync(refused))["detail"]!.GetValue<string>());
        Assert.Equal(Links, await factory.WithDbAsync(db => db.ClientLinks.CountAsync(l => l.ClientLinkTypeId == type.Id)));
    }
}

public sealed class SqliteSettingsLinkTypesAtScaleTests(RolloutWebFactory factory)
    : SettingsLinkTypesAtScaleTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsLinkTypesAtScaleTests(PostgresWebFactory factory)
    : SettingsLinkTypesAtScaleTests(factory), IClassFixture<PostgresWebFactory>;
