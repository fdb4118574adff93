using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rollouter.Import.Bench.Load;

/// <summary>The kinds of request the virtual users send; the first eight are lists.</summary>
public enum RequestKind
{
    PageFirst,
    PageSort,
    PageDeep,
    PageSearch,
    ApiFirst,
    ApiSort,
    ApiDeep,
    ApiSearch,
    ImportStatus,
    ClientDetail,
}

/// <summary>
/// What the virtual users need to know of the app: the browsed inventory, the sorts its list offers (read from the
/// page's column headers), whether lists page by keyset (the API answers with <c>next</c>) or by page number, and the
/// import whose status they poll.
/// </summary>
public sealed class LoadSite
{
    private LoadSite(LoadSetup setup, IReadOnlyList<string> sorts, bool keyset)
    {
        Setup = setup;
        Sorts = sorts;
        Keyset = keyset;
    }

    public LoadSetup Setup { get; }

    public IReadOnlyList<string> Sorts { get; }

    public bool Keyset { get; }

    public volatile int PolledImportId;

    public string ListPath => $"/rollouts/{Setup.RolloutIdentifier}/inventories/{Setup.InventoryId}";

    public string ApiPath => $"/api/inventories/{Setup.InventoryId}/clients";

    public static async Task<LoadSite> DiscoverAsync(LoadSession session, LoadSetup setup)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(setup);
        var page = await session.Browser.GetStringAsync($"/rollouts/{setup.RolloutIdentifier}/inventories/{setup.InventoryId}");
        var sorts = Regex.Matches(page, "href=\"[^\"]*(?:\\?|&amp;|&)sort=([^&\"]+)[^\"]*\"[^>]*data-testid=\"sort-")
            .Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Append("name").Distinct().ToList();
        var api = JsonDocument.Parse(await session.Api.GetStringAsync($"/api/inventories/{setup.InventoryId}/clients?pageSize=1")).RootElement;
        return new LoadSite(setup, sorts, api.TryGetProperty("next", out _));
    }
}

/// <summary>
/// One person at the app, without pauses: 40 % client list page (first page, another sort, a deep page, a search),
/// 30 % the API's client list (the same four), 20 % polling the running import, 10 % a client's page.
/// </summary>
public sealed partial class VirtualUser(LoadSession session, LoadSite site, Random random)
{
    private const int MaxRemembered = 32;

    // Links to deep positions seen in earlier answers (keyset paging): Next/Previous of deep pages, the API's next.
    private readonly List<string> _pageLinks = [];
    private readonly List<string> _apiLinks = [];

    public async Task RunAsync(LoadFigures figures, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(figures);
        while (!stop.IsCancellationRequested)
        {
            var kind = Pick();
            var watch = Stopwatch.StartNew();
            string? error;
            try
            {
                error = await SendAsync(kind, CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                error = e.GetType().Name + ": " + e.Message;
            }

            figures.Add(kind, watch.Elapsed.TotalMilliseconds, error);
        }
    }

    private RequestKind Pick()
    {
        var n = random.Next(100);
        return n switch
        {
            < 40 => (RequestKind)(n / 10),                        // page: first, sort, deep, search
            < 70 => RequestKind.ApiFirst + (n - 40) * 4 / 30,     // API: first, sort, deep, search
            < 90 => RequestKind.ImportStatus,
            _ => RequestKind.ClientDetail,
        };
    }

    /// <summary>Sends one request of the kind; the error, or null when the answer was a success.</summary>
    public async Task<string?> SendAsync(RequestKind kind, CancellationToken cancellationToken)
    {
        var (client, path) = kind switch
        {
            RequestKind.PageFirst => (session.Browser, site.ListPath),
            RequestKind.PageSort => (session.Browser, site.ListPath + "?" + SortQuery()),
            RequestKind.PageDeep => (session.Browser, DeepPage()),
            RequestKind.PageSearch => (session.Browser, site.ListPath + "?search=" + Uri.EscapeDataString(SearchTerm()) + "&" + SortQuery()),
            RequestKind.ApiFirst => (session.Api, site.ApiPath),
            RequestKind.ApiSort => (session.Api, site.ApiPath + "?" + SortQuery()),
            RequestKind.ApiDeep => (session.Api, DeepApi()),
            RequestKind.ApiSearch => (session.Api, site.ApiPath + "?search=" + Uri.EscapeDataString(SearchTerm()) + "&" + SortQuery()),
            RequestKind.ImportStatus => (session.Api, $"/api/imports/{site.PolledImportId}"),
            _ => (session.Browser, $"/rollouts/{site.Setup.RolloutIdentifier}/clients/{site.Setup.ClientIds[random.Next(site.Setup.ClientIds.Count)]}"),
        };
        using var response = await client.GetAsync(path, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return $"{(int)response.StatusCode} {path}";
        }

        if (site.Keyset && kind == RequestKind.PageDeep)
        {
            Remember(_pageLinks, PagingLink().Matches(body).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)));
        }
        else if (site.Keyset && kind is RequestKind.ApiDeep &&
                 JsonDocument.Parse(body).RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String)
        {
            var query = new Uri(client.BaseAddress!, path).Query.TrimStart('?').Split('&')
                .Where(p => !p.StartsWith("after=", StringComparison.Ordinal) && !p.StartsWith("from=", StringComparison.Ordinal));
            Remember(_apiLinks, [site.ApiPath + "?" + string.Join("&", query.Append("after=" + Uri.EscapeDataString(next.GetString()!)))]);
        }

        return null;
    }

    private void Remember(List<string> links, IEnumerable<string> found)
    {
        foreach (var link in found)
        {
            if (links.Count == MaxRemembered)
            {
                links.RemoveAt(random.Next(links.Count));
            }

            links.Add(link);
        }
    }

    private string SortQuery()
    {
        var sort = site.Sorts[random.Next(site.Sorts.Count)];
        return "sort=" + Uri.EscapeDataString(sort) + (random.Next(2) == 0 ? "" : "&dir=desc");
    }

    private string RandomName() => string.Create(CultureInfo.InvariantCulture, $"PC-{random.Next(1, site.Setup.Clients + 1):0000000}");

    /// <summary>
    /// A page far from the first: by number (offset paging: a page in the second half), or by keyset: a jump to a
    /// name, the last page of a sort, or a Next/Previous link of an earlier deep page.
    /// </summary>
    private string DeepPage()
    {
        if (!site.Keyset)
        {
            var pages = Math.Max(2, site.Setup.Clients / 50);
            return site.ListPath + $"?page={random.Next(pages / 2, pages + 1)}&" + SortQuery();
        }

        return random.Next(3) switch
        {
            0 => site.ListPath + "?from=" + Uri.EscapeDataString(RandomName()),
            1 when _pageLinks.Count > 0 => _pageLinks[random.Next(_pageLinks.Count)],
            _ => site.ListPath + "?last=true&" + SortQuery(),
        };
    }

    private string DeepApi()
    {
        if (!site.Keyset)
        {
            var pages = Math.Max(2, site.Setup.Clients / 50);
            return site.ApiPath + $"?page={random.Next(pages / 2, pages + 1)}";
        }

        return random.Next(2) == 0 && _apiLinks.Count > 0
            ? _apiLinks[random.Next(_apiLinks.Count)]
            : site.ApiPath + "?from=" + Uri.EscapeDataString(RandomName());
    }

    /// <summary>
    /// What people look for in the bench's clients: a hundred names (a name's first digits), one name, about a
    /// thousand descriptions, a ninth of all clients, nothing.
    /// </summary>
    private string SearchTerm()
    {
        var hundreds = Math.Max(1, site.Setup.Clients / 100);
        return random.Next(5) switch
        {
            0 => string.Create(CultureInfo.InvariantCulture, $"PC-{random.Next(hundreds):00000}"),
            1 => RandomName(),
            2 => string.Create(CultureInfo.InvariantCulture, $"desk {random.Next(977)}, floor"),
            3 => string.Create(CultureInfo.InvariantCulture, $"floor {random.Next(9)}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"no such client {random.Next(1000)}"),
        };
    }

    [GeneratedRegex("<a class=\"page-link\" href=\"([^\"]*(?:after|before)=[^\"]*)\"")]
    private static partial Regex PagingLink();
}
