// One collection at a time: each runs its own app, and two apps and two browsers at once are too much for a small
// machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Rollouter.Import.BrowserTests.Infrastructure;

/// <summary>
/// One app and one Chromium for every test of the "Browser" collection; each test opens its own browser context
/// (cookies, storage) through <see cref="BrowserTest"/>.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium; Playwright's own browser builds are never downloaded.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private AppServer? _app;

    public AppServer App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>Names the app's log file, artifacts/browser-tests-&lt;name&gt;.log.</summary>
    protected virtual string AppName => "app";

    /// <summary>Null: the app with demo data; otherwise a fresh installation with only this administrator.</summary>
    protected virtual AppServer.InitialAdministrator? Administrator => null;

    public async Task InitializeAsync()
    {
        // A missing browser fails every test with this message; it never skips them.
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}. Install Debian's package (apt-get install chromium), " +
                "or run ./test.sh, which installs it. The browser tests never download a browser of their own.");
        }

        // The app starts (migrations, demo data) while Playwright's driver and Chromium come up.
        var starting = AppServer.StartAsync(AppName, Administrator);
        try
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                Timeout = 60_000,
            });
        }
        catch
        {
            try
            {
                _app = await starting;
            }
            catch (Exception)
            {
                // The browser's failure is the one to report.
            }

            await DisposeAsync();
            throw;
        }

        try
        {
            _app = await starting;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            _browser = null;
        }

        _playwright?.Dispose();
        _playwright = null;
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>
/// The wizard's own app (and Chromium): its imports create and change clients, which must not reach the demo data the
/// "Browser" collection's tests count on. Its log is artifacts/browser-tests-wizard.log.
/// </summary>
public sealed class WizardFixture : BrowserFixture
{
    protected override string AppName => "wizard";
}

[CollectionDefinition(Name)]
public sealed class WizardCollection : ICollectionFixture<WizardFixture>
{
    public const string Name = "Wizard";
}

/// <summary>
/// A fresh installation (<see cref="FreshInstallationTests"/>): Production without demo data, only the initial
/// administrator <see cref="AdministratorEmail"/>. Its log is artifacts/browser-tests-fresh.log.
/// </summary>
public sealed class FreshInstallationFixture : BrowserFixture
{
    public const string AdministratorEmail = "admin@fresh.test";
    public const string AdministratorPassword = "Fresh!Admin2026";

    protected override string AppName => "fresh";

    protected override AppServer.InitialAdministrator? Administrator => new(AdministratorEmail, AdministratorPassword);
}

[CollectionDefinition(Name)]
public sealed class FreshInstallationCollection : ICollectionFixture<FreshInstallationFixture>
{
    public const string Name = "FreshInstallation";
}
