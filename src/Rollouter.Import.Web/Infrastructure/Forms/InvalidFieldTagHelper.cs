using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// Marks a form field the page refused: <c>aria-invalid="true"</c>, so a screen reader says "invalid entry" on it, and
/// Bootstrap's <c>is-invalid</c> border, so a sighted user finds it without reading the summary. The forms write their
/// fields by hand (<c>name="Email"</c>, no <c>asp-for</c>), so the framework's input tag helper never marks them; this
/// one looks the field's name up in the page's model state, where <c>ProblemMapping.AddTo</c> put each reason.
/// A page shown again after a refused post may hold several forms with a field of that name (a workflow's rename form
/// on every status and its "New status" form): only the fields of the form that was posted, the one whose action is
/// the request's address (<see cref="FormActionTagHelper"/>; after a redirect, the address <see cref="CarriedRefusal"/>
/// carried), are marked, and a text field of it shows what was typed; among forms of one address, the one whose
/// identifying hidden fields hold what was posted (<c>asp-identified-by</c>).
/// Each marked field is followed by its reason (<c>invalid-feedback</c>, id <c>{field id}-error</c>), which its
/// <c>aria-describedby</c> names before its help text, so a screen reader reads why on the field itself; the field's id
/// is told to the page's summary (<see cref="ErrorSummaryTagHelper"/>), whose items link to it. While a page shows
/// reasons no field takes <c>autofocus</c>: the summary does.
/// </summary>
[HtmlTargetElement("input", Attributes = "name")]
[HtmlTargetElement("input", Attributes = "asp-for")]
[HtmlTargetElement("select", Attributes = "name")]
[HtmlTargetElement("textarea", Attributes = "name")]
public sealed class InvalidFieldTagHelper : TagHelper
{
    private const string InvalidClass = "is-invalid";

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext? ViewContext { get; set; }

    // After the framework's tag helpers, which may write the name themselves.
    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var modelState = ViewContext?.ViewData.ModelState;
        if (modelState is null || modelState.ErrorCount == 0)
        {
            return;
        }

        // The summary of reasons takes the focus (a field's autofocus would pull it away: the sign-in's Email).
        output.Attributes.RemoveAll("autofocus");
        var kind = output.Attributes.TryGetAttribute("type", out var type) ? Text(type.Value) ?? "text" : "text";
        var name = output.Attributes.TryGetAttribute("name", out var attribute) ? Text(attribute.Value) : null;
        var form = context.Items.TryGetValue(FormActionTagHelper.ActionKey, out var scope) ? scope as FormScope : null;
        if (string.Equals(kind, "hidden", StringComparison.OrdinalIgnoreCase))
        {
            if (name is not null && output.Attributes.TryGetAttribute("value", out var hidden))
            {
                form?.Hidden(name, Text(hidden.Value));
            }

            return;
        }

        if (string.IsNullOrEmpty(name)
            || !modelState.TryGetValue(name, out var entry)
            || entry.ValidationState != ModelValidationState.Invalid || entry.Errors.Count == 0)
        {
            return;
        }

        // Only the fields of the form that was posted (to this address; after a redirect, to the address it carried).
        var request = ViewContext?.HttpContext.Request;
        if (request is not null && form is not null && CarriedRefusal.PostedPath(ViewContext?.HttpContext) is { } postedTo
            && !(FormActionTagHelper.Posts(form.Action, postedTo) && form.HoldsWhatWasPosted(request)))
        {
            return;
        }

        output.Attributes.SetAttribute("aria-invalid", "true");
        if (request is not null && context.TagName == "input" && !NotRefilled.Contains(kind)
            && (request.HasFormContentType ? request.Form.TryGetValue(name, out var posted)
                : CarriedRefusal.QueryWasPosted(request.HttpContext) && request.Query.TryGetValue(name, out posted))
            && posted.Count == 1)
        {
            // The refused text as typed, not the stored value the view writes (a rename refused shows the new name).
            output.Attributes.SetAttribute("value", posted.ToString());
        }

        var classes = output.Attributes.TryGetAttribute("class", out var existing) ? Text(existing.Value) ?? "" : "";
        if (!classes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(InvalidClass, StringComparer.Ordinal))
        {
            output.Attributes.SetAttribute("class", (classes + " " + InvalidClass).Trim());
        }

        Describe(output, name, entry, ViewContext?.HttpContext);
    }

    /// <summary>
    /// The field's reason after it, named by its aria-describedby (first, the help text kept after it), and the field's
    /// id told to the summary. The first field of a name (a radio group's first button) carries the reason; the others
    /// refer to it.
    /// </summary>
    private static void Describe(TagHelperOutput output, string name, ModelStateEntry entry, HttpContext? httpContext)
    {
        var fields = ErrorSummaryTagHelper.FieldIds(httpContext);
        var id = output.Attributes.TryGetAttribute("id", out var idAttribute) ? Text(idAttribute.Value) : null;
        if (string.IsNullOrEmpty(id))
        {
            id = "field-" + name;
            output.Attributes.SetAttribute("id", id);
        }

        var first = !fields.TryGetValue(name, out var firstId);
        var errorId = (first ? id : firstId) + "-error";
        if (first)
        {
            fields[name] = id;
            var reason = new TagBuilder("div");
            reason.AddCssClass("invalid-feedback");
            reason.Attributes["id"] = errorId;
            reason.Attributes["data-field-error"] = name;
            reason.InnerHtml.Append(string.Join(" ", entry.Errors.Select(e => e.ErrorMessage)));
            output.PostElement.AppendHtml(reason);
        }

        var described = output.Attributes.TryGetAttribute("aria-describedby", out var describedBy) ? Text(describedBy.Value) ?? "" : "";
        var ids = described.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(d => d != errorId);
        output.Attributes.SetAttribute("aria-describedby", string.Join(' ', ids.Prepend(errorId)));
    }

    /// <summary>Fields whose posted value is never written back: secrets, files, choices the view renders itself.</summary>
    private static readonly HashSet<string> NotRefilled =
        new(["password", "file", "checkbox", "radio", "hidden", "submit", "button"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// An attribute's value as the browser reads it. Razor gives an attribute written as <c>value="@x"</c> as an
    /// <see cref="HtmlString"/> of the encoded text ("SN&amp;#x1;500001", "R&amp;amp;D"): decoded, so that a replacement's
    /// From holding a control character or an ampersand is compared with what the browser posts.
    /// </summary>
    internal static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        HtmlString html => html.Value is { } encoded ? System.Net.WebUtility.HtmlDecode(encoded) : null,
        IHtmlContent content => Write(content),
        _ => value.ToString(),
    };

    private static string Write(IHtmlContent content)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        content.WriteTo(writer, NullHtmlEncoder.Default);
        return writer.ToString();
    }
}
