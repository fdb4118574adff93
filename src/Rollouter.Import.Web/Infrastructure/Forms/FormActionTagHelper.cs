using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// Tells the fields of a form (<see cref="InvalidFieldTagHelper"/>) which address the form posts to, so that after a
/// refused post only the fields of the form that was sent are marked invalid. Where a page holds many forms of one
/// address (a failing cell's editor on every row of the failed rows), <c>asp-identified-by="Row Column"</c> names the
/// hidden fields that tell them apart: only the form whose hidden fields of those names hold what was posted is the one
/// that was sent. Writes nothing.
/// </summary>
[HtmlTargetElement("form")]
public sealed class FormActionTagHelper : TagHelper
{
    internal static readonly object ActionKey = new();

    /// <summary>The hidden fields, by name and separated by spaces, that tell this form from others of its address.</summary>
    [HtmlAttributeName("asp-identified-by")]
    public string? IdentifiedBy { get; set; }

    public override void Init(TagHelperContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var action = context.AllAttributes.TryGetAttribute("action", out var attribute)
            ? InvalidFieldTagHelper.Text(attribute.Value) ?? ""
            : "";
        context.Items[ActionKey] = new FormScope(action,
            (IdentifiedBy ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Whether a form of this action is the one posted to <paramref name="path"/>: the same path (no action posts to the
    /// page's own address), whatever the query.
    /// </summary>
    internal static bool Posts(string action, string? path)
    {
        var actionPath = action.Split('?', '#')[0];
        return actionPath.Length == 0 || string.Equals(actionPath.TrimEnd('/'), path?.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether a form of this action is the one <paramref name="request"/> posted.</summary>
    internal static bool Posts(string action, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Posts(action, (request.PathBase + request.Path).Value);
    }
}

/// <summary>
/// A form being rendered: its action, and the values of its identifying hidden fields as they are rendered (before the
/// fields they identify: a cell editor's Row and Column come before its Value).
/// </summary>
internal sealed class FormScope(string action, IReadOnlyCollection<string> identifiedBy)
{
    private readonly Dictionary<string, string> _identity = new(StringComparer.OrdinalIgnoreCase);

    public string Action => action;

    /// <summary>Keeps a hidden field's value when it is one of the form's identifying fields.</summary>
    public void Hidden(string name, string? value)
    {
        if (identifiedBy.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            _identity[name] = value ?? "";
        }
    }

    /// <summary>
    /// Whether the form's identifying fields hold what <paramref name="request"/> posted (always so for a form without
    /// any, and for a page shown by a GET: what was posted before the redirect is not known field by field, unless the
    /// post was sent on with its fields in the address, <see cref="CarriedRefusal.PostedHere"/>).
    /// </summary>
    public bool HoldsWhatWasPosted(HttpRequest request)
    {
        if (_identity.Count == 0)
        {
            return true;
        }

        if (CarriedRefusal.QueryWasPosted(request.HttpContext))
        {
            return _identity.All(field => request.Query.TryGetValue(field.Key, out var sent) && sent.Count == 1
                                          && string.Equals(sent.ToString(), field.Value, StringComparison.Ordinal));
        }

        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            return true;
        }

        return _identity.All(field => request.Form.TryGetValue(field.Key, out var posted) && posted.Count == 1
                                      && string.Equals(posted.ToString(), field.Value, StringComparison.Ordinal));
    }
}
