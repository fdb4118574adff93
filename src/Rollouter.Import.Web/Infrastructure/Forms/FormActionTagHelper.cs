using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// Tells the fields of a form (<see cref="InvalidFieldTagHelper"/>) which address the form posts to, so that after a
/// refused post only the fields of the form that was sent are marked invalid. Writes nothing.
/// </summary>
[HtmlTargetElement("form")]
public sealed class FormActionTagHelper : TagHelper
{
    internal static readonly object ActionKey = new();

    public override void Init(TagHelperContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[ActionKey] = context.AllAttributes.TryGetAttribute("action", out var action)
            ? InvalidFieldTagHelper.Text(action.Value) ?? ""
            : "";
    }

    /// <summary>
    /// Whether a form of this action is the one <paramref name="request"/> posted: the same path (no action posts to
    /// the page's own address), whatever the query.
    /// </summary>
    internal static bool Posts(string action, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = action.Split('?', '#')[0];
        return path.Length == 0 || string.Equals(path.TrimEnd('/'), (request.PathBase + request.Path).Value?.TrimEnd('/'),
            StringComparison.OrdinalIgnoreCase);
    }
}
