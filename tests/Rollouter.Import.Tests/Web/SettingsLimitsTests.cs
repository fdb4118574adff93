using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The most options a field and statuses a workflow have (security QA 3, decision 0098): 200,000 options were stored
/// in 140 s, the audit line named them all, and every list and page showing them took seconds and hundreds of MB.
/// </summary>
public sealed class SettingsLimitsTests(LogCapturingWebFactory factory) : IClassFixture<LogCapturingWebFactory>
{
    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..8]}";

    private static async Task<(HttpStatusCode Status, string Error, string? Field)> RefusalAsync(HttpResponseMessage response)
    {
        var body = await ApiTestClient.ReadAsync(response);
        return (response.StatusCode, body["error"]!.GetValue<string>(), body["field"]?.GetValue<string>());
    }

    [Fact]
    public async Task AFieldOfMoreThanAThousandOptions_IsRefused_AndTheAuditLineNamesTheFirstFifty()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var browser = await factory.SignInAsync("manager@demo.test");
        var tooMany = Unique("Too many");
        var full = Unique("Full");

        var refused = await RefusalAsync(await manager.PostAsJsonAsync("/api/custom-fields", new
        {
            name = tooMany, type = "Selection", options = Enumerable.Range(0, 1_001).Select(i => $"Opt-{i:0000}").ToArray(),
        }));
        var created = await manager.PostAsJsonAsync("/api/custom-fields", new
        {
            name = full, type = "Selection", options = Enumerable.Range(0, 1_000).Select(i => $"Opt-{i:0000}").ToArray(),
        });
        var id = (await ApiTestClient.ReadAsync(created)).Id();
        var page = $"/settings/custom-fields/{id}";
        var (_, added, _) = await browser.SubmitAsync($"{page}/options", new() { ["OptionName"] = "One more" }, page);

        Assert.Equal((HttpStatusCode.BadRequest,
            "A field can have at most 1,000 options, and 1,001 were entered. Keep the list to the values people choose from; " +
            "for free text, use a Multi-Selection without options or an Input field.", "options"), refused);
        Assert.False(await factory.WithDbAsync(db => db.CustomFields.AnyAsync(f => f.Name == tooMany)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([$"The field \"{full}\" has 1,000 options, the most a field can have: remove one before adding another."],
            HtmlPage.Parse(added).QuerySelectorAll("[role=alert] li").Select(li => li.NormalizedText()));
        Assert.Equal(1_000, await factory.WithDbAsync(db => db.CustomFieldOptions.CountAsync(o => o.CustomFieldId == id)));
        var audit = Assert.Single(factory.Logs.Events, e => e.RenderMessage().Contains($"created custom field {id} ", StringComparison.Ordinal));
        var line = audit.RenderMessage();
        Assert.Contains("\"Opt-0049\", \"… and 950 more\"", line);
        Assert.DoesNotContain("Opt-0050", line);
    }

    [Fact]
    public async Task AWorkflowOfMoreThanTwoHundredStatuses_IsRefused_ByTheApiAndThePage()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var browser = await factory.SignInAsync("manager@demo.test");
        var full = Unique("Full flow");

        var refused = await RefusalAsync(await manager.PostAsJsonAsync("/api/workflows", new
        {
            name = Unique("Long flow"), statuses = Enumerable.Range(0, 201).Select(i => $"Step {i}").ToArray(),
        }));
        var (_, newPage, _) = await browser.SubmitAsync("/settings/workflows/new", new()
        {
            ["Name"] = Unique("Long page flow"), ["Statuses"] = string.Join('\n', Enumerable.Range(0, 250).Select(i => $"Step {i}")),
        });
        var created = await manager.PostAsJsonAsync("/api/workflows", new
        {
            name = full, statuses = Enumerable.Range(0, 200).Select(i => $"Step {i}").ToArray(),
        });
        var id = (await ApiTestClient.ReadAsync(created)).Id();
        var page = $"/settings/workflows/{id}";
        var (_, added, _) = await browser.SubmitAsync($"{page}/statuses", new() { ["StatusName"] = "One more" }, page);

        Assert.Equal((HttpStatusCode.BadRequest, "A workflow can have at most 200 statuses, and 201 were entered.", "statuses"), refused);
        Assert.Equal(["A workflow can have at most 200 statuses, and 250 were entered."],
            HtmlPage.Parse(newPage).QuerySelectorAll("[role=alert] li").Select(li => li.NormalizedText()));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([$"The workflow \"{full}\" has 200 statuses, the most a workflow can have: remove one before adding another."],
            HtmlPage.Parse(added).QuerySelectorAll("[role=alert] li").Select(li => li.NormalizedText()));
        Assert.Equal(200, await factory.WithDbAsync(db => db.WorkflowStatuses.CountAsync(s => s.WorkflowId == id)));
    }

    [Fact]
    public async Task CreateOptionIfNotExists_StopsAtTheLimit_NamingTheFieldAndTheLimit()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var field = Unique("Nearly full");
        var fieldId = (await ApiTestClient.ReadAsync(await admin.PostAsJsonAsync("/api/custom-fields", new
        {
            name = field, type = "Selection", options = Enumerable.Range(0, 999).Select(i => $"Opt-{i:0000}").ToArray(),
        }))).Id();
        var rolloutId = await admin.RolloutIdAsync("W11");
        var workflowId = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.WorkflowId).SingleAsync());
        var inventory = await ApiTestClient.ReadAsync(await admin.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories",
            new { name = Unique("Limits"), workflowId, customFieldIds = new[] { fieldId } }));
        var tag = Guid.NewGuid().ToString("N")[..6];
        var import = await ApiTestClient.ReadAsync(await admin.UploadAsync(rolloutId, inventory.Id(), "limit.csv",
            $"Name,Pick\nLIM-{tag}-1,Opt-0001\nLIM-{tag}-2,Brand new A\nLIM-{tag}-3,Brand new B\nLIM-{tag}-4,brand NEW a\n"));
        var mapped = await admin.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting = false,
            columns = new object[]
            {
                new { letter = "A", target = "Name" },
                new { letter = "B", target = field, createOptions = true },
            },
        });
        Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);

        var check = await ApiTestClient.ReadAsync(await admin.PostAsync($"/api/imports/{import.Id()}/check", null));

        Assert.Equal(1, check["failedRows"]!.GetValue<int>());
        var error = check["errors"]!.AsArray().Single()!;
        Assert.Equal(4, error["row"]!.GetValue<int>());
        Assert.Equal($"\"Brand new B\" would be a new option of field \"{field}\", which can have at most 1,000 options (999 now, " +
            "1 more created by earlier rows of this file). Use one of its options, or remove options no client uses first.",
            error["message"]!.GetValue<string>());
        Assert.Equal(999, await factory.WithDbAsync(db => db.CustomFieldOptions.CountAsync(o => o.CustomFieldId == fieldId)));
    }
}
