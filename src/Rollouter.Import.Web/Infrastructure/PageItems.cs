using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// One link of a pager (First, Previous, Next, Last, …). A link that leads nowhere (Previous on the first page) is not a
/// link: a <c>span</c> with <c>aria-disabled</c>, so it is neither a Tab stop nor announced as a link; its list item keeps
/// Bootstrap's <c>disabled</c> look.
/// </summary>
public static class PageItems
{
    public static IHtmlContent PageItem(this IHtmlHelper html, string text, string? href, string? testId = null)
    {
        ArgumentNullException.ThrowIfNull(html);
        var item = new TagBuilder("li");
        item.AddCssClass("page-item");
        var link = new TagBuilder(href is null ? "span" : "a");
        link.AddCssClass("page-link");
        if (href is null)
        {
            item.AddCssClass("disabled");
            link.Attributes["aria-disabled"] = "true";
        }
        else
        {
            link.Attributes["href"] = href;
        }

        if (testId is not null)
        {
            link.Attributes["data-testid"] = testId;
        }

        link.InnerHtml.Append(text);
        item.InnerHtml.AppendHtml(link);
        return item;
    }
}
