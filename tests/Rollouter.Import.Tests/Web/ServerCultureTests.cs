using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The app on a server whose culture is not English (LANG=ar_SA.UTF-8, de_DE, tr_TR): .NET takes it as every thread's
/// default culture. QA saw dates in the Hijri calendar labelled UTC ("1448-06-25 11:23 UTC"), "2,4 KB", and a failure
/// message stored as "1.200 of 1.200 rows …". The app runs in one culture whatever the server's (decision 0042).
/// </summary>
/// <remarks>
/// A thread's default culture is the process's: this collection runs alone, after the others, and puts it back.
/// </remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerCultureCollection
{
    public const string Name = "Server culture";
}

/// <summary>
/// The app started on a process whose default culture is Arabic (Saudi Arabia: the Hijri calendar) with German number
/// separators ("1.200", "2,4"): both of QA's findings in one culture.
/// </summary>
public sealed class ForeignCultureWebFactory : RolloutWebFactory
{
    private readonly CultureInfo? _culture = CultureInfo.DefaultThreadCurrentCulture;
    private readonly CultureInfo? _uiCulture = CultureInfo.DefaultThreadCurrentUICulture;

    public ForeignCultureWebFactory()
    {
        var server = (CultureInfo)new CultureInfo("ar-SA").Clone();
        server.NumberFormat.NumberGroupSeparator = ".";
        server.NumberFormat.NumberDecimalSeparator = ",";
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = server;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        (CultureInfo.DefaultThreadCurrentCulture, CultureInfo.DefaultThreadCurrentUICulture) = (_culture, _uiCulture);
    }
}

[Collection(ServerCultureCollection.Name)]
public sealed class ServerCultureTests(ForeignCultureWebFactory factory) : IClassFixture<ForeignCultureWebFactory>
{
    [Fact]
    public async Task AFailedImport_StoresAndShowsItsMessage_WithEnglishNumbers_AndItsPageGregorianDates()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var csv = "Name,Status\n" + string.Concat(Enumerable.Range(1, 1_200).Select(i => $"CULTURE-{i.ToString(CultureInfo.InvariantCulture)},Lost\n"));
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "culture.csv", csv));
        var id = import.Id();
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{id}/mapping", new
        {
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Status" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);

        var failed = await api.WaitForResultAsync(id);

        Assert.Equal("Failed", failed.Status());
        Assert.StartsWith("1,200 of 1,200 rows could not be imported.", failed["failureMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        var createdAt = await DbAsync(db => db.Imports.Where(i => i.Id == id).Select(i => i.CreatedAt).SingleAsync());
        var shown = createdAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        var browser = await factory.SignInAsync("manager@demo.test");
        var page = (await browser.GetPageAsync($"/rollouts/W11/imports/{id}")).Body!.NormalizedText();
        Assert.Contains(shown, page, StringComparison.Ordinal);
        // The file is 20 KB and some: "(20.x KB)", not "(20,x KB)".
        var kilobytes = (Encoding.UTF8.GetByteCount(csv) / 1024.0).ToString("N1", CultureInfo.InvariantCulture);
        Assert.Contains($"({kilobytes} KB)", page, StringComparison.Ordinal);
        // The message states the count already: the page adds no "(1200 failed rows)".
        Assert.Contains("1,200 of 1,200 rows could not be imported.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("failed rows)", page, StringComparison.Ordinal);
        var list = (await browser.GetPageAsync("/rollouts/W11/imports")).Body!.NormalizedText();
        Assert.Contains(shown, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExport_IsNamedWithTheGregorianDate()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var laptops = await api.InventoryIdAsync(await api.RolloutIdAsync("W11"), "Laptops");
        var browser = await factory.SignInAsync("manager@demo.test");
        var today = DateTimeOffset.UtcNow;

        var response = await browser.GetAsync($"/rollouts/W11/inventories/{laptops}/export");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.NotNull(disposition);
        Assert.Contains($"Laptops-clients-{today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.xlsx",
            disposition.FileNameStar ?? disposition.FileName, StringComparison.Ordinal);
    }

    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }
}
