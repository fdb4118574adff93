using System.Net;
using System.Text;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>An import's downloads, the uploaded file and the error report: their names, and who gets them.</summary>
public sealed class ImportDownloadsTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static string OfferedName(HttpResponseMessage response)
    {
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.NotNull(disposition);
        return disposition.FileNameStar ?? disposition.FileName?.Trim('"') ?? "";
    }

    private static async Task<string> DownloadedNameAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return OfferedName(response);
    }

    private async Task<int> FailedImportAsync(HttpClient api, string fileName)
    {
        var rolloutId = await api.RolloutIdAsync("W11");
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, await api.InventoryIdAsync(rolloutId, "Laptops"),
            fileName, $"Name,Status\n{Unique("DL")},Nope\n"));
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await api.WaitForResultAsync(import.Id())).Status());
        return import.Id();
    }

    [Fact]
    public async Task TwoImportsOfTheSameFile_AreDownloadedUnderNamesCarryingTheirNumbers_PagesAndApiAlike()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var manager = await factory.SignInAsync("manager@demo.test");
        var kam = await factory.SignInAsync("kam@demo.test");
        int[] ids = [await FailedImportAsync(api, "big.csv"), await FailedImportAsync(api, "big.csv")];

        foreach (var id in ids)
        {
            Assert.Equal($"big-import-{id}.csv", await DownloadedNameAsync(manager, $"/rollouts/W11/imports/{id}/file"));
            Assert.Equal($"big-import-{id}.csv", await DownloadedNameAsync(kam, $"/reviews/W11/imports/{id}/file"));
            Assert.Equal($"big-import-{id}-errors.xlsx", await DownloadedNameAsync(manager, $"/rollouts/W11/imports/{id}/error-report"));
            Assert.Equal($"big-import-{id}-errors.xlsx", await DownloadedNameAsync(kam, $"/reviews/W11/imports/{id}/error-report"));
            Assert.Equal($"big-import-{id}-errors.xlsx", await DownloadedNameAsync(api, $"/api/imports/{id}/error-report"));
        }
    }

    [Fact]
    public async Task Api_DownloadsTheUploadedFile_AsUploaded_ForTheRolloutsManagersAndKeyAccountManagers_InTheOpenApiDocument()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var csv = $"Name;Department\r\n{Unique("APIFILE")};IT\r\n";
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, await api.InventoryIdAsync(rolloutId, "Laptops"),
            "inventory.csv", csv));
        var id = import.Id();

        foreach (var email in new[] { "manager@demo.test", "kam@demo.test", "admin@demo.test" })
        {
            var reader = await ApiTestClient.LoginAsync(factory, email);
            var file = await reader.GetAsync($"/api/imports/{id}/file");
            Assert.True(file.StatusCode == HttpStatusCode.OK, $"{email}: {(int)file.StatusCode} {await file.Content.ReadAsStringAsync()}");
            Assert.Equal(csv, Encoding.UTF8.GetString(await file.Content.ReadAsByteArrayAsync()));
            Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
            Assert.Equal($"inventory-import-{id}.csv", OfferedName(file));
        }

        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync($"/api/imports/{id}/file")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateBrowser().GetAsync($"/api/imports/{id}/file")).StatusCode);
        var missing = await api.GetAsync("/api/imports/987654/file");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        var document = await api.GetJsonAsync("/openapi/v1.json");
        var operation = document["paths"]?["/api/imports/{id}/file"]?["get"];
        Assert.NotNull(operation);
        Assert.Equal(["200", "401", "403", "404", "410", "503", "507"], [.. (operation["responses"]?.AsObject() ?? []).Select(r => r.Key).Order(StringComparer.Ordinal)]);
    }
}
