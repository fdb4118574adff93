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
            ResultTypes = [ResultType.Violations, ResultType.Incomplete],
        };
        var result = await page.RunAxe(options);
        _pages.Add(name);
        var found = 0;
        // "Needs review": what axe could not decide. Each was reviewed by hand (decision 0172); one not reviewed fails.
        foreach (var incomplete in result.Incomplete)
        {
            foreach (var node in incomplete.Nodes)
            {
                var target = node.Target?.ToString() ?? "";
                var checks = (node.All ?? []).Concat(node.None ?? []).Concat(node.Any ?? []).ToList();
                var reasons = string.Join("; ", checks.Select(c => c.Message).Where(m => !string.IsNullOrEmpty(m))).Replace('\n', ' ');
                var reviewed = ReviewedIncomplete.FirstOrDefault(r => r.Rule == incomplete.Id && r.Matches(target, node.Html ?? "", reasons));
                var line = $"{name} ({page.Url}): {incomplete.Id} at {target}: {reasons} HTML: {Shorten(node.Html)}";
                output.WriteLine((reviewed.Rule is null ? "  incomplete, not reviewed: " : $"  incomplete, reviewed ({reviewed.Why}): ") + line);
                if (reviewed.Rule is null)
                {
                    found++;
                    _violations.Add("incomplete result not reviewed (decision 0172): " + line);
                }
            }
        }

        // A title attribute whose text is nowhere else in its element's text, name or description (decision 0170): a
        // tooltip only a mouse shows.
        var titled = await page.EvaluateAsync<string[]>(TitleOnlyScript);
        foreach (var element in titled)
        {
            found++;
            var line = $"{name} ({page.Url}): title-only: a title attribute says what nothing else does (decision 0170). HTML: {Shorten(element)}";
            _violations.Add(line);
            output.WriteLine("  " + line);
        }

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

    /// <summary>
    /// The incomplete ("needs review") results of axe reviewed by hand and known to be fine (decision 0172): rule, what
    /// identifies them (target, HTML and axe's reasons) and why they are fine. A new one fails the scan until reviewed.
    /// </summary>
    public static readonly IReadOnlyList<(string Rule, Func<string, string, string, bool> Matches, string Why)> ReviewedIncomplete =
    [
        // Bootstrap draws a select's arrow and an invalid field's mark as a background image; the text is #212529 on the
        // field's white (15.4:1), the image beside it, not under it.
        ("color-contrast", (_, html, reasons) => reasons.Contains("background image", StringComparison.Ordinal)
            && (html.StartsWith("<select", StringComparison.Ordinal) || (html.StartsWith("<input", StringComparison.Ordinal) && html.Contains("is-invalid", StringComparison.Ordinal))),
            "a select's arrow or an invalid field's mark: text #212529 on white, 15.4:1"),
        // A move button's ↑ or ↓ is an icon (1.4.11, 3:1): #6c757d on white is 4.7:1.
        ("color-contrast", (_, html, reasons) => reasons.Contains("non-text characters", StringComparison.Ordinal)
            && html.Contains("aria-label=\"Move ", StringComparison.Ordinal),
            "a move button's arrow: #6c757d on white, 4.7:1"),
        // A move button shows ↑ or ↓, a symbol, not a text label (2.5.3 concerns text): its name says "Move Finance up".
        ("label-content-name-mismatch", (_, html, _) => html.Contains("aria-label=\"Move ", StringComparison.Ordinal),
            "a move button's arrow is a symbol; its name says the move"),
    ];

    /// <summary>The elements (their HTML) whose title attribute states what their text, name and description do not.</summary>
    private const string TitleOnlyScript = """
        () => {
            const norm = s => (s || '').replace(/\s+/g, ' ').trim();
            const texts = ids => (ids || '').split(/\s+/).filter(Boolean)
                .map(id => { const e = document.getElementById(id); return e ? e.textContent : ''; }).join(' ');
            return [...document.querySelectorAll('body [title]')].filter(e => {
                const title = norm(e.getAttribute('title'));
                const said = norm([e.getAttribute('aria-label'), e.textContent, texts(e.getAttribute('aria-labelledby')),
                    texts(e.getAttribute('aria-describedby'))].join(' '));
                return title.length > 0 && !said.includes(title);
            }).map(e => e.outerHTML);
        }
        """;

    /// <summary>
    /// Presses Tab through <paramref name="page"/> from its start (at most <paramref name="stops"/> times, until the
    /// focus comes back) and keeps, as a violation, every control whose focus is not drawn as a solid outline of at
    /// least 2 px with 3:1 against the background behind it (WCAG 2.4.7 and 1.4.11, decision 0171). Returns the number
    /// of controls reached.
    /// </summary>
    public async Task<int> FocusRingsAsync(IPage page, string name, int stops = 80)
    {
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");
        await page.EvaluateAsync("() => { document.activeElement?.blur(); window.getSelection()?.removeAllRanges(); document.querySelectorAll('[data-focus-seen]').forEach(e => e.removeAttribute('data-focus-seen')); }");
        var reached = 0;
        for (var i = 0; i < stops; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var json = await page.EvaluateAsync<System.Text.Json.JsonElement>(FocusRingScript);
            if (json.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                continue;
            }

            var ring = new FocusRing(json.GetProperty("tag").GetString() ?? "", json.GetProperty("label").GetString() ?? "",
                json.GetProperty("style").GetString() ?? "", json.GetProperty("width").GetDouble(), json.GetProperty("ratio").GetDouble(),
                json.GetProperty("seen").GetBoolean());

            if (ring.Seen)
            {
                break;
            }

            reached++;
            if (ring.Style is "none" or "auto" || ring.Width < 2 || ring.Ratio < 3)
            {
                var line = $"{name} ({page.Url}): focus-ring: <{ring.Tag}> \"{ring.Label}\" shows its focus as outline {ring.Style} {ring.Width}px at {ring.Ratio}:1 against its background (2 px solid, 3:1 wanted; decision 0171)";
                _violations.Add(line);
                output.WriteLine("  " + line);
            }
        }

        output.WriteLine($"focus {name}: {page.Url} -> {reached} control(s) reached by Tab");
        return reached;
    }

    /// <summary>What the focused element's outline is (null on the page's body).</summary>
    public sealed record FocusRing(string Tag, string Label, string Style, double Width, double Ratio, bool Seen);

    private const string FocusRingScript = """
        () => {
            const e = document.activeElement;
            if (!e || e === document.body || e === document.documentElement) return 'body';
            if (e.hasAttribute('data-focus-seen')) return { tag: '', label: '', style: '', width: 0, ratio: 0, seen: true };
            e.setAttribute('data-focus-seen', '');
            const parse = c => {
                const m = /rgba?\(([^)]+)\)/.exec(c || '');
                if (!m) return null;
                const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
                return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
            };
            const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
            // The outline is drawn outside the element: against the first opaque background around it.
            let background = { r: 255, g: 255, b: 255, a: 1 };
            for (let p = e.parentElement; p; p = p.parentElement) {
                const c = parse(getComputedStyle(p).backgroundColor);
                if (c && c.a >= 0.99) { background = c; break; }
            }
            const style = getComputedStyle(e);
            const color = parse(style.outlineColor);
            const ratio = color
                ? (Math.max(luminance(color), luminance(background)) + 0.05) / (Math.min(luminance(color), luminance(background)) + 0.05)
                : 0;
            const label = (e.getAttribute('aria-label') || e.textContent || e.getAttribute('name') || e.id || '').replace(/\s+/g, ' ').trim().slice(0, 60);
            return { tag: e.tagName.toLowerCase(), label, style: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0,
                ratio: Math.round(ratio * 100) / 100, seen: false };
        }
        """;

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
