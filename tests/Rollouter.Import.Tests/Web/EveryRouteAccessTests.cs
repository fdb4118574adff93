using System.Text;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Every route of the app, page and API, every method, asked by the demo's rollout manager for the things of a rollout
/// they are not a member of (its rollout, inventory, import, client, link; a workflow, field, status and option only it
/// uses; a user only in it): each answers as the same request for things that do not exist does, shows none of it, and
/// changes nothing of it (decision 0168). A route added later with a parameter this test cannot fill fails it, so that
/// it is asked too.
/// </summary>
public abstract class EveryRouteAccessTests(RolloutWebFactory factory, ITestOutputHelper output)
{
    private const string Own = DemoSeederIds.Own;
    private const string Other = DemoSeederIds.Other;

    /// <summary>The other rollout's things, each with a name no page of the manager's shows otherwise.</summary>
    private sealed record Foreign(string Tag, int RolloutId, int InventoryId, int ImportId, int ClientId, int LinkId,
        int WorkflowId, int StatusId, int FieldId, int OptionId, int UserId, int LinkTypeId);

    /// <summary>
    /// Routes a rollout manager may use with another rollout's shared settings (decision 0021): workflows and fields are
    /// read by every manager, and duplicated into a copy of their own; changing one is refused, and is asked below.
    /// </summary>
    private static readonly HashSet<string> SharedSettingsReads = new(StringComparer.Ordinal)
    {
        "GET settings/workflows/{id:int}", "GET settings/workflows/{id:int}/duplicate", "POST settings/workflows/{id:int}/duplicate",
        "GET settings/workflows/{id:int}/statuses/{statusId:int}/remove",
        "GET settings/custom-fields/{id:int}", "GET settings/custom-fields/{id:int}/duplicate", "POST settings/custom-fields/{id:int}/duplicate",
        "GET api/workflows/{id:int}", "GET api/custom-fields/{id:int}",
    };

    private async Task<Foreign> SeedAsync()
    {
        var tag = "FX" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var seeded = await factory.WithDbAsync(async db =>
        {
            var rollout = await db.Rollouts.SingleAsync(r => r.Identifier == Other);
            var workflow = new Workflow { Name = "Workflow " + tag, Statuses = [new WorkflowStatus { Name = "Status " + tag, Position = 0 }] };
            var field = new CustomField
            {
                Name = "Field " + tag, Type = CustomFieldType.Selection,
                Options = [new CustomFieldOption { Name = "Option " + tag, Position = 0 }],
            };
            db.AddRange(workflow, field);
            await db.SaveChangesAsync();
            var inventory = new Inventory
            {
                Name = "Inventory " + tag, RolloutId = rollout.Id, WorkflowId = workflow.Id, CreatedAt = DateTimeOffset.UtcNow,
                CustomFields = [new InventoryCustomField { CustomFieldId = field.Id, Position = 0 }],
            };
            db.Inventories.Add(inventory);
            await db.SaveChangesAsync();
            Client NewClient(string name) => new()
            {
                RolloutId = rollout.Id, InventoryId = inventory.Id, StatusId = workflow.Statuses[0].Id, Name = name,
                Description = "Description " + tag, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
                Values = new Dictionary<int, string[]> { [field.Id] = ["Option " + tag] },
            };
            var source = NewClient("Client " + tag);
            var target = NewClient("Other client " + tag);
            db.Clients.AddRange(source, target);
            inventory.ClientCount = 2;
            await db.SaveChangesAsync();
            var linkType = await db.ClientLinkTypes.OrderBy(t => t.Id).FirstAsync();
            var link = new ClientLink
            {
                ClientLinkTypeId = linkType.Id, SourceClientId = source.Id, TargetClientId = target.Id, CreatedAt = DateTimeOffset.UtcNow,
            };
            db.ClientLinks.Add(link);
            var email = $"{tag}@foreign.test".ToLowerInvariant();
            var user = new User
            {
                UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(),
                DisplayName = "User " + tag, UserCode = tag, Role = Role.Technician, SecurityStamp = Guid.NewGuid().ToString(),
                Rollouts = [new RolloutMember { RolloutId = rollout.Id }],
            };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return new Foreign(tag, rollout.Id, inventory.Id, 0, source.Id, link.Id, workflow.Id, workflow.Statuses[0].Id,
                field.Id, field.Options[0].Id, user.Id, linkType.Id);
        });
        var adminId = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync());
        using var scope = factory.Services.CreateScope();
        var import = await TestImports.CreateAsync(scope.ServiceProvider, seeded.RolloutId, seeded.InventoryId, $"import-{seeded.Tag}.csv",
            Encoding.UTF8.GetBytes($"Name,Status\nRow {seeded.Tag},Status {seeded.Tag}\n"), adminId);
        return seeded with { ImportId = import.Import.Id };
    }

    /// <summary>Everything of the other rollout a request could change, as one text to compare.</summary>
    private Task<string> SnapshotAsync(Foreign foreign) => factory.WithDbAsync(async db =>
    {
        var text = new StringBuilder();
        foreach (var r in await db.Rollouts.AsNoTracking().Where(r => r.Id == foreign.RolloutId).ToListAsync())
        {
            text.AppendLine($"rollout {r.Name} {r.Identifier} {r.ClientLimit}");
        }

        text.AppendJoin(',', await db.RolloutMembers.Where(m => m.RolloutId == foreign.RolloutId).Select(m => m.UserId).OrderBy(i => i).ToListAsync()).AppendLine();
        foreach (var i in await db.Inventories.AsNoTracking().Where(i => i.RolloutId == foreign.RolloutId).OrderBy(i => i.Id).ToListAsync())
        {
            text.AppendLine($"inventory {i.Id} {i.Name} {i.WorkflowId} {i.ClientCount}");
        }

        foreach (var c in await db.Clients.AsNoTracking().Where(c => c.RolloutId == foreign.RolloutId).OrderBy(c => c.Id).ToListAsync())
        {
            text.AppendLine($"client {c.Id} {c.Name} {c.StatusId} {c.Description} {c.AssigneeId} {c.ClientUserId} {c.Flag} "
                + string.Join(';', c.Values.OrderBy(v => v.Key).Select(v => $"{v.Key}={string.Join('|', v.Value)}")));
        }

        text.AppendJoin(',', await db.ClientLinks.Where(l => l.SourceClient.RolloutId == foreign.RolloutId || l.TargetClient.RolloutId == foreign.RolloutId)
            .OrderBy(l => l.Id).Select(l => $"{l.Id}:{l.SourceClientId}>{l.TargetClientId}:{l.ClientLinkTypeId}").ToListAsync()).AppendLine();
        foreach (var i in await db.Imports.AsNoTracking().Where(i => i.RolloutId == foreign.RolloutId).OrderBy(i => i.Id).ToListAsync())
        {
            text.AppendLine($"import {i.Id} {i.Status} {i.Mapping} {i.ParseOptions} {i.ApprovedById} {i.FileDeletedAt}");
        }

        var imports = db.Imports.Where(i => i.RolloutId == foreign.RolloutId).Select(i => i.Id);
        text.AppendLine($"corrections {await db.ImportCellCorrections.CountAsync(c => imports.Contains(c.ImportId))} "
            + $"{await db.ImportValueReplacements.CountAsync(c => imports.Contains(c.ImportId))} runs {await db.ImportRuns.CountAsync(r => imports.Contains(r.ImportId))}");
        var workflow = await db.Workflows.AsNoTracking().Include(w => w.Statuses).SingleAsync(w => w.Id == foreign.WorkflowId);
        text.AppendLine($"workflow {workflow.Name} " + string.Join(';', workflow.Statuses.OrderBy(s => s.Id).Select(s => $"{s.Id}:{s.Name}:{s.Position}")));
        var field = await db.CustomFields.AsNoTracking().Include(f => f.Options).SingleAsync(f => f.Id == foreign.FieldId);
        text.AppendLine($"field {field.Name} {field.Type} {field.Required} {field.ValidationRegex} {field.Description} "
            + string.Join(';', field.Options.OrderBy(o => o.Id).Select(o => $"{o.Id}:{o.Name}:{o.Position}")));
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == foreign.UserId);
        text.AppendLine($"user {user.Email} {user.DisplayName} {user.UserCode} {user.Role} {user.IsActive} {user.IsKeyAccountManager} {user.PasswordHash} {user.SecurityStamp}");
        var type = await db.ClientLinkTypes.AsNoTracking().SingleAsync(t => t.Id == foreign.LinkTypeId);
        text.AppendLine($"link type {type.OutwardName} {type.InwardName} {type.IsAdvanced}");
        return text.ToString();
    });

    /// <summary>Every controller route as "METHOD template", with its pattern.</summary>
    private List<(string Method, RoutePattern Pattern)> Routes() =>
    [
        .. factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"]).Select(m => (m, e.RoutePattern)))
            .DistinctBy(r => $"{r.Item1} {r.RoutePattern.RawText}"),
    ];

    /// <summary>The address with each parameter filled from <paramref name="foreign"/>, or a reason it cannot be.</summary>
    private static (string? Url, string? Unknown) Fill(RoutePattern pattern, Foreign foreign, string rollout)
    {
        var url = new StringBuilder();
        string? previous = null;
        foreach (var segment in pattern.PathSegments)
        {
            url.Append('/');
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        url.Append(literal.Content);
                        previous = literal.Content;
                        break;
                    case RoutePatternParameterPart parameter:
                        var value = (parameter.Name, previous) switch
                        {
                            ("rollout", _) => rollout,
                            ("id", "rollouts") => foreign.RolloutId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("id", "inventories") => foreign.InventoryId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("id", "imports") => foreign.ImportId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("id", "clients") => foreign.ClientId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("id", "workflows") => foreign.WorkflowId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("id", "custom-fields") => foreign.FieldId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("id", "users") => foreign.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("id", "link-types") => foreign.LinkTypeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("linkId", _) => foreign.LinkId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("statusId", _) => foreign.StatusId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("optionId", _) => foreign.OptionId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("userId", _) => foreign.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ("status", "error") => "404",
                            _ => null,
                        };
                        if (value is null)
                        {
                            return (null, $"{{{parameter.Name}}} after \"{previous}\"");
                        }

                        url.Append(value);
                        break;
                    default:
                        return (null, "a separator part");
                }
            }
        }

        return (url.ToString(), null);
    }

    /// <summary>Ids no row has.</summary>
    private static readonly Foreign Missing = new("none", 999_999_901, 999_999_902, 999_999_903, 999_999_904, 999_999_905,
        999_999_906, 999_999_907, 999_999_908, 999_999_909, 999_999_910, 999_999_911);

    /// <summary>The request a curious user sends: a form with the session's token, or a JSON body, naming the other rollout's client.</summary>
    private static async Task<(int Status, string Text)> SendAsync(HttpClient client, string method, string url, bool isApi, string token,
        Foreign foreign)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method != "GET")
        {
            var otherClient = foreign.ClientId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            request.Content = isApi
                ? new StringContent($$"""{"name":"Renamed by another rollout","otherClientId":{{otherClient}}}""", Encoding.UTF8, "application/json")
                : new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("Name", "Renamed by another rollout"),
                    new("otherClientId", otherClient)]);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync() + " " + response.Headers.Location;
        return ((int)response.StatusCode, text);
    }

    private static bool IsSharedSetting(RoutePattern pattern) => pattern.RawText is { } path
        && (path.StartsWith("settings/workflows/", StringComparison.Ordinal) || path.StartsWith("settings/custom-fields/", StringComparison.Ordinal)
            || path.StartsWith("api/workflows/", StringComparison.Ordinal) || path.StartsWith("api/custom-fields/", StringComparison.Ordinal));

    private static bool HasParameters(RoutePattern pattern) => pattern.Parameters.Count > 0;

    [Fact]
    public async Task EveryRouteWithAnId_AskedForAnotherRolloutsThings_AnswersAsForThingsThatDoNotExist_ShowsNoneOfIt_AndChangesNothing()
    {
        var foreign = await SeedAsync();
        var before = await SnapshotAsync(foreign);
        var browser = await factory.SignInAsync("manager@demo.test");
        var token = RolloutWebFactory.AntiforgeryToken(await browser.GetStringAsync("/account/password"));
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var failures = new List<string>();
        var asked = 0;

        foreach (var (method, pattern) in Routes().Where(r => HasParameters(r.Pattern)).OrderBy(r => r.Pattern.RawText, StringComparer.Ordinal))
        {
            var key = $"{method} {pattern.RawText}";
            if (key.StartsWith("GET error", StringComparison.Ordinal) || key.StartsWith("POST error", StringComparison.Ordinal))
            {
                continue;
            }

            var isApi = pattern.RawText?.StartsWith("api/", StringComparison.Ordinal) == true;
            // Another rollout's address, and (for pages under a rollout) the manager's own rollout with the other's ids.
            foreach (var rollout in pattern.Parameters.Any(p => p.Name == "rollout") && pattern.Parameters.Count > 1 ? [Other, Own] : new[] { Other })
            {
                var (url, unknown) = Fill(pattern, foreign, rollout);
                if (url is null)
                {
                    failures.Add($"{key}: this test does not know what to ask for {unknown}; teach Fill the other rollout's thing it names");
                    continue;
                }

                // The same request for things that do not exist: the other rollout's must read exactly like them.
                var (missingUrl, _) = Fill(pattern, Missing, rollout == Other ? "NOSUCH" : rollout);
                var answer = await SendAsync(isApi ? api : browser, method, url, isApi, token, foreign);
                var missing = await SendAsync(isApi ? api : browser, method, missingUrl ?? url, isApi, token, foreign);
                asked++;
                if (SharedSettingsReads.Contains(key))
                {
                    continue;
                }

                if (IsSharedSetting(pattern))
                {
                    // Every manager sees that a shared setting exists; changing one of another rollout's is refused (0021).
                    if (answer.Status is not (403 or 404))
                    {
                        failures.Add($"{method} {url}: {answer.Status}, where a shared setting of another rollout is refused with 403");
                    }
                }
                else if (answer.Status != missing.Status)
                {
                    failures.Add($"{method} {url}: {answer.Status}, where a thing that does not exist answers {missing.Status}");
                }
                else if (answer.Status is >= 200 and < 300 && method != "GET")
                {
                    failures.Add($"{method} {url}: {answer.Status}, a change accepted");
                }

                // A shared setting's name is read by every manager; the other rollout's own things are not.
                if (!IsSharedSetting(pattern) && answer.Text.Contains(foreign.Tag, StringComparison.Ordinal))
                {
                    failures.Add($"{method} {url}: {answer.Status} shows the other rollout's \"{foreign.Tag}\"");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        output.WriteLine($"{asked} requests, each with its twin for things that do not exist");
        Assert.True(asked > 100, $"Only {asked} requests: did the routes move?");
        Assert.Equal(before, await SnapshotAsync(foreign));
    }
}

/// <summary>Every route asked on SQLite, the embedded default.</summary>
public sealed class SqliteEveryRouteAccessTests(RolloutWebFactory factory, ITestOutputHelper output)
    : EveryRouteAccessTests(factory, output), IClassFixture<RolloutWebFactory>;

/// <summary>Every route asked on PostgreSQL: its queries (case, collation, raw SQL) are not SQLite's.</summary>
public sealed class PostgresEveryRouteAccessTests(PostgresWebFactory factory, ITestOutputHelper output)
    : EveryRouteAccessTests(factory, output), IClassFixture<PostgresWebFactory>;
