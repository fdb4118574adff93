using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// ASP.NET Core's validation summary writes <c>&lt;li style="display:none"&gt;</c> while the form has no error; the
/// Content-Security-Policy (no inline styles) would block that attribute, so it becomes <c>hidden</c>. Runs after the
/// framework's tag helper, on every <c>asp-validation-summary</c>.
/// </summary>
[HtmlTargetElement("div", Attributes = "asp-validation-summary")]
public sealed class CspValidationSummaryTagHelper : TagHelper
{
    private const string InlineStyle = "<li style=\"display:none\"></li>";

    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var content = output.PostContent.GetContent();
        if (content.Contains(InlineStyle, StringComparison.Ordinal))
        {
            output.PostContent.SetHtmlContent(content.Replace(InlineStyle, "<li hidden></li>", StringComparison.Ordinal));
        }
    }
}
