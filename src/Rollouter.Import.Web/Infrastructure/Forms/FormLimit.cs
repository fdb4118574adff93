using System.Globalization;
using System.Text.RegularExpressions;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// A form the server stopped reading at one of ASP.NET Core's form limits (<c>FormOptions</c>: 1,024 values unless an
/// address raises it with <c>[RequestFormLimits]</c>, keys of 2,048 characters, values of 4 MB, multipart sections).
/// The framework says so only in an <see cref="InvalidDataException"/>'s message ("Form value count limit 1024
/// exceeded."), which is what tells it apart from a malformed form.
/// </summary>
public static partial class FormLimit
{
    /// <summary>Whether <paramref name="exception"/> is a form limit's refusal.</summary>
    public static bool Is(InvalidDataException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return LimitMessage().IsMatch(exception.Message);
    }

    /// <summary>The limit that refused the form, in <paramref name="exception"/> or an exception it wraps; null when none did.</summary>
    public static InvalidDataException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is InvalidDataException limit && Is(limit))
            {
                return limit;
            }
        }

        return null;
    }

    /// <summary>What the user is told: which limit, that nothing was changed, and what to do.</summary>
    public static string Message(InvalidDataException limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var match = LimitMessage().Match(limit.Message);
        var bound = long.TryParse(match.Groups["bound"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n.ToString("N0", CultureInfo.InvariantCulture) : match.Groups["bound"].Value;
        var what = match.Groups["what"].Value;
        var reason = what.Equals("Form value count", StringComparison.OrdinalIgnoreCase)
            ? $"This form sent more values than the server takes in one form (at most {bound})"
            : $"This form is past a limit of the server ({what.ToLowerInvariant()} at most {bound})";
        return reason + ", so it was not read and nothing was changed. Go back and send less at once; if the page itself " +
               "holds that many fields, tell your administrator which page it was.";
    }

    [GeneratedRegex(@"^(?<what>(Form|Multipart) [A-Za-z ]+?) limit (?<bound>\d+) exceeded\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex LimitMessage();
}
