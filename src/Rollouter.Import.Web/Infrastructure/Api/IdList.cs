using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>Lists of ids a request sent, as a refusal names them: bounded however many were sent.</summary>
public static class IdList
{
    /// <summary>How many ids a message names before "and N more".</summary>
    public const int Named = 10;

    /// <summary>"7, 9, 12" or, past <see cref="Named"/>, "1, 2, …, 10 and 39,990 more".</summary>
    public static string Bounded(IReadOnlyCollection<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var named = string.Join(", ", ids.Take(Named).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return ids.Count <= Named ? named : $"{named} and {ImportNumbers.N(ids.Count - Named)} more";
    }
}
