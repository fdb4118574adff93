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
/// the request's address (<see cref="FormActionTagHelper"/>), are marked, and a text field of it shows what was typed.
/// </summary>
[HtmlTargetElement("input", Attributes = "name")]
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

        var kind = output.Attributes.TryGetAttribute("type", out var type) ? Text(type.Value) ?? "text" : "text";
        if (string.Equals(kind, "hidden", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var name = output.Attributes.TryGetAttribute("name", out var attribute) ? Text(attribute.Value) : null;
        if (string.IsNullOrEmpty(name)
            || !modelState.TryGetValue(name, out var entry)
            || entry.ValidationState != ModelValidationState.Invalid || entry.Errors.Count == 0)
        {
            return;
        }

        var request = ViewContext?.HttpContext.Request;
        if (request is not null && HttpMethods.IsPost(request.Method)
            && context.Items.TryGetValue(FormActionTagHelper.ActionKey, out var action) && action is string formAction
            && !FormActionTagHelper.Posts(formAction, request))
        {
            return;
        }

        output.Attributes.SetAttribute("aria-invalid", "true");
        if (request is not null && context.TagName == "input" && request.HasFormContentType
            && !NotRefilled.Contains(kind)
            && request.Form.TryGetValue(name, out var posted) && posted.Count == 1)
        {
            // The refused text as typed, not the stored value the view writes (a rename refused shows the new name).
            output.Attributes.SetAttribute("value", posted.ToString());
        }

        var classes = output.Attributes.TryGetAttribute("class", out var existing) ? Text(existing.Value) ?? "" : "";
        if (!classes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(InvalidClass, StringComparer.Ordinal))
        {
            output.Attributes.SetAttribute("class", (classes + " " + InvalidClass).Trim());
        }
    }

    /// <summary>Fields whose posted value is never written back: secrets, files, choices the view renders itself.</summary>
    private static readonly HashSet<string> NotRefilled =
        new(["password", "file", "checkbox", "radio", "hidden", "submit", "button"], StringComparer.OrdinalIgnoreCase);

    internal static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        HtmlString html => html.Value,
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
