using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests.Infrastructure;

/// <summary>
/// A test in a browser: its own browser context (no cookies shared with other tests) on the collection's app and
/// Chromium, generous timeouts for a loaded machine, and <see cref="Step"/>, which leaves a screenshot of each step
/// in artifacts/screenshots/&lt;class&gt;/&lt;test&gt;/.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract partial class BrowserTest(BrowserFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Password of every demo account.</summary>
    protected const string DemoPassword = "Demo!2026";

    private const float NavigationTimeout = 30_000;
    private const float ActionTimeout = 20_000;

    private IBrowserContext? _context;
    private readonly List<IBrowserContext> _otherContexts = [];
    private readonly List<string> _policyViolations = [];
    private IPage? _page;
    private string? _screenshots;
    private int _step;

    protected BrowserFixture Fixture => fixture;

    protected IPage Page => _page ?? throw new InvalidOperationException("Call StartAsync() first.");

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(ActionTimeout);
        (_context, _page) = await OpenContextAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _otherContexts)
        {
            await context.CloseAsync();
        }

        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        // The app's Content-Security-Policy allows no inline script, style or handler: whatever it refused is a bug.
        Assert.True(_policyViolations.Count == 0, "The Content-Security-Policy refused: " + string.Join(" | ", _policyViolations));
    }

    /// <summary>
    /// A page in another, new browser context (no cookies of <see cref="Page"/>), e.g. a second user opening a link
    /// they were sent; closed with the test.
    /// </summary>
    protected async Task<IPage> NewBrowserContextPageAsync()
    {
        var (context, page) = await OpenContextAsync();
        _otherContexts.Add(context);
        return page;
    }

    private async Task<(IBrowserContext Context, IPage Page)> OpenContextAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new()
        {
            BaseURL = fixture.App.BaseAddress.ToString(),
            ViewportSize = new() { Width = 1280, Height = 900 },
            Locale = "en-US",
            TimezoneId = "Europe/Berlin",
        });
        context.SetDefaultNavigationTimeout(NavigationTimeout);
        context.SetDefaultTimeout(ActionTimeout);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                output.WriteLine($"browser console {message.Type}: {message.Text}");
                if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    lock (_policyViolations)
                    {
                        _policyViolations.Add($"{page.Url}: {message.Text}");
                    }
                }
            }
        };
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        return (context, page);
    }

    /// <summary>
    /// Names the test's screenshot folder (artifacts/screenshots/&lt;class&gt;/&lt;test&gt;, emptied) and opens
    /// <paramref name="path"/>; every test calls it first.
    /// </summary>
    protected async Task<IResponse?> StartAsync(string path, [CallerMemberName] string test = "")
    {
        _screenshots = Path.Combine(Paths.Screenshots, GetType().Name, test);
        if (Directory.Exists(_screenshots))
        {
            Directory.Delete(_screenshots, recursive: true);
        }

        Directory.CreateDirectory(_screenshots);
        return await GoToAsync(path);
    }

    /// <summary>Opens a page of the app (a path such as "/rollouts").</summary>
    protected async Task<IResponse?> GoToAsync(string path)
    {
        var response = await Page.GotoAsync(path, new() { WaitUntil = WaitUntilState.Load });
        output.WriteLine($"GET {path} -> {response?.Status} {Page.Url}");
        return response;
    }

    /// <summary>
    /// Saves a screenshot of the whole page (<see cref="Page"/>, or <paramref name="page"/> of another browser context)
    /// as &lt;nn&gt;-&lt;name&gt;.png in the test's folder.
    /// </summary>
    protected async Task Step(string name, IPage? page = null)
    {
        page ??= Page;
        if (_screenshots is null)
        {
            throw new InvalidOperationException("Call StartAsync() first: it names the screenshot folder.");
        }

        var file = Path.Combine(_screenshots, $"{++_step:00}-{FileNamePart().Replace(name, "-")}.png");
        try
        {
            await page.ScreenshotAsync(new() { Path = file, FullPage = true, Animations = ScreenshotAnimations.Disabled, Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            // A page that navigates while it is captured (the import page reloads when its progress bar ends) can leave
            // Chromium's capture waiting: once more on the loaded page. A screenshot is a record of the step, not a check.
            await page.WaitForLoadStateAsync(LoadState.Load);
            try
            {
                await page.ScreenshotAsync(new() { Path = file, FullPage = true, Animations = ScreenshotAnimations.Disabled, Timeout = 20_000 });
            }
            catch (TimeoutException e)
            {
                output.WriteLine($"step {_step:00} {name}: no screenshot ({e.Message.Split('\n')[0]})");
                return;
            }
        }

        output.WriteLine($"step {_step:00} {name}: {page.Url} -> {Path.GetRelativePath(Paths.RepositoryRoot, file)}");
    }

    /// <summary>Fills in and sends the sign-in form, on which the page must be (StartAsync a page that needs sign-in).</summary>
    protected async Task SignInAsync(string email, string password = DemoPassword)
    {
        await Expect(Page).ToHaveURLAsync(SignInUrl());
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    protected static Regex SignInUrl() => SignInUrlPattern();

    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [GeneratedRegex("/account/login(\\?|$)")]
    private static partial Regex SignInUrlPattern();

    [GeneratedRegex("[^A-Za-z0-9]+")]
    private static partial Regex FileNamePart();
}
