using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// "Ignoring case" ignores the case of every letter, on SQLite as on PostgreSQL (decision 0051). QA on SQLite, whose
/// lower() and upper() fold ASCII letters only: <c>GET /api/users?q=Özlem</c> found nothing for "Özlem Ünal", and the
/// custom field "BÜRORAUM" was taken next to "Büroraum" (201 where an ASCII name is a 409).
/// </summary>
public abstract class NonAsciiCaseTests(RolloutWebFactory factory)
{
    private static string Unique() => Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

    private static async Task<(HttpStatusCode Status, string? Error)> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var error = response.IsSuccessStatusCode ? null : (await ApiTestClient.ReadAsync(response))["error"]?.GetValue<string>();
        return (response.StatusCode, error);
    }

    [Fact]
    public async Task Users_AreFound_ByTheirNameOrUserId_WhateverTheCaseOfTheirNonAsciiLetters()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var unique = Unique();
        var created = await PostAsync(admin, "/api/users", new
        {
            displayName = $"Özlem Ünal {unique}", email = $"oezlem.uenal.{unique.ToLowerInvariant()}@example.test",
            userCode = $"U-ÇÖ-{unique}", role = "Technician", password = "Str0ng!Password",
        });
        Assert.True(created.Status == HttpStatusCode.Created, created.Error);

        foreach (var query in new[] { "Özlem", "özlem", "ÖZLEM", "ünal " + unique.ToLowerInvariant(), "ÜNAL", $"u-çö-{unique}", "Çö-" })
        {
            var found = (await ApiTestClient.ReadAsync(await admin.GetAsync($"/api/users?q={Uri.EscapeDataString(query)}"))).AsArray();

            Assert.True(found.Any(u => u?["displayName"]?.GetValue<string>() == $"Özlem Ünal {unique}"), $"\"{query}\" did not find Özlem Ünal.");
        }

        // As before: a letter that differs is not the same letter.
        var other = (await ApiTestClient.ReadAsync(await admin.GetAsync($"/api/users?q={Uri.EscapeDataString("Ozlem Ünal " + unique)}"))).AsArray();
        Assert.Empty(other);
    }

    [Fact]
    public async Task AMember_IsAddedByATypedUserIdOrEmail_WhateverTheCaseOfItsNonAsciiLetters()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var unique = Unique();
        var rollout = await PostAsync(admin, "/api/rollouts", new { name = $"Case {unique}", identifier = $"CASE-{unique}", clientLimit = 100 });
        Assert.Equal(HttpStatusCode.Created, rollout.Status);
        var rolloutId = await factory.WithDbAsync(db => Task.FromResult(db.Rollouts.Single(r => r.Identifier == $"CASE-{unique}").Id));
        foreach (var (code, typed) in new[] { ($"u-jörg-{unique}", $"U-JÖRG-{unique}"), ($"U-ÄNNE-{unique}", $"u-änne-{unique}") })
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(admin, "/api/users", new
            {
                displayName = $"Member {code}", email = $"{Guid.NewGuid():N}@example.test", userCode = code, role = "Technician",
                password = "Str0ng!Password",
            })).Status);
            var browser = await factory.SignInAsync("admin@demo.test");
            var path = $"/settings/rollouts/{rolloutId.ToString(CultureInfo.InvariantCulture)}/members";

            var (_, page, _) = await browser.SubmitAsync(path, new() { ["Member"] = typed }, $"/settings/rollouts/{rolloutId.ToString(CultureInfo.InvariantCulture)}");

            Assert.Contains("The member was added.", page, StringComparison.Ordinal);
            Assert.Contains($"Member {code}", page, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string, string> SettingsNames() => new()
    {
        { "/api/custom-fields", "Büroraum", "BÜRORAUM" },
        // Lopsided before: the capital after the small letter was refused, the small one after the capital was taken.
        { "/api/custom-fields", "ÜBERGABE", "übergabe" },
        { "/api/workflows", "übergabe", "Übergabe" },
        { "/api/workflows", "Übergabe", "übergabe" },
        { "/api/workflows", "Ελληνικά", "ΕΛΛΗΝΙΚΆ" },
        { "/api/users", "u-jörg", "U-JÖRG" },
        { "/api/users", "U-JÖRG", "u-jörg" },
    };

    [Theory]
    [MemberData(nameof(SettingsNames))]
    public async Task ASettingsName_DifferingOnlyInTheCaseOfANonAsciiLetter_IsRefusedAsTaken(string path, string first, string second)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var unique = Unique();
        object Body(string name) => path switch
        {
            "/api/custom-fields" => new { name = $"{name} {unique}", type = "Input" },
            "/api/workflows" => new { name = $"{name} {unique}", statuses = new[] { "New" } },
            _ => new
            {
                displayName = $"User {name}", email = $"{Guid.NewGuid():N}@example.test", userCode = $"{name}-{unique}",
                role = "Technician", password = "Str0ng!Password",
            },
        };

        var created = await PostAsync(admin, path, Body(first));
        var taken = await PostAsync(admin, path, Body(second));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.Conflict, taken.Status);
        Assert.Contains(path == "/api/users" ? $"already has the user ID \"{second}-{unique}\"" : $"already named \"{second} {unique}\"",
            taken.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALinkTypeName_DifferingOnlyInTheCaseOfANonAsciiLetter_IsRefusedAsTaken()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var unique = Unique();

        await admin.SubmitAsync("/settings/link-types/new", new() { ["OutwardName"] = $"übergibt an {unique}", ["InwardName"] = $"übernimmt von {unique}" });
        var (_, page, _) = await admin.SubmitAsync("/settings/link-types/new",
            new() { ["OutwardName"] = $"Übergibt an {unique}", ["InwardName"] = $"x {unique}" });

        Assert.Contains($"Another link type is already named \"Übergibt an {unique}\".", page, StringComparison.Ordinal);
    }
}

public sealed class SqliteNonAsciiCaseTests(RolloutWebFactory factory)
    : NonAsciiCaseTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresNonAsciiCaseTests(PostgresWebFactory factory)
    : NonAsciiCaseTests(factory), IClassFixture<PostgresWebFactory>;
