using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>What the settings tests share: posting a form as a browser does and reading the page it leads to.</summary>
public static class SettingsTestSupport
{
    /// <summary>A page's text as the user reads it (entities decoded).</summary>
    public static string Text(string html) => WebUtility.HtmlDecode(html);

    /// <summary>The text of the rows of the list marked <c>data-testid=<paramref name="testId"/></c> ("users", "members"): what the list shows, without the search box.</summary>
    public static string ListText(string html, string testId = "users") => string.Join('\n',
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html).QuerySelectorAll($"[data-testid={testId}] tbody tr").Select(r => r.TextContent));

    /// <summary>
    /// Posts a form as a browser does: the page <paramref name="formPage"/> (default <paramref name="url"/>) must hold a
    /// form posting to <paramref name="url"/> with its own antiforgery token. Follows a redirect; returns the final status
    /// and decoded page.
    /// </summary>
    public static async Task<(HttpStatusCode Status, string Page, string? RedirectedTo)> SubmitAsync(
        this HttpClient client, string url, Dictionary<string, string> fields, string? formPage = null)
    {
        var html = await client.GetStringAsync(formPage ?? url);
        var form = HtmlPage.Parse(html).FindForm(url);
        Assert.True(form is not null, $"{formPage ?? url} has no form posting to {url}");
        var token = form.AntiforgeryToken();
        var response = await client.PostAsync(url,
            new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token))));
        string? location = null;
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            location = response.Headers.Location!.OriginalString;
            response = await client.GetAsync(location);
        }

        return (response.StatusCode, Text(await response.Content.ReadAsStringAsync()), location);
    }

    /// <summary>
    /// Presses the submit button of the form in <paramref name="html"/> (a page already shown, such as a question a post
    /// answered with) that posts to <paramref name="url"/>: its hidden fields, antiforgery token included, are sent as
    /// they are. Follows a redirect; returns the final status and decoded page.
    /// </summary>
    public static async Task<(HttpStatusCode Status, string Page)> ConfirmAsync(this HttpClient client, string html, string url)
    {
        var form = HtmlPage.Parse(html).FindForm(url);
        Assert.True(form is not null, $"the page has no form posting to {url}");
        var response = await client.PostAsync(url, new FormUrlEncodedContent(form.HiddenFields()));
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            response = await client.GetAsync(response.Headers.Location!.OriginalString);
        }

        return (response.StatusCode, Text(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>The invitation or reset link a page shows for copying (an absolute address).</summary>
    public static string InvitationLink(string page) =>
        HtmlPage.Parse(page).TestId("invitation-link").GetAttribute("value") ?? throw new Xunit.Sdk.XunitException("The invitation link has no value.");

    /// <summary>The user and token an invitation link (<c>/account/invitation?user=…&amp;token=…</c>) carries, as its form posts them.</summary>
    public static Dictionary<string, string> InvitationFields(string link)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri("http://localhost"), link).Query);
        return new() { ["User"] = query["user"].ToString(), ["Token"] = query["token"].ToString() };
    }

    public static async Task<string> PageAsync(this HttpClient client, string url) => Text(await client.GetStringAsync(url));

    public static async Task<T> WithDbAsync<T>(this RolloutWebFactory factory, Func<RolloutDbContext, Task<T>> work)
    {
        using var scope = factory.Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    public static Task WithDbAsync(this RolloutWebFactory factory, Func<RolloutDbContext, Task> work) =>
        factory.WithDbAsync(async db => { await work(db); return 0; });

    /// <summary>An inventory of W11 using <paramref name="workflowId"/> and <paramref name="fieldIds"/>, with clients.</summary>
    public static Task<int> AddInventoryAsync(this RolloutWebFactory factory, string name, int workflowId, int[] fieldIds,
        params (string Name, int StatusId, Dictionary<int, string[]> Values)[] clients) => factory.WithDbAsync(async db =>
    {
        var rollout = db.Rollouts.Single(r => r.Identifier == "W11");
        var inventory = new Inventory
        {
            Name = name,
            RolloutId = rollout.Id,
            WorkflowId = workflowId,
            CustomFields = [.. fieldIds.Select((id, i) => new InventoryCustomField { CustomFieldId = id, Position = i })],
        };
        db.Inventories.Add(inventory);
        await db.SaveChangesAsync();
        db.Clients.AddRange(clients.Select(c => new Client
        {
            RolloutId = rollout.Id, InventoryId = inventory.Id, Name = c.Name, StatusId = c.StatusId, Values = c.Values,
        }));
        await db.SaveChangesAsync();
        return inventory.Id;
    });
}
