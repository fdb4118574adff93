using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure.Problems;
using Rollouter.Import.Web.Infrastructure.Forms;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>
/// The settings pages under /settings: Rollout Manager or higher (lower roles get 403); some actions need an
/// Administrator. Every form is validated on the server and carries an antiforgery token (global filter).
/// </summary>
[SettingsConflictFilter]
[Authorize(Policy = Policies.RolloutManager)]
public abstract class SettingsControllerBase : Controller
{
    public const string MessageKey = PageMessage.SettingsKey;

    /// <summary>A confirmation shown once on the next page.</summary>
    protected void Confirm(string message) => TempData[MessageKey] = message;

    /// <summary>The item of an ordered list (a status, an option) moved last: its id, and what the list says about it.</summary>
    public const string MovedKey = "SettingsMoved";

    public const string MovedMessageKey = "SettingsMovedMessage";

    /// <summary>The id of the list's message after a move (role=status), which the moved item's buttons refer to.</summary>
    public const string OrderStatusId = "order-status";

    /// <summary>The id of an item's "Move up" (<paramref name="direction"/> -1) or "Move down" (+1) button.</summary>
    public static string MoveButtonId(int itemId, int direction) =>
        string.Create(CultureInfo.InvariantCulture, $"move-{(direction < 0 ? "up" : "down")}-{itemId}");

    /// <summary>
    /// After a move by keyboard: "Finance moved to position 2." shown once beside the list, and the id of the button the
    /// redirect returns to (its fragment), so the focus stays where the user pressed: the same button, or at the end of
    /// the list (where that one is disabled now) the other one.
    /// </summary>
    protected string ConfirmMove(string name, int itemId, int before, int after, int count, int direction)
    {
        TempData[MovedKey] = itemId;
        TempData[MovedMessageKey] = after == before
            ? string.Create(CultureInfo.InvariantCulture, $"{name} stays at position {after + 1:N0}.")
            : string.Create(CultureInfo.InvariantCulture, $"{name} moved to position {after + 1:N0}.");
        var atEnd = direction < 0 ? after == 0 : after == count - 1;
        return MoveButtonId(itemId, atEnd ? -direction : direction);
    }

    /// <summary>
    /// Whether the change was refused; the reasons go into the model state for the validation summary. A refusal by role
    /// sets <paramref name="forbidden"/> (answer 403: the page never offers it).
    /// </summary>
    protected bool Refused(Result result, out bool forbidden)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Refused(result.Problem, out forbidden);
    }

    /// <summary>As <see cref="Refused(Result, out bool)"/>, with the value when it was not refused.</summary>
    protected bool Refused<T>(Result<T> result, out bool forbidden, [NotNullWhen(false)] out T? value)
    {
        ArgumentNullException.ThrowIfNull(result);
        value = result.Value;
        return Refused(result.Problem, out forbidden);
    }

    private bool Refused(Problem? problem, out bool forbidden)
    {
        forbidden = problem?.Kind == ProblemKind.Forbidden;
        problem?.AddTo(ModelState);
        return problem is not null;
    }

    /// <summary>
    /// Answers 403 when <paramref name="forbidden"/>, for a refusal the page shows itself (a shared setting that reaches
    /// rollouts the user is not a member of), as the API answers it.
    /// </summary>
    protected void ForbidIf(bool forbidden)
    {
        if (forbidden)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
    }
}

[Route("settings")]
public sealed class SettingsController : SettingsControllerBase
{
    [HttpGet("")]
    public IActionResult Index() => RedirectToAction(nameof(UsersController.Index), "Users");
}
