using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests.Infrastructure;

/// <summary>
/// An axe-core scan of the page as it is shown (WCAG 2.0 and 2.1, levels A and AA), kept per page so that one test
/// walks many pages and fails once, naming every page, rule, element and help address (decision 0162). axe's script
/// ships inside the Deque.AxeCore.Playwright package and is evaluated by Playwright, which the app's
/// Content-Security-Policy does not restrict: the app's policy stays as it is.
/// </summary>
public sealed class AxeScan(ITestOutputHelper output)
{
    /// <summary>The WCAG 2.0 and 2.1 success criteria of levels A and AA that axe checks.</summary>
    public static readonly IReadOnlyList<string> Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    private readonly List<string> _violations = [];
    private readonly List<string> _pages = [];

    /// <summary>The pages scanned, in order.</summary>
    public IReadOnlyList<string> Pages => _pages;

    /// <summary>
    /// Scans <paramref name="page"/> as it is now and keeps what axe found under <paramref name="name"/>.
    /// <paramref name="disabled"/> turns rules off on some elements only (rule id, CSS selector): each with the reason
    /// in a comment where it is passed, and a decision.
    /// </summary>
    public async Task ScanAsync(IPage page, string name, params (string Rule, string Selector)[] disabled)
    {
        // Scripted changes of the page (the focus moved to a summary, a fragment's target) are done before the scan.
        // Read in the page itself: Playwright's own load-state wait once missed the load of a page reached through the
        // sign-in's redirect and waited its 30 s out (CI at c5b5f89, the key account manager's reviews).
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");
        var options = new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. Tags] },
            ResultTypes = [ResultType.Violations],
        };
        var result = await page.RunAxe(options);
        _pages.Add(name);
        var found = 0;
        foreach (var violation in result.Violations)
        {
            foreach (var node in violation.Nodes)
            {
                var target = node.Target?.ToString() ?? "";
                if (disabled.Any(d => d.Rule == violation.Id && target == d.Selector))
                {
                    continue;
                }

                found++;
                // What axe says of the element: each check that failed (all of "all" and "none", one of "any").
                var checks = (node.All ?? []).Concat(node.None ?? []).Concat(node.Any ?? []).Select(c => c.Message).Where(m => !string.IsNullOrEmpty(m));
                var summary = string.Join("; ", checks).Replace('\n', ' ');
                var line = $"{name} ({page.Url}): {violation.Id} [{violation.Impact}] at {target}: {violation.Help}. {summary} " +
                    $"HTML: {Shorten(node.Html)} Help: {violation.HelpUrl}";
                _violations.Add(line);
                output.WriteLine("  " + line);
            }
        }

        output.WriteLine($"axe {name}: {page.Url} -> {found} violation(s)");
    }

    /// <summary>Fails with every violation found on every page scanned.</summary>
    public void AssertNoViolations()
    {
        if (_violations.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(_violations.Count).Append(" axe violation(s) of WCAG 2.1 A/AA on ").Append(_pages.Count).AppendLine(" page(s) scanned:");
        foreach (var violation in _violations)
        {
            message.Append("- ").AppendLine(violation);
        }

        Assert.Fail(message.ToString());
    }

    private static string Shorten(string? html) =>
        html is null ? "" : html.Length <= 200 ? html : html[..200] + "…";
}
