using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// The summary of a refused form (<c>&lt;div asp-validation-summary="All"&gt;</c>) as a keyboard and a screen reader
/// need it: it takes the focus when the page opens (<c>autofocus</c> with <c>tabindex="-1"</c>, without script; site.js
/// again for a browser that ignores it), and each reason of a field links to that field (<c>#id</c>), so Enter on it
/// goes to the field to correct. The fields come after the summary on the page: their ids are told by
/// <see cref="InvalidFieldTagHelper"/> while the page is rendered, and the links are written when the page is written
/// out, after the whole page was rendered. A reason of the form as a whole stays plain text.
/// </summary>
[HtmlTargetElement("div", Attributes = "asp-validation-summary")]
public sealed class ErrorSummaryTagHelper : TagHelper
{
    private static readonly object FieldIdsKey = new();

    public const string SummaryId = "error-summary";

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext? ViewContext { get; set; }

    // After the framework's ValidationSummaryTagHelper (-1000), whose list this one replaces.
    public override int Order => 0;

    /// <summary>The id of the first marked field of each name on the page being rendered.</summary>
    internal static Dictionary<string, string> FieldIds(HttpContext? httpContext)
    {
        if (httpContext is null)
        {
            return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        }

        if (httpContext.Items[FieldIdsKey] is not Dictionary<string, string> ids)
        {
            ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            httpContext.Items[FieldIdsKey] = ids;
        }

        return ids;
    }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (ViewContext?.ViewData.ModelState is not { ErrorCount: > 0 } modelState)
        {
            return;
        }

        output.Attributes.SetAttribute("id", SummaryId);
        output.Attributes.SetAttribute("tabindex", "-1");
        output.Attributes.SetAttribute("autofocus", "autofocus");
        output.Attributes.SetAttribute("data-error-summary", "");
        output.Content.Clear();
        output.PostContent.Clear();
        output.PostContent.SetHtmlContent(new Reasons(modelState, FieldIds(ViewContext.HttpContext)));
    }

    /// <summary>The list of reasons, written once the page is rendered and the fields' ids are known.</summary>
    private sealed class Reasons(ModelStateDictionary modelState, Dictionary<string, string> fieldIds) : IHtmlContent
    {
        public void WriteTo(TextWriter writer, HtmlEncoder encoder)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(encoder);
            writer.Write("<ul>");
            // The form's own reasons first, then each field's in the order they were given.
            foreach (var (key, entry) in modelState.OrderBy(e => e.Key.Length == 0 ? 0 : 1))
            {
                if (entry is null)
                {
                    continue;
                }

                foreach (var error in entry.Errors)
                {
                    writer.Write("<li>");
                    if (key.Length > 0 && fieldIds.TryGetValue(key, out var id))
                    {
                        writer.Write("<a href=\"#");
                        encoder.Encode(writer, id);
                        writer.Write("\">");
                        encoder.Encode(writer, error.ErrorMessage);
                        writer.Write("</a>");
                    }
                    else
                    {
                        encoder.Encode(writer, error.ErrorMessage);
                    }

                    writer.Write("</li>");
                }
            }

            writer.Write("</ul>");
        }
    }
}
