using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure.Problems;
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
    public const string MessageKey = "SettingsMessage";

    /// <summary>A confirmation shown once on the next page.</summary>
    protected void Confirm(string message) => TempData[MessageKey] = message;

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
