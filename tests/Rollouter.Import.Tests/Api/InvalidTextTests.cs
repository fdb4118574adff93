using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.TestData;
using Rollouter.Import.Testing;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// U+FFFE and half a surrogate pair (Excel's LEFT() or MID() cutting an emoji in two saves <c>_xD83D_</c>) are not
/// valid text: .NET's normalisation throws on them. Wherever a text from outside is kept as seen they become U+FFFD
/// (decision 0044), so an import holding one is checked and written, and a search, a form or a sign-in is answered.
/// </summary>
public abstract class InvalidTextTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    private async Task<(HttpClient Client, int RolloutId, int LaptopsId)> ManagerAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        return (client, rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"));
    }

    /// <summary>A rollout of its own whose inventory has no required field: every row here can be written.</summary>
    private async Task<(HttpClient Client, string Identifier, int RolloutId, int InventoryId)> OwnRolloutAsync()
    {
        var (identifier, inventoryId) = await OwnRollouts.AddAsync(factory, clientLimit: null);
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        return (client, identifier, await client.RolloutIdAsync(identifier), inventoryId);
    }

    private static async Task MapNameAndDescriptionAsync(HttpClient client, int importId, bool third = false)
    {
        using var mapped = await client.PutAsJsonAsync($"/api/imports/{importId}/mapping", new
        {
            columns = third
                ? new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Description" }, new { letter = "C", target = (string?)null } }
                : new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Description" } },
        });
        Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);
    }

    [Fact]
    public void AsSeen_ReplacesWhatIsNotValidText_AndKeepsSurrogatePairs()
    {
        // Built here, not in attributes: an attribute's string loses a lone surrogate on its way through metadata.
        var cases = new (string Text, string Seen)[]
        {
            ("I\uFFFE T", "I\uFFFD T"),
            ("LT-1\uD83D", "LT-1\uFFFD"),
            ("\uDE00x", "\uFFFDx"),
            ("Jo\u0308rg\uD800", "J\u00F6rg\uFFFD"),
            ("PC \uD83D\uDE00", "PC \uD83D\uDE00"),
            ("\uFFFF\uFDD0\uDBFF\uDFFF", "\uFFFF\uFDD0\uDBFF\uDFFF"),
        };

        foreach (var (text, seen) in cases)
        {
            Assert.Equal(seen, PlainText.AsSeen(text));
            Assert.Equal(text == seen, PlainText.IsAsSeen(text));
            Assert.True(PlainText.IsAsSeen(seen));
        }
    }

    [Fact]
    public async Task Api_CheckAndApprove_ACsvCellWithUFFFE_WritesItAsU_FFFD()
    {
        var (client, _, rolloutId, laptopsId) = await OwnRolloutAsync();
        var (one, two) = (Unique("ONE-"), Unique("ONE-"));
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "one.csv",
            $"Name,Description\r\n{one},IT\r\n{two}\uFFFE,I\uFFFE T\r\n"));
        await MapNameAndDescriptionAsync(client, import.Id());

        var check = await client.PostAsync($"/api/imports/{import.Id()}/check", null);

        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        var checkBody = await ApiTestClient.ReadAsync(check);
        Assert.True(0 == checkBody["failedRows"]!.GetValue<int>(), checkBody.Json());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        var written = await factory.WithDbAsync(db => db.Clients.Where(c => c.Name == two + "\uFFFD").Select(c => c.Description).ToListAsync());
        Assert.Equal(["I\uFFFD T"], written);
    }

    [Fact]
    public async Task Api_AUtf16CsvWithHalfASurrogatePair_IsUploaded_AndWrittenWithU_FFFD()
    {
        // Excel's "Unicode Text" (UTF-16 with a byte order mark) of a cell whose emoji LEFT() cut in two.
        var (client, _, rolloutId, laptopsId) = await OwnRolloutAsync();
        var name = Unique("U16-");
        byte[] bytes = [0xFF, 0xFE, .. Rollouter.Import.Tests.Reading.TestFiles.Utf16Units($"Name,Description\r\n{name}\uD800,IT \uD83D\r\n", bigEndian: false)];

        var upload = await client.UploadAsync(rolloutId, laptopsId, "u16.csv", bytes);

        Assert.True(upload.StatusCode == HttpStatusCode.Created, await upload.Content.ReadAsStringAsync());
        var import = await ApiTestClient.ReadAsync(upload);
        await MapNameAndDescriptionAsync(client, import.Id());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        var written = await factory.WithDbAsync(db => db.Clients.Where(c => c.Name == name + "\uFFFD").Select(c => c.Description).ToListAsync());
        Assert.Equal(["IT \uFFFD"], written);
    }

    [Fact]
    public async Task Api_AnXlsxWithHalfASurrogatePair_IsCheckedAndWritten_AndAFailedRowKeepsItsCells()
    {
        var (client, identifier, rolloutId, laptopsId) = await OwnRolloutAsync();
        var (sur, existing) = (Unique("SUR-"), Unique("SUR-"));
        var first = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "first.csv", $"Name,Description\n{existing},x\n"));
        await MapNameAndDescriptionAsync(client, first.Id());
        await client.PostAsync($"/api/imports/{first.Id()}/approve", null);
        Assert.Equal("Completed", (await client.WaitForResultAsync(first.Id())).Status());

        // _xD800_ and _xFFFE_ are how an .xlsx writes these characters; the third column is not imported.
        var file = new ClientFile("Name", "Description", "Note")
            .Row(sur + "_xFFFE_", "I_xD800_T", "cut _xD83D_")
            .Row(existing, "again _xDE00_", "cut _xD83D_");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "sur.xlsx", file.ToXlsx()));
        await MapNameAndDescriptionAsync(client, import.Id(), third: true);

        var check = await client.PostAsync($"/api/imports/{import.Id()}/check", null);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Equal(1, (await ApiTestClient.ReadAsync(check))["failedRows"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());
        Assert.True("Failed" == result.Status(), result.Json());
        Assert.Equal(1, result["counts"]!["failedRows"]!.GetValue<int>());

        // The failed row is listed and reported: the row is the existing name's, not an unexpected error.
        var errors = await client.GetAsync($"/api/imports/{import.Id()}/errors");
        Assert.Equal(HttpStatusCode.OK, errors.StatusCode);
        Assert.Equal(3, (await ApiTestClient.ReadAsync(errors))["items"]![0]!["row"]!.GetValue<int>());
        var report = await client.GetAsync($"/api/imports/{import.Id()}/error-report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.NotEmpty(await report.Content.ReadAsByteArrayAsync());

        // The import's page shows the failed row and its cells.
        var page = await factory.SignInAsync("manager@demo.test");
        var details = await page.GetAsync($"/rollouts/{identifier}/imports/{import.Id()}");
        Assert.Equal(HttpStatusCode.OK, details.StatusCode);
    }

    [Fact]
    public async Task Api_AnXlsxWithANul_IsWrittenWithoutIt_AndAFailedRowHoldingOneIsListedAndReported()
    {
        // _x0000_ is how an .xlsx writes a NUL (CHAR(0) pasted as a value, or another program's export); PostgreSQL
        // refuses it in a text, so the import failed with an unexpected error on every retry. It does not show: it is
        // dropped as every stored text drops it (decision 0040).
        var (client, _, rolloutId, laptopsId) = await OwnRolloutAsync();
        var (nul, existing) = (Unique("NUL-"), Unique("NUL-"));
        var first = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "first.csv", $"Name,Description\n{existing},x\n"));
        await MapNameAndDescriptionAsync(client, first.Id());
        await client.PostAsync($"/api/imports/{first.Id()}/approve", null);
        Assert.Equal("Completed", (await client.WaitForResultAsync(first.Id())).Status());

        var failing = new ClientFile("Name", "Description", "No_x0000_te")
            .Row(nul + "_x0000_", "I_x0000_T", "n_x0000_")
            .Row(existing + "_x0000_", "again _x0000_", "n_x0000_");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "nul.xlsx", failing.ToXlsx()));
        await MapNameAndDescriptionAsync(client, import.Id(), third: true);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());
        Assert.True("Failed" == result.Status() && result["counts"]!["failedRows"]!.GetValue<int>() == 1, result.Json());
        var errors = await client.GetAsync($"/api/imports/{import.Id()}/errors");
        Assert.Equal(HttpStatusCode.OK, errors.StatusCode);
        Assert.Equal(3, (await ApiTestClient.ReadAsync(errors))["items"]![0]!["row"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/imports/{import.Id()}/error-report")).StatusCode);

        var good = new ClientFile("Name", "Description", "No_x0000_te").Row(nul + "_x0000_", "I_x0000_T", "n_x0000_");
        var second = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "nul2.xlsx", good.ToXlsx()));
        await MapNameAndDescriptionAsync(client, second.Id(), third: true);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{second.Id()}/approve", null)).StatusCode);
        var done = await client.WaitForResultAsync(second.Id());
        Assert.True("Completed" == done.Status(), done.Json());
        var written = await factory.WithDbAsync(db => db.Clients.Where(c => c.Name == nul).Select(c => c.Description).ToListAsync());
        Assert.Equal(["IT"], written);
    }

    /// <summary>
    /// QA: the mapping step showed a workbook's NUL (an .xlsx's <c>_x0000_</c>) as "�" in the headers and sample values,
    /// although the check drops it (decision 0040 amended): they are shown as the check reads them, and a failed row
    /// names its column's header without it (PostgreSQL refuses a NUL in a text).
    /// </summary>
    [Fact]
    public async Task MappingStep_ShowsAWorkbooksNul_AsTheCheckReadsIt_NotAsAReplacementCharacter()
    {
        var (client, identifier, rolloutId, laptopsId) = await OwnRolloutAsync();
        var existing = Unique("NULH-");
        var first = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "first.csv", $"Name,Description\n{existing},x\n"));
        await MapNameAndDescriptionAsync(client, first.Id());
        await client.PostAsync($"/api/imports/{first.Id()}/approve", null);
        Assert.Equal("Completed", (await client.WaitForResultAsync(first.Id())).Status());

        var file = new ClientFile("Na_x0000_me", "Desc_x0000_ription").Row(existing + "_x0000_", "I_x0000_T");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "preview.xlsx", file.ToXlsx()));

        var columns = (await client.GetJsonAsync($"/api/imports/{import.Id()}"))["columns"]!.AsArray();
        Assert.Equal(["Name", "Description"], columns.Select(c => c!["header"]!.GetValue<string>()));
        Assert.Equal([existing, "IT"], columns.Select(c => c!["samples"]![0]!.GetValue<string>()));

        var browser = await factory.SignInAsync("manager@demo.test");
        var page = await browser.GetPageAsync($"/rollouts/{identifier}/imports/{import.Id()}");
        var mapping = page.TestId("mapping").QuerySelectorAll("tbody tr")
            .Select(r => r.QuerySelectorAll("td").Skip(1).Take(2).Select(td => td.NormalizedText()).ToList()).ToList();
        Assert.Equal([["Name", existing], ["Description", "IT"]], mapping);
        var preview = page.TestId("preview").QuerySelectorAll("tr").Select(r => r.QuerySelectorAll("th, td").Select(c => c.NormalizedText()).ToList()).ToList();
        Assert.Equal(["1", "Name", "Description"], preview[1]);
        Assert.Equal(["2", existing, "IT"], preview[2]);

        // The row fails (the name exists): its error names the column's header as shown, and is stored.
        await MapNameAndDescriptionAsync(client, import.Id());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());
        Assert.True("Failed" == result.Status() && result["counts"]!["failedRows"]!.GetValue<int>() == 1, result.Json());
        var error = (await client.GetJsonAsync($"/api/imports/{import.Id()}/errors"))["items"]![0]!;
        Assert.Equal(("A", "Name"), (error["column"]?.GetValue<string>(), error["header"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Page_CheckOfAnImportWithUFFFE_ShowsItsResult()
    {
        var (client, identifier, rolloutId, laptopsId) = await OwnRolloutAsync();
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "page.csv",
            $"Name,Description\r\n{Unique("PAGE-")},I\uFFFE T\r\n"));
        await MapNameAndDescriptionAsync(client, import.Id());
        var browser = await factory.SignInAsync("manager@demo.test");

        var check = await browser.GetAsync($"/rollouts/{identifier}/imports/{import.Id()}/check");
        var shown = check.StatusCode == HttpStatusCode.Redirect && check.Headers.Location is { } location
            ? await browser.GetAsync(location.OriginalString)
            : check;

        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("would be imported", (await shown.ReadPageAsync()).Body?.TextContent ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ACellCorrectedWithUFFFE_IsStoredAndShownWithU_FFFD_AsCheckReadsIt()
    {
        var (client, identifier, rolloutId, laptopsId) = await OwnRolloutAsync();
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "correct.csv",
            $"Name,Description\r\n{Unique("COR-")},IT\r\n"));
        await MapNameAndDescriptionAsync(client, import.Id());
        var browser = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/{identifier}/imports/{import.Id()}";

        var posted = await RolloutWebFactory.PostFormAsync(browser, path + "/corrections",
            new() { ["Row"] = "2", ["Column"] = "B", ["Value"] = "I\uFFFE T", ["Back"] = "corrections" }, path);

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var page = await browser.GetPageAsync(posted.Headers.Location!.OriginalString);
        var corrected = page.TestId("corrected-cells").QuerySelectorAll("tbody tr").Single().QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["2", "B (Description)", "IT", "I\uFFFD T"], corrected.Take(4));
        Assert.Contains("corrected to 'I\uFFFD T'", page.TestId("card-message").NormalizedText(), StringComparison.Ordinal);
        var api = await client.GetJsonAsync($"/api/imports/{import.Id()}/corrections");
        Assert.Equal("I\uFFFD T", api["cells"]![0]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Searches_WithUFFFE_AreAnswered()
    {
        var (api, _, laptopsId) = await ManagerAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");

        foreach (var (client, url) in new[]
        {
            (manager, $"/rollouts/W11/inventories/{laptopsId}?search=ab%EF%BF%BEcd"),
            (manager, $"/rollouts/W11/inventories/{laptopsId}?from=ab%EF%BF%BEcd"),
            (api, $"/api/inventories/{laptopsId}/clients?search=ab%EF%BF%BEcd"),
            (admin, "/settings/users?q=ab%EF%BF%BEcd"),
        })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Api_AWorkflowNamedWithUFFFE_IsCreated_WithU_FFFD()
    {
        var (api, _, _) = await ManagerAsync();
        var name = Unique("W") + "\uFFFE";

        var created = await api.PostAsJsonAsync("/api/workflows", new { name, statuses = new[] { "New\uFFFE" } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(name[..^1] + "\uFFFD", (await ApiTestClient.ReadAsync(created))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task SignIn_WithUFFFEInTheEmail_IsTheUsualRefusal()
    {
        var page = await RolloutWebFactory.PostFormAsync(factory.CreateBrowser(), "/account/login",
            new() { ["Email"] = "a\uFFFE@x", ["Password"] = "whatever" });
        var api = await factory.CreateBrowser().PostAsJsonAsync("/api/auth/login", new { email = "a\uFFFE@x", password = "whatever" });

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("The email or password is not correct", (await page.ReadPageAsync()).Body?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }
}

public sealed class SqliteInvalidTextTests(RolloutWebFactory factory)
    : InvalidTextTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresInvalidTextTests(PostgresWebFactory factory)
    : InvalidTextTests(factory), IClassFixture<PostgresWebFactory>;
