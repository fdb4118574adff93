using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// Pages as a browser reads them: parsed by AngleSharp into a DOM, queried by data-testid, id, role and element, so a
/// test checks what the page says and links to, not how its markup happens to be spelled (attribute order, spacing).
/// </summary>
public static class HtmlPage
{
    private static readonly HtmlParser Parser = new();

    public static IHtmlDocument Parse(string html) => Parser.ParseDocument(html);

    /// <summary>GETs <paramref name="path"/>, which must answer 200, and parses it.</summary>
    public static async Task<IHtmlDocument> GetPageAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {html}");
        return Parse(html);
    }

    /// <summary>The page a response carries, whatever its status.</summary>
    public static async Task<IHtmlDocument> ReadPageAsync(this HttpResponseMessage response) =>
        Parse(await response.Content.ReadAsStringAsync());

    /// <summary>The element with <c>data-testid="<paramref name="testId"/>"</c>; fails the test when there is none.</summary>
    public static IElement TestId(this IParentNode page, string testId) =>
        page.FindTestId(testId) ?? throw new Xunit.Sdk.XunitException($"The page has no element with data-testid=\"{testId}\".");

    public static IElement? FindTestId(this IParentNode page, string testId) =>
        page.QuerySelector($"[data-testid=\"{testId}\"]");

    public static bool HasTestId(this IParentNode page, string testId) => page.FindTestId(testId) is not null;

    /// <summary>The element matching a CSS <paramref name="selector"/>; fails the test when there is none.</summary>
    public static IElement One(this IParentNode page, string selector) =>
        page.QuerySelector(selector) ?? throw new Xunit.Sdk.XunitException($"The page has no element matching {selector}.");

    /// <summary>The text a user reads: entities decoded, runs of white space as one space.</summary>
    public static string NormalizedText(this INode node) =>
        string.Join(' ', node.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The text of each element matching <paramref name="selector"/>, in page order.</summary>
    public static IReadOnlyList<string> Texts(this IParentNode node, string selector) =>
        [.. node.QuerySelectorAll(selector).Select(e => e.NormalizedText())];

    /// <summary>Every link's target, as written in the page (<c>href</c> of each <c>a</c>).</summary>
    public static IReadOnlyList<string> Links(this IParentNode node) =>
        [.. node.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!)];

    /// <summary>The navigation bar's links: text and target.</summary>
    public static IReadOnlyList<(string Text, string? Href)> NavigationLinks(this IParentNode page) =>
        [.. page.QuerySelectorAll("a.nav-link").Select(a => (a.NormalizedText(), a.GetAttribute("href")))];

    /// <summary>The link whose text is <paramref name="text"/>; fails the test when there is none.</summary>
    public static IElement Link(this IParentNode node, string text) =>
        node.QuerySelectorAll("a").FirstOrDefault(a => a.NormalizedText() == text)
        ?? throw new Xunit.Sdk.XunitException($"The page has no link \"{text}\".");

    /// <summary>The href of the element with <c>data-testid="<paramref name="testId"/>"</c>.</summary>
    public static string Href(this IParentNode page, string testId) =>
        page.TestId(testId).GetAttribute("href") ?? throw new Xunit.Sdk.XunitException($"{testId} has no href.");

    /// <summary>The texts of what a user can press or follow: buttons (<c>button</c>, <c>input type=submit</c>) and links.</summary>
    public static IReadOnlyList<string> Actions(this IParentNode node) =>
        [.. node.QuerySelectorAll("button, input[type=submit], a")
            .Select(b => b is IHtmlInputElement input ? input.Value : b.NormalizedText())];

    /// <summary>The rows of a table's body, each as its cells' texts joined by " | ".</summary>
    public static IReadOnlyList<string> Rows(this IParentNode table) =>
        [.. table.QuerySelectorAll("tbody tr").Select(tr => string.Join(" | ", tr.Children.Select(cell => cell.NormalizedText())))];

    /// <summary>The table body's row that links to something named <paramref name="linkText"/>; fails the test when there is none.</summary>
    public static IElement RowOf(this IParentNode page, string linkText) =>
        page.QuerySelectorAll("tbody tr").FirstOrDefault(tr => tr.QuerySelectorAll("a").Any(a => a.NormalizedText() == linkText))
        ?? throw new Xunit.Sdk.XunitException($"No table row links to \"{linkText}\".");

    /// <summary>The text of a row's cell in the column headed <paramref name="header"/> (the table's head names the columns).</summary>
    public static string Cell(this IElement row, string header)
    {
        var heads = row.Closest("table")?.QuerySelectorAll("thead th").Select(th => th.NormalizedText()).ToList() ?? [];
        var at = heads.IndexOf(header);
        Assert.True(at >= 0, $"The table has no column \"{header}\": {string.Join(", ", heads)}");
        return row.Children[at].NormalizedText();
    }

    /// <summary>The target of a pager's link (<c>page-next</c>, <c>errors-previous</c>, …) when it can be followed, else null.</summary>
    public static string? PagerLink(this IParentNode page, string testId) =>
        page.FindTestId(testId) is { } link && link.IsFollowable() ? link.GetAttribute("href") : null;

    /// <summary>Whether a pager's link (First, Previous, …) can be followed: its list item is not disabled.</summary>
    public static bool IsFollowable(this IElement pagerLink) =>
        pagerLink.Closest("li")?.ClassList.Contains("disabled") != true;

    /// <summary>
    /// Fails unless the pager's item <paramref name="testId"/> is shown as leading nowhere: not a link (no href, so no Tab
    /// stop and not announced as a link), marked aria-disabled, its list item disabled.
    /// </summary>
    public static void AssertPagerItemDisabled(this IParentNode page, string testId)
    {
        var item = page.TestId(testId);
        Assert.Equal(("SPAN", null, "true", false), (item.TagName, item.GetAttribute("href"), item.GetAttribute("aria-disabled"), item.IsFollowable()));
    }

    /// <summary>The form posting to <paramref name="action"/>; fails the test when there is none.</summary>
    public static IHtmlFormElement Form(this IParentNode page, string action) =>
        page.FindForm(action) ?? throw new Xunit.Sdk.XunitException($"The page has no form posting to {action}.");

    public static IHtmlFormElement? FindForm(this IParentNode page, string action) =>
        page.QuerySelectorAll<IHtmlFormElement>("form").FirstOrDefault(f => f.GetAttribute("action") == action);

    /// <summary>The hidden fields of a form (antiforgery token included), as a browser would send them.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> HiddenFields(this IParentNode form) =>
        [.. form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden][name]").Select(i => KeyValuePair.Create(i.Name!, i.Value))];

    /// <summary>
    /// What a browser posts for <paramref name="form"/> as the server wrote it, in order: every named control of the form
    /// (also one outside it naming it in <c>form=</c>), not disabled, a checkbox or radio only when checked, a select's
    /// option marked selected (else its first that can be chosen); buttons and files left out.
    /// </summary>
    public static List<KeyValuePair<string, string>> Submission(this IHtmlFormElement form)
    {
        var id = form.Id;
        var owner = form.Owner ?? throw new InvalidOperationException("The form is in no document.");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var control in owner.QuerySelectorAll("input[name], select[name], textarea[name]"))
        {
            var mine = control.GetAttribute("form") is { } named ? named == id : control.Closest("form") == form;
            if (!mine || control.HasAttribute("disabled") || control.Closest("fieldset[disabled]") is not null)
            {
                continue;
            }

            var name = control.GetAttribute("name") ?? "";
            switch (control)
            {
                case IHtmlSelectElement select:
                    var options = select.QuerySelectorAll<IHtmlOptionElement>("option").ToList();
                    var chosen = options.LastOrDefault(o => o.HasAttribute("selected")) ?? options.FirstOrDefault(o => !o.HasAttribute("disabled"));
                    if (chosen is not null)
                    {
                        values.Add(KeyValuePair.Create(name, chosen.Value));
                    }

                    break;
                case IHtmlTextAreaElement area:
                    values.Add(KeyValuePair.Create(name, area.Value));
                    break;
                case IHtmlInputElement input when input.Type is "checkbox" or "radio":
                    if (input.HasAttribute("checked"))
                    {
                        values.Add(KeyValuePair.Create(name, input.GetAttribute("value") ?? "on"));
                    }

                    break;
                case IHtmlInputElement input when input.Type is "submit" or "button" or "reset" or "image" or "file":
                    break;
                case IHtmlInputElement input:
                    values.Add(KeyValuePair.Create(name, input.GetAttribute("value") ?? ""));
                    break;
            }
        }

        return values;
    }

    /// <summary>The antiforgery token a form on the page carries; fails when it carries none.</summary>
    public static string AntiforgeryToken(this IParentNode page) =>
        page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")?.Value
        ?? throw new InvalidOperationException("The page has no antiforgery token.");

    /// <summary>The value of the field named <paramref name="name"/> (input, select or textarea) as the page fills it in.</summary>
    public static string? FieldValue(this IParentNode page, string name) => page.QuerySelector($"[name=\"{name}\"]") switch
    {
        IHtmlSelectElement select => select.SelectedOption()?.Value,
        IHtmlInputElement input => input.Value,
        IHtmlTextAreaElement area => area.Value,
        _ => null,
    };

    /// <summary>The option the server marked <c>selected</c> (not the browser's fallback to the first option).</summary>
    public static IHtmlOptionElement? SelectedOption(this IParentNode select) =>
        select.QuerySelectorAll<IHtmlOptionElement>("option").SingleOrDefault(o => o.HasAttribute("selected"));

    /// <summary>The values of a select's options, in order.</summary>
    public static IReadOnlyList<string> OptionValues(this IParentNode select) =>
        [.. select.QuerySelectorAll<IHtmlOptionElement>("option").Select(o => o.Value)];

    /// <summary>Whether an element matches the CSS <paramref name="selector"/>.</summary>
    public static bool Has(this IParentNode page, string selector) => page.QuerySelector(selector) is not null;
}
