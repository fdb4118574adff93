using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// What a QA pass on small windows (320, 375, 640 and 768 px wide, 1280 px at 200 % zoom), on paper and on a slow
/// network found: long values that widened whole pages, a failed rows table that hid its reasons, a mapping whose only
/// control was out of reach on a phone, an upload without feedback. The wizard's app (<see cref="WizardFixture"/>); every
/// client and import it makes has a unique name.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class SmallScreensTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    /// <summary>QA's file: a 60-character serial number that fails the field's pattern, and an unknown user's 75-character email.</summary>
    private static readonly string LongSerial = "serial-" + new string('X', 53);

    private static readonly string LongEmail = "an.unknown.user.with.a.very.long.address." + new string('x', 21) + "@example.test";

    private static byte[] LongValuesCsv() => Encoding.UTF8.GetBytes(
        new ClientFile("Name", "Status", "Serial number", "Client User", "Department")
            .Row(Unique("QA"), "New", LongSerial, LongEmail, "IT")
            .Row(Unique("QA"), "New", "SN123456", LongEmail, "IT")
            .ToCsv());

    private Task<bool> PageScrollsSidewaysAsync() =>
        Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");

    /// <summary>The page's width at each window width where it is wider than the window ("320: 739 px"); empty when none is.</summary>
    private async Task<List<string>> WiderThanTheWindowAsync(params int[] widths)
    {
        var wider = new List<string>();
        foreach (var width in widths)
        {
            await Page.SetViewportSizeAsync(width, 800);
            if (await PageScrollsSidewaysAsync())
            {
                wider.Add($"{width}: {await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")} px");
            }
        }

        await Page.SetViewportSizeAsync(1280, 900);
        return wider;
    }

    /// <summary>
    /// Each failing cell of a table (Failed rows, Check) that a reader cannot see without scrolling sideways: its Message
    /// cell or its correction box past the window's or the table box's right edge; empty when every one is in view.
    /// </summary>
    private Task<string[]> FailingCellsOutOfViewAsync(string table) => Page.EvaluateAsync<string[]>(
        """
        testId => {
            const table = document.querySelector(`[data-testid=${testId}]`);
            const box = table.closest('.table-responsive').getBoundingClientRect();
            const right = Math.min(box.right, window.innerWidth) + 1;
            const hidden = [];
            for (const row of table.querySelectorAll('tbody tr[id], tbody tr:not([class])')) {
                const message = row.querySelector('[id$=-message]');
                const editor = row.querySelector('[data-testid=cell-editor] input:not([type=hidden]), [data-testid=cell-editor] select');
                for (const [name, element] of [['message', message], ['correction', editor]]) {
                    if (element && element.getBoundingClientRect().right > right) {
                        hidden.push(`${row.id || 'check'} ${name} ends at ${Math.round(element.getBoundingClientRect().right)} px, the box at ${Math.round(right)} px`);
                    }
                }
            }
            const scroller = table.closest('.table-responsive');
            if (scroller.scrollWidth > scroller.clientWidth + 1) {
                hidden.push(`the table scrolls sideways: ${scroller.scrollWidth} px in ${scroller.clientWidth} px`);
            }
            return hidden;
        }
        """, table);

    private async Task<string> FailedImportAsync(byte[] csv, string fileName)
    {
        await UploadAsync("W11", "Laptops", fileName, csv);
        await ApproveAsync("Failed");
        return Page.Url;
    }

    [Fact]
    public async Task ALongFailingValue_WrapsOnTheCheckTheFailedImportAndThePreview_AtPhoneWidths()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "long-values.csv", LongValuesCsv());
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Expect(Page.GetByTestId("check-result")).ToContainTextAsync("2 of 2 rows would fail");
        Assert.Empty(await WiderThanTheWindowAsync(320, 375, 640));
        await Step("check");

        await ApproveAsync("Failed");
        await Expect(Page.GetByTestId("replace-values")).ToContainTextAsync(LongSerial);
        Assert.Empty(await WiderThanTheWindowAsync(320, 375, 640));
        await Step("failed");

        var replace = Page.Locator("[data-testid=replacement-form][data-column=D]");
        await replace.Locator("input[name=To]").FillAsync("clientuser@demo.test");
        await replace.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(Page.GetByTestId("replacement-count")).ToContainTextAsync(LongEmail);
        Assert.Empty(await WiderThanTheWindowAsync(320, 375, 640));
        await Page.SetViewportSizeAsync(375, 667);
        await Step("preview-at-375");
    }

    [Fact]
    public async Task TheFailedRows_ShowEachReasonAndCorrectionBox_At1280AndOnAPhone()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await FailedImportAsync(LongValuesCsv(), "failed-rows.csv");

        await Page.SetViewportSizeAsync(1280, 720);
        Assert.Empty(await FailingCellsOutOfViewAsync("failed-rows-table"));
        await Step("at-1280");

        // On a phone each failing cell is a block, every value under its column's name.
        await Page.SetViewportSizeAsync(375, 667);
        Assert.Empty(await FailingCellsOutOfViewAsync("failed-rows-table"));
        Assert.False(await PageScrollsSidewaysAsync());
        var message = Page.GetByTestId("failed-rows-table").Locator("tbody tr").First.Locator("[id$=-message]");
        Assert.Equal("\"Message: \"", await message.EvaluateAsync<string>("cell => getComputedStyle(cell, '::before').content"));
        await Step("at-375");
    }

    [Fact]
    public async Task TheCorrectionBoxes_HoldAWord_At1024_768_AndAt200PercentZoom()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await FailedImportAsync(LongValuesCsv(), "boxes.csv");

        // 1280 px at 200 % zoom is a 640 px window.
        foreach (var (width, height) in new[] { (1024, 768), (768, 1024), (640, 360) })
        {
            await Page.SetViewportSizeAsync(width, height);
            var widths = await Page.GetByTestId("failed-rows-table").Locator("[data-testid=cell-editor] input:not([type=hidden]), [data-testid=cell-editor] select")
                .EvaluateAllAsync<double[]>("boxes => boxes.map(b => b.getBoundingClientRect().width)");
            Assert.NotEmpty(widths);
            // 10rem at the app's 15 px: "Scheduled", "N210105" and a serial number are read whole.
            Assert.All(widths, w => Assert.True(w >= 150, $"At {width} px a correction box is {w:0} px wide: {string.Join(", ", widths.Select(x => x.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}"));
            await Step($"at-{width}");
        }
    }

    [Fact]
    public async Task OnAPhone_EveryColumnsImportInto_IsInView_For45Columns()
    {
        var header = new[] { "Name" }.Concat(Enumerable.Range(2, 44).Select(i => $"Column {i} with a header")).ToArray();
        var file = new ClientFile(header);
        for (var row = 1; row <= 3; row++)
        {
            file.Row([Unique("WIDE"), .. Enumerable.Range(2, 44).Select(i => $"value {row}-{i}")]);
        }

        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "45-columns.csv", Encoding.UTF8.GetBytes(file.ToCsv()));
        await Page.SetViewportSizeAsync(320, 568);

        var outOfView = await Page.Locator("select[aria-label^='Import column']").EvaluateAllAsync<string[]>(
            "selects => selects.filter(s => { const r = s.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })" +
            ".map(s => `${s.getAttribute('aria-label')}: ${Math.round(s.getBoundingClientRect().left)}–${Math.round(s.getBoundingClientRect().right)} px`)");
        Assert.Empty(outOfView);
        Assert.Equal(45, await Page.Locator("select[aria-label^='Import column']").CountAsync());
        Assert.False(await Page.GetByTestId("mapping").EvaluateAsync<bool>(
            "table => { const box = table.closest('.table-responsive'); return box.scrollWidth > box.clientWidth + 1; }"));
        Assert.False(await PageScrollsSidewaysAsync());
        await Step("mapping-at-320");
    }

    [Fact]
    public async Task AnUnbrokenDescription_WrapsInItsColumn_AndTheCustomFieldsStayInView()
    {
        var name = Unique("DESC");
        var csv = new ClientFile("Name", "Status", "Department", "Description").Row(name, "New", "IT", new string('D', 160)).ToCsv();
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "description.csv", Encoding.UTF8.GetBytes(csv));
        await ApproveAsync("Completed");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        var row = await SearchClientAsync(name);

        var description = row.Locator("td").Nth(4);
        await Expect(description).ToHaveTextAsync(new string('D', 160));
        var box = await description.BoundingBoxAsync();
        Assert.NotNull(box);
        // 18rem at 15 px, and the cell's padding.
        Assert.True(box.Width <= 18 * 15 + 16, $"The description's column is {box.Width:0} px wide.");
        Assert.True(box.Height < 200, $"The client's row is {box.Height:0} px tall.");
        Assert.False(await Page.GetByTestId("clients").EvaluateAsync<bool>(
            "table => { const box = table.closest('.table-responsive'); return box.scrollWidth > box.clientWidth + 1; }"),
            "The client list scrolls sideways at 1280 px.");
        await Step("client-list");
    }

    [Fact]
    public async Task ASlowUpload_SaysHowFarItIs_AndASecondClickDoesNotStartItAgain()
    {
        var fileName = Unique("big").ToLowerInvariant() + ".csv";
        var file = new ClientFile("Name", "Status", "Description").Rows(1_024, i => [$"{fileName}-{i}", "New", new string('d', 2_000)]);
        var content = Encoding.UTF8.GetBytes(file.ToCsv());
        var size = (content.Length / (1024.0 * 1024)).ToString("N1", System.Globalization.CultureInfo.InvariantCulture) + " MB";
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await GoToAsync("/rollouts/W11/imports/new");
        await Page.GetByLabel("Inventory").SelectOptionAsync(new SelectOptionValue { Label = "Laptops" });
        await Page.GetByLabel("File (Excel").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "text/csv", Buffer = content });

        // A slow network: 512 KB/s up, so the 2 MB take seconds.
        var network = await Page.Context.NewCDPSessionAsync(Page);
        await network.SendAsync("Network.enable");
        await network.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 512 * 1024,
        });
        var upload = Page.GetByRole(AriaRole.Button, new() { Name = "Upload" });
        await upload.ClickAsync();

        var progress = Page.GetByTestId("upload-progress-text");
        await Expect(progress).ToHaveTextAsync(new Regex($"^Uploading {Regex.Escape(fileName)} \\({Regex.Escape(size)}\\)… ([1-9]|[1-9][0-9]) %$"));
        await Expect(upload).ToBeDisabledAsync();
        var bar = Page.GetByRole(AriaRole.Progressbar, new() { Name = "Upload progress" });
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", new Regex("^[1-9][0-9]?$"));
        await Step("uploading");
        // A second click (or Enter) while it is sent does not post the form again.
        await Page.GetByTestId("upload-form").EvaluateAsync("form => form.requestSubmit()");

        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11/imports/\\d+$"), new() { Timeout = 60_000 });
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Import #" })).ToContainTextAsync(fileName);
        await network.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = -1,
        });
        await Step("uploaded");
        await GoToAsync("/rollouts/W11/imports");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = fileName })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task AnUploadTheServerRefuses_ShowsItsReasons_InTheSharedSummary_WithTheFocus()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await GoToAsync("/rollouts/W11/imports/new");
        await Page.GetByLabel("File (Excel").SetInputFilesAsync(new FilePayload { Name = "notes.csv", MimeType = "text/csv", Buffer = [] });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();

        var summary = Page.GetByTestId("upload-error");
        await Expect(summary).ToBeVisibleAsync();
        await Expect(summary).ToBeFocusedAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11/imports/new"));
        await Step("refused");

        // The form shown with the reasons works as the first: a file chosen again is uploaded.
        await Page.GetByLabel("File (Excel").SetInputFilesAsync(new FilePayload
        {
            Name = "again.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes($"Name\n{Unique("AGAIN")}\n"),
        });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Import #" })).ToContainTextAsync("again.csv");
    }

    [Fact]
    public async Task PrintingAFailedImport_ShowsEveryReason_WithoutTheMenuFormsAndButtons_AndSaysWhereTheWholeListIs()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await FailedImportAsync(LongValuesCsv(), "print.csv");

        // An A4 page's width, printed.
        await Page.SetViewportSizeAsync(700, 1000);
        await Page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(Page.Locator("header nav")).ToBeHiddenAsync();
        Assert.Equal(0, await Page.Locator("main form, main .btn").EvaluateAllAsync<int>(
            "elements => elements.filter(e => e.getClientRects().length > 0).length"));
        var clipped = await Page.GetByTestId("failed-rows-table").EvaluateAsync<string[]>(
            """
            table => {
                const box = table.closest('.table-responsive');
                const right = box.getBoundingClientRect().right + 1;
                return [...table.querySelectorAll('tbody td')]
                    .filter(td => td.getBoundingClientRect().right > right || (getComputedStyle(box).overflowX !== 'visible' && box.scrollWidth > box.clientWidth + 1))
                    .map(td => `${td.closest('tr').id}: ${td.textContent.trim().slice(0, 30)} ends at ${Math.round(td.getBoundingClientRect().right)} px, the page at ${Math.round(right)} px`);
            }
            """);
        Assert.Empty(clipped);
        await Expect(Page.GetByTestId("failed-rows-print-note")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("failed-rows-print-note")).ToContainTextAsync("Download the failed rows (.xlsx)");
        await Step("printed");

        await Page.EmulateMediaAsync(new() { Media = Media.Screen });
        await Expect(Page.GetByTestId("failed-rows-print-note")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task At768Pixels_TheFileCardsLabels_KeepToOneLine()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "labels.csv", Encoding.UTF8.GetBytes($"Name,Status\n{Unique("LBL")},New\n"));
        await Page.SetViewportSizeAsync(768, 1024);

        var wrapped = await Page.GetByTestId("file-details").Locator("dt").EvaluateAllAsync<string[]>(
            "labels => labels.filter(l => { const text = document.createRange(); text.selectNodeContents(l); " +
            "return text.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(l).lineHeight); }).map(l => l.textContent)");
        Assert.Empty(wrapped);
        await Step("file-card-at-768");
    }
}
