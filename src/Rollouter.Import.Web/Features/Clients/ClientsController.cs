using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Forms;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Clients;

/// <summary>
/// A client's page (any member of the rollout): its values, links and history. Rollout managers and administrators
/// link it to another client of the rollout and remove links.
/// </summary>
[RolloutScoped]
[Route("rollouts/{rollout}/clients")]
public sealed class ClientsController(RolloutDbContext db, RolloutAccess access, ClientLinkService links) : Controller
{
    public const int SearchLimit = 20;

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Details(int id, string? find, long? historyAfter, CancellationToken cancellationToken)
    {
        var page = await PageAsync(id, find, TempData[PageMessage.Key] as string, cancellationToken, historyAfter);
        return page is null ? NotFound() : View(page);
    }

    /// <summary>
    /// Links the client to another: <paramref name="linkType"/> is "{typeId}:out" (this client reads the outward name)
    /// or "{typeId}:in"; <paramref name="keep"/> holds, by custom field id, "this" or "other" for each shared field the
    /// clients disagree on. Without a choice for each, the page asks for it. <paramref name="find"/> is the search the
    /// form came from: a refused link shows its reason with that search's results again, so the user picks another
    /// client without searching again.
    /// </summary>
    [HttpPost("{id:int}/links")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Link(int id, int? otherClientId, string? linkType, Dictionary<int, string>? keep,
        string? find, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var client = await ClientDetails.LoadAsync(db, rollout.Id, id, cancellationToken);
        if (client is null)
        {
            return NotFound();
        }

        // The page shows the link's own reasons: what binding said of the other form fields (keep's fallback to the whole
        // form, the token's name not a field id) is not one.
        ModelState.Clear();
        var (typeId, outward) = ParseLinkType(linkType);
        if (otherClientId is not { } otherId || typeId is not { } type || linkType is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            if (otherClientId is null)
            {
                ModelState.AddModelError("otherClientId", "Choose the client to link to.");
            }
            else
            {
                ModelState.AddModelError("linkType", "Choose a link type.");
            }

            return View("Details", await PageAsync(id, find, null, cancellationToken));
        }

        var choices = new Dictionary<int, KeepValue>();
        foreach (var (fieldId, value) in keep ?? [])
        {
            if (Enum.TryParse<KeepValue>(value, ignoreCase: true, out var choice) && Enum.IsDefined(choice))
            {
                choices[fieldId] = choice;
            }
        }

        var result = await links.LinkAsync(rollout.Id, new LinkRequest(id, otherId, type, outward, choices), User.UserId(), cancellationToken);
        if (result.Failed)
        {
            // Each reason under its field (the client chosen, the link type: the form's linkType), the others the form's.
            result.Problem.AddTo(ModelState, Response);
            if (ModelState.Remove("linkTypeId") && result.Problem.Reasons.FirstOrDefault(r => r.Field == "linkTypeId") is { } typeReason)
            {
                ModelState.AddModelError("linkType", typeReason.Message);
            }

            return View("Details", await PageAsync(id, find, null, cancellationToken));
        }

        if (result.Value.NeedsChoice)
        {
            var other = await db.Clients.Where(c => c.Id == otherId && c.RolloutId == rollout.Id)
                .Select(c => new ClientSearchHit(c.Id, c.Name, db.Inventories.Where(i => i.Id == c.InventoryId).Select(i => i.Name).First())).FirstAsync(cancellationToken);
            var label = (await LinkTypesAsync(cancellationToken)).FirstOrDefault(t => t.Value == linkType)?.Name ?? "";
            return View("ChooseValues", new LinkChoicePage(rollout, client, other, linkType, label, result.Value.Conflicts, NameSearch.Clean(find)));
        }

        TempData[PageMessage.Key] = "The link was added.";
        return Redirect($"/rollouts/{rollout.Identifier}/clients/{id}");
    }

    [HttpPost("{id:int}/links/{linkId:int}/delete")]
    [RolloutScoped(MinimumRole = Role.RolloutManager)]
    public async Task<IActionResult> Unlink(int id, int linkId, CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var removed = await links.UnlinkAsync(rollout.Id, id, linkId, User.UserId(), cancellationToken);
        if (removed.Failed)
        {
            if (removed.Problem.Kind == ProblemKind.NotFound)
            {
                return NotFound();
            }

            removed.Problem.AddTo(ModelState, Response);
            return View("Details", await PageAsync(id, null, null, cancellationToken));
        }

        TempData[PageMessage.Key] = "The link was removed.";
        return Redirect($"/rollouts/{rollout.Identifier}/clients/{id}");
    }

    private async Task<ClientPage?> PageAsync(int id, string? find, string? message, CancellationToken cancellationToken,
        long? historyAfter = null)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var client = await ClientDetails.LoadAsync(db, rollout.Id, id, cancellationToken, historyAfter);
        if (client is null)
        {
            return null;
        }

        var canManage = await access.AllowsAsync(User, rollout, RolloutRequirement.Manager);
        IReadOnlyList<ClientSearchHit> found = [];
        find = NameSearch.Clean(find);
        if (canManage && !string.IsNullOrEmpty(find))
        {
            var ids = await new ClientPages(db).NamedAsync(rollout.Id, find, id, SearchLimit, cancellationToken);
            var hits = await db.Clients.Where(c => ids.Contains(c.Id))
                .Select(c => new ClientSearchHit(c.Id, c.Name, db.Inventories.Where(i => i.Id == c.InventoryId).Select(i => i.Name).First()))
                .ToDictionaryAsync(h => h.Id, cancellationToken);
            found = [.. ids.Where(hits.ContainsKey).Select(i => hits[i])];
        }

        // A key account manager below Rollout Manager reads an import on its review page.
        var canReview = !canManage && await access.AllowsAsync(User, rollout, RolloutRequirement.Reviewer);
        return new ClientPage(rollout, client, canManage, find, found, canManage ? await LinkTypesAsync(cancellationToken) : [], message)
        {
            CanReview = canReview,
        };
    }

    /// <summary>Every link type in both readings; a type whose two names are the same is offered once.</summary>
    private async Task<IReadOnlyList<LinkTypeChoice>> LinkTypesAsync(CancellationToken cancellationToken)
    {
        var types = await db.ClientLinkTypes.AsNoTracking().OrderBy(t => t.OutwardName).ToListAsync(cancellationToken);
        var choices = new List<LinkTypeChoice>();
        foreach (var type in types)
        {
            choices.Add(new LinkTypeChoice($"{type.Id}:out", type.OutwardName, type.IsAdvanced));
            if (!string.Equals(type.InwardName, type.OutwardName, StringComparison.Ordinal))
            {
                choices.Add(new LinkTypeChoice($"{type.Id}:in", type.InwardName, type.IsAdvanced));
            }
        }

        return choices;
    }

    private static (int? TypeId, bool Outward) ParseLinkType(string? value)
    {
        var parts = (value ?? "").Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && parts[1] is "out" or "in"
            ? (id, parts[1] == "out")
            : (null, true);
    }
}
