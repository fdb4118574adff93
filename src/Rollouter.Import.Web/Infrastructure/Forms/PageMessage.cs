using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Rollouter.Import.Web.Infrastructure.Forms;

/// <summary>
/// The message a page shows once at its top after an action (a POST answered by a redirect: "Mapping saved.", "Alice
/// was saved.", "The link was added.", "Your password was changed."): it takes the focus, so a screen reader reads it
/// and the keyboard goes on from it (decisions 0173, 0175). A status already on the page as it loads is not read out.
/// The redirect names it (<c>#page-message</c>, <see cref="PageMessageRedirect"/>), the message carries that id and
/// <c>tabindex="-1"</c> (<see cref="PageMessageTagHelper"/>), and site.js focuses a fragment's target that can take
/// the focus (decision 0046); without script the browser opens the page at the message.
/// </summary>
public static class PageMessage
{
    /// <summary>The id of the page's message, and the fragment of the redirect that leads to it.</summary>
    public const string Anchor = "page-message";

    /// <summary>The TempData key of the message most pages show (the import pages, the rollout's page, a client's page).</summary>
    public const string Key = "Message";

    /// <summary>The key of the settings pages' message (shown under their tabs).</summary>
    public const string SettingsKey = "SettingsMessage";

    /// <summary>The key of the password page's message.</summary>
    public const string PasswordKey = "PasswordChanged";

    /// <summary>Every TempData key whose message a page shows as its page message.</summary>
    public static readonly IReadOnlyList<string> Keys = [Key, SettingsKey, PasswordKey];
}

/// <summary>
/// The redirect answering a form's post that set a page message (<see cref="PageMessage.Keys"/>) names the message:
/// <c>#page-message</c> is added to its address. A redirect that already names a place (a card's message
/// <c>#corrections-status</c>, the Check's <c>#check</c>, a moved item's button) keeps it: the message is there.
/// </summary>
public sealed class PageMessageRedirect : IResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = context.HttpContext.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || context.Controller is not Controller controller
            || !PageMessage.Keys.Any(key => controller.TempData.Peek(key) is string))
        {
            return;
        }

        switch (context.Result)
        {
            case RedirectResult redirect when !redirect.Url.Contains('#', StringComparison.Ordinal):
                redirect.Url += "#" + PageMessage.Anchor;
                break;
            case LocalRedirectResult local when !local.Url.Contains('#', StringComparison.Ordinal):
                local.Url += "#" + PageMessage.Anchor;
                break;
            case RedirectToActionResult action when action.Fragment is null:
                action.Fragment = PageMessage.Anchor;
                break;
            case RedirectToRouteResult route when route.Fragment is null:
                route.Fragment = PageMessage.Anchor;
                break;
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}

/// <summary>
/// <c>&lt;div class="alert alert-success" page-message&gt;@message&lt;/div&gt;</c>: the page's message after an action,
/// as the redirect names it (<see cref="PageMessage"/>): <c>id="page-message"</c>, <c>role="status"</c> and
/// <c>tabindex="-1"</c> (it takes the focus, though it is not a control).
/// </summary>
[HtmlTargetElement(Attributes = AttributeName)]
public sealed class PageMessageTagHelper : TagHelper
{
    public const string AttributeName = "page-message";

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Attributes.RemoveAll(AttributeName);
        output.Attributes.SetAttribute("id", PageMessage.Anchor);
        output.Attributes.SetAttribute("role", "status");
        output.Attributes.SetAttribute("tabindex", "-1");
    }
}
