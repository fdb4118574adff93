using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Clients;

/// <summary>The client page: the client, and for rollout managers the link form with its search results.</summary>
public sealed record ClientPage(
    Rollout Rollout,
    ClientDetails Client,
    bool CanManage,
    string? Find,
    IReadOnlyList<ClientSearchHit> Found,
    IReadOnlyList<LinkTypeChoice> LinkTypes,
    string? Message)
{
    /// <summary>
    /// The viewer may review the rollout's imports but not open them in the wizard (a key account manager below Rollout
    /// Manager): the history links an import to its review page.
    /// </summary>
    public bool CanReview { get; init; }

    /// <summary>Where the history links import <paramref name="importId"/>, or null when the viewer may open it nowhere.</summary>
    public string? ImportPath(int importId) =>
        CanManage ? $"/rollouts/{Rollout.Identifier}/imports/{importId}"
        : CanReview ? $"/reviews/{Rollout.Identifier}/imports/{importId}"
        : null;
}

public sealed record ClientSearchHit(int Id, string Name, string Inventory);

/// <summary>A link type read in one direction: value "3:out" (this client is the source) or "3:in".</summary>
public sealed record LinkTypeChoice(string Value, string Name, bool Advanced)
{
    /// <summary>The choice in the link form's list, which tells advanced types apart.</summary>
    public string Label => Advanced ? $"{Name} (advanced)" : Name;
}

/// <summary>
/// The second step of an advanced link: which value to keep for each field the two clients disagree on.
/// <paramref name="Find"/>: the search the link was chosen from, carried along so that a refusal or a cancel shows it again.
/// </summary>
public sealed record LinkChoicePage(
    Rollout Rollout,
    ClientDetails Client,
    ClientSearchHit Other,
    string LinkType,
    string LinkLabel,
    IReadOnlyList<LinkConflict> Conflicts,
    string? Find);
