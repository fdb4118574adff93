using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// Long id lists in request bodies (security QA 4): 40,000 <c>customFieldIds</c> or <c>rolloutIds</c> were one
/// statement of 40,000 parameters, a 500 on SQLite ("too many SQL variables"). They are counted once, bounded, and a
/// refusal names at most ten of them.
/// </summary>
public abstract class LongIdListsTests(RolloutWebFactory factory)
{
    private static async Task<(HttpStatusCode Status, string Error)> RefusalAsync(HttpResponseMessage response) =>
        (response.StatusCode, (await ApiTestClient.ReadAsync(response))["error"]!.GetValue<string>());

    [Fact]
    public async Task AnInventoryWithFortyThousandFieldIds_OrTwelveUnknownOnes_IsA400_NamingTenAtMost()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");
        var workflowId = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.WorkflowId).SingleAsync());
        var name = "Ids " + Guid.NewGuid().ToString("N")[..8];

        var many = await RefusalAsync(await manager.PostAsJsonAsync($"/api/rollouts/{w11}/inventories",
            new { name, workflowId, customFieldIds = Enumerable.Range(1, 40_000).ToArray() }));
        var unknown = await RefusalAsync(await manager.PostAsJsonAsync($"/api/rollouts/{w11}/inventories",
            new { name, workflowId, customFieldIds = Enumerable.Range(900_001, 12).ToArray() }));

        Assert.Equal((HttpStatusCode.BadRequest,
            "An inventory can have at most 500 custom fields (an import reads at most 500 columns), and 40,000 were chosen."), many);
        Assert.Equal((HttpStatusCode.BadRequest,
            "No custom field with id 900001, 900002, 900003, 900004, 900005, 900006, 900007, 900008, 900009, 900010 and 2 more."), unknown);
        Assert.False(await factory.WithDbAsync(db => db.Inventories.AnyAsync(i => i.Name == name)));
    }

    /// <summary>
    /// QA: one field sent 600 times was refused as "600 were chosen" past the 500 bound, and the API named the form's
    /// <c>CustomFieldIds</c> instead of the body's <c>customFieldIds</c>. Each id counts once; a repeated one is named so.
    /// </summary>
    [Fact]
    public async Task AnInventoryWithOneFieldIdRepeated600Times_IsRefusedAsChosenTwice_NotPastTheBound_InTheBodysTerms()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");
        var (workflowId, fieldId) = await factory.WithDbAsync(async db => (
            await db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.WorkflowId).SingleAsync(),
            await db.CustomFields.OrderBy(f => f.Id).Select(f => f.Id).FirstAsync()));
        var name = "Ids " + Guid.NewGuid().ToString("N")[..8];

        var response = await manager.PostAsJsonAsync($"/api/rollouts/{w11}/inventories",
            new { name, workflowId, customFieldIds = Enumerable.Repeat(fieldId, 600).ToArray() });
        var body = await ApiTestClient.ReadAsync(response);

        Assert.Equal((HttpStatusCode.BadRequest, "A custom field can be chosen once.", "customFieldIds"),
            (response.StatusCode, body["error"]!.GetValue<string>(), body["field"]?.GetValue<string>()));
        Assert.False(await factory.WithDbAsync(db => db.Inventories.AnyAsync(i => i.Name == name)));
    }

    [Fact]
    public async Task AUserWithFortyThousandRolloutIds_IsA400_AndTheBoundCountsTheIdsAsSent_ARepeatedOneIgnoredWithin()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");
        var code = "U-" + Guid.NewGuid().ToString("N")[..8];
        object Request(string name, int[] ids) => new
        {
            displayName = name, email = code.ToLowerInvariant() + "@example.test", userCode = code, rolloutIds = ids,
        };

        var many = await manager.PostAsJsonAsync("/api/users", Request("Many Rollouts", [.. Enumerable.Range(1, 40_000)]));
        var manyBody = await ApiTestClient.ReadAsync(many);
        // One rollout sent 1,001 times was accepted: the bound counted different rollouts, the document's maxItems ids
        // (decision 0160). Now the ids are counted as sent, and within the bound a repeated one is still ignored.
        var repeated = await manager.PostAsJsonAsync("/api/users", Request("One Rollout", [.. Enumerable.Repeat(w11, 1_001)]));
        var repeatedBody = await ApiTestClient.ReadAsync(repeated);
        var within = await manager.PostAsJsonAsync("/api/users", Request("One Rollout", [.. Enumerable.Repeat(w11, 1_000)]));
        var user = await ApiTestClient.ReadAsync(within);
        var changed = await manager.PutAsJsonAsync($"/api/users/{user.Id()}", new { rolloutIds = new[] { w11, w11 } });
        var changedTooMany = await manager.PutAsJsonAsync($"/api/users/{user.Id()}", new { rolloutIds = Enumerable.Repeat(w11, 1_001).ToArray() });

        Assert.Equal((HttpStatusCode.BadRequest, "A request can name at most 1,000 rollouts in rolloutIds, and it named 40,000; nothing was changed.",
            "rolloutIds"), (many.StatusCode, manyBody["error"]!.GetValue<string>(), manyBody["field"]?.GetValue<string>()));
        Assert.Equal((HttpStatusCode.BadRequest, "A request can name at most 1,000 rollouts in rolloutIds, and it named 1,001; nothing was changed.",
            "rolloutIds"), (repeated.StatusCode, repeatedBody["error"]!.GetValue<string>(), repeatedBody["field"]?.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Created, within.StatusCode);
        Assert.Equal(["W11"], user["rollouts"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, changedTooMany.StatusCode);
        Assert.Equal(1, await factory.WithDbAsync(db => db.RolloutMembers.CountAsync(m => m.UserId == user.Id())));
    }
}

public sealed class SqliteLongIdListsTests(RolloutWebFactory factory)
    : LongIdListsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresLongIdListsTests(PostgresWebFactory factory)
    : LongIdListsTests(factory), IClassFixture<PostgresWebFactory>;
