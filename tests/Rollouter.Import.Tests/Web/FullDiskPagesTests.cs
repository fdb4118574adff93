using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The data folder's disk is full: an upload is refused with 507 and a sentence (page and API), and an import whose
/// file cannot be copied to the disk still shows its page, with a notice instead of a 500; no half-written file stays.
/// </summary>
public sealed class FullDiskPagesTests(FullDiskWebFactory factory) : IClassFixture<FullDiskWebFactory>
{
    private const string UploadMessage = "The server has no room to store this file; ask your administrator.";

    private string Uploads => Path.Combine(factory.DataFolder, "uploads");

    private string Cache => Path.Combine(factory.DataFolder, "import-cache");

    private static byte[] Csv(string name) => Encoding.UTF8.GetBytes($"Name,Department\n{name},IT\n");

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task AnUploadThroughTheApi_OntoAFullDisk_Is507WithASentence_AndKeepsNothing()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        factory.Disk.Full = true;
        HttpResponseMessage refused;
        try
        {
            refused = await client.UploadAsync(rolloutId, laptops, "full.csv", Csv(Unique("FULL")));
        }
        finally
        {
            factory.Disk.Full = false;
        }

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await ApiTestClient.ReadAsync(refused);
        Assert.Equal(UploadMessage, problem["detail"]?.GetValue<string>());
        Assert.Equal(UploadMessage, problem["error"]?.GetValue<string>());
        Assert.Empty(Directory.Exists(Uploads) ? Directory.GetFiles(Uploads) : []);

        Assert.Equal(HttpStatusCode.Created, (await client.UploadAsync(rolloutId, laptops, "room.csv", Csv(Unique("ROOM")))).StatusCode);
    }

    [Fact]
    public async Task AnUploadOnThePage_OntoAFullDisk_ShowsTheFormAgainWith507AndTheSentence()
    {
        var browser = await factory.SignInAsync("manager@demo.test");
        var laptops = await InventoryIdAsync("Laptops");

        factory.Disk.Full = true;
        HttpResponseMessage refused;
        try
        {
            refused = await ImportPagesTests.UploadAsync(browser, laptops, "full.csv", Csv(Unique("FULL")));
        }
        finally
        {
            factory.Disk.Full = false;
        }

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        var page = await refused.ReadPageAsync();
        // The upload form again, as for any other refused upload, with the sentence and the inventory still chosen.
        Assert.Equal(UploadMessage, page.TestId("upload-error").NormalizedText());
        Assert.NotNull(page.TestId("upload-form").QuerySelector($"select[name='inventoryId'] option[value='{laptops}'][selected]"));
        Assert.Empty(Directory.Exists(Uploads) ? Directory.GetFiles(Uploads) : []);
    }

    [Fact]
    public async Task AnImportWhoseFileCannotBeCopiedToAFullDisk_ShowsItsPageAndItsStateWithANotice_AndRefusesItsStepsWith507()
    {
        var laptops = await InventoryIdAsync("Laptops");
        int rolloutId, userId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            rolloutId = await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync();
            userId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        }

        var import = (await TestImports.CreateAsync(factory.Services, rolloutId, laptops, "kept.csv", Csv(Unique("KEPT")), userId)).Import;
        // This instance's copy is gone (as on an instance that did not receive the upload): the file is fetched from
        // the database onto the disk when first needed, and the disk is full.
        foreach (var copy in Directory.GetFiles(Cache, $"import-{import.Id}-*"))
        {
            File.Delete(copy);
        }

        var browser = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var path = $"/rollouts/W11/imports/{import.Id}";
        factory.Disk.Full = true;
        try
        {
            var page = await browser.GetPageAsync(path);
            Assert.Contains(LocalDisk.ReadMessage, page.Body?.NormalizedText());

            var state = await api.GetJsonAsync($"/api/imports/{import.Id}");
            Assert.Equal(import.Status.ToString(), state.Status());
            Assert.Contains(LocalDisk.ReadMessage, state["warnings"]!.AsArray().Select(w => w?.GetValue<string>()));

            var mapping = await api.PutAsJsonAsync($"/api/imports/{import.Id}/mapping",
                new { updateExisting = false, columns = new[] { new { letter = "A", target = "Name" } } });
            Assert.Equal(HttpStatusCode.InsufficientStorage, mapping.StatusCode);
            Assert.Equal(LocalDisk.ReadMessage, (await ApiTestClient.ReadAsync(mapping))["detail"]?.GetValue<string>());

            var download = await browser.GetAsync($"{path}/file");
            Assert.Equal(HttpStatusCode.InsufficientStorage, download.StatusCode);

            Assert.Empty(Directory.GetFiles(Cache, $"import-{import.Id}-*"));
        }
        finally
        {
            factory.Disk.Full = false;
        }

        // With room again the file is read: the notice was not remembered as the file's problem.
        var again = await browser.GetPageAsync(path);
        Assert.DoesNotContain(LocalDisk.ReadMessage, again.Body?.NormalizedText());
        Assert.Contains("Department", again.Body?.NormalizedText());
        Assert.Single(Directory.GetFiles(Cache, $"import-{import.Id}-*"));
    }

    private async Task<int> InventoryIdAsync(string name)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (await db.Inventories.SingleAsync(i => i.Name == name)).Id;
    }
}
