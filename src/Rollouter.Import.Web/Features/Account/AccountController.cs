using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Forms;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Account;

[Route("account")]
public sealed class AccountController(
    SignInManager<User> signIn, PasswordSignIn passwords, KnownDevices devices, ILogger<AccountController> logger,
    RolloutDbContext db, TimeProvider clock, AuditLog audit) : Controller
{
    /// <summary>The one answer to an unknown email, a wrong password, a deactivated or a locked-out account.</summary>
    public const string Refused = PasswordSignIn.RefusedMessage;

    [AllowAnonymous]
    [HttpGet("login")]
    public IActionResult Login(string? returnUrl = null, bool unsaved = false, bool upgraded = false) =>
        View(new LoginForm { ReturnUrl = returnUrl, Unsaved = unsaved, Upgraded = upgraded });

    [AllowAnonymous]
    [HttpPost("login")]
    [EnableRateLimiting(SignInThrottle.AddressPolicy)]
    public async Task<IActionResult> Login(LoginForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (!ModelState.IsValid)
        {
            return View(form);
        }

        var attempt = await passwords.CheckAsync(HttpContext, form.Email, form.Password, knownDevices: true);
        switch (attempt.Verdict)
        {
            case SignInVerdict.Succeeded when attempt.User is { } user:
                await signIn.SignInAsync(user, form.RememberMe);
                devices.Remember(HttpContext, user.Id);
                logger.LogInformation("User {UserId} signed in", user.Id);
                if (form.Unsaved)
                {
                    // The page the user goes back to shows what was saved before: it says, once, that the change was not.
                    Infrastructure.Forms.CarriedRefusal.KeepSessionEnded(TempData);
                }

                return LocalRedirect(Url.IsLocalUrl(form.ReturnUrl) ? form.ReturnUrl : "/");
            case SignInVerdict.Throttled:
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Response.Headers.RetryAfter = SignInThrottle.RetryAfterSeconds(attempt.RetryAfter);
                ModelState.AddModelError("", "Too many failed sign-ins for this email address: try again in "
                    + $"{SignInThrottle.Describe(attempt.RetryAfter)}. A browser you signed in with before is not held up.");
                return View(form);
            default:
                ModelState.AddModelError("", Refused);
                return View(form);
        }
    }

    [HttpPost("logout")]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        return RedirectToAction(nameof(Login));
    }

    /// <summary>The invitation link of a new user (or a password reset link): choose a password, then be signed in.</summary>
    [AllowAnonymous]
    [HttpGet("invitation")]
    public async Task<IActionResult> Invitation(int user, string? token)
    {
        // InviteeAsync finds no one without a token.
        if (token is null || await InviteeAsync(user, token) is not { } invitee)
        {
            return View("InvitationInvalid");
        }

        var form = new InvitationForm { User = user, Token = token, Email = invitee.Email ?? "" };
        if (SignedInOtherThan(invitee) is { } signedIn)
        {
            // Said before anything changes: setting the password ends this browser's session (decision 0087).
            form.SignedInAs = signedIn.Id;
            form.SignedInName = signedIn.Name;
        }

        return View(form);
    }

    /// <summary>Who is signed in in this browser, when it is someone other than <paramref name="invitee"/>.</summary>
    private (int Id, string Name)? SignedInOtherThan(User invitee) =>
        User.Identity?.IsAuthenticated == true && User.UserId() is var id and > 0 && id != invitee.Id
            ? (id, User.Identity.Name is { Length: > 0 } email && email != User.DisplayName() ? $"{User.DisplayName()} ({email})" : User.DisplayName())
            : null;

    [AllowAnonymous]
    [HttpPost("invitation")]
    public async Task<IActionResult> Invitation(InvitationForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var invitee = await InviteeAsync(form.User, form.Token);
        if (invitee is null)
        {
            return View("InvitationInvalid");
        }

        form.Email = invitee.Email ?? "";
        if (SignedInOtherThan(invitee) is { } signedIn && form.SignedInAs != signedIn.Id)
        {
            // The page did not say that this browser's user would be signed out (opened before they signed in, or
            // another user since): it says so now, and nothing changed.
            form.SignedInAs = signedIn.Id;
            form.SignedInName = signedIn.Name;
            ModelState.AddModelError("", $"You are signed in as {signedIn.Name}: your password was not set. " +
                "Read the note above and choose the password again to go on.");
            return View(form);
        }

        if (!ModelState.IsValid)
        {
            return View(form);
        }

        var result = await signIn.UserManager.ResetPasswordAsync(invitee, form.Token, form.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(nameof(InvitationForm.Password), error.Code == "InvalidToken"
                    ? "This link is invalid or has expired: ask an administrator or rollout manager for a new one."
                    : error.Description);
            }

            return View(form);
        }

        // The new password changed the security stamp: every other session and API token of the user has ended.
        await signIn.SignOutAsync();
        await signIn.SignInAsync(invitee, isPersistent: false);
        devices.Remember(HttpContext, invitee.Id);
        logger.LogInformation("User {UserId} set a password through an invitation link", invitee.Id);
        return LocalRedirect("/rollouts");
    }

    [HttpGet("password")]
    public IActionResult Password() => View(new PasswordForm());

    /// <summary>Changes one's own password: this session goes on, every other session and API token of the user ends.</summary>
    [HttpPost("password")]
    public async Task<IActionResult> Password(PasswordForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (!ModelState.IsValid)
        {
            return View(form);
        }

        var user = await signIn.UserManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        var result = await signIn.UserManager.ChangePasswordAsync(user, form.CurrentPassword, form.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == "PasswordMismatch" ? nameof(PasswordForm.CurrentPassword) : nameof(PasswordForm.NewPassword),
                    error.Code == "PasswordMismatch" ? "The current password is not correct." : error.Description);
            }

            return View(form);
        }

        // A new cookie with the new security stamp; the old stamp in every other cookie and token no longer matches.
        await signIn.RefreshSignInAsync(user);
        logger.LogInformation("User {UserId} changed their password", user.Id);
        TempData[PageMessage.PasswordKey] = "Your password was changed. You were signed out everywhere else, and your API tokens stopped working.";
        return RedirectToAction(nameof(Password));
    }

    /// <summary>
    /// Signs the user out everywhere but this browser (decision 0181): every other browser session and every API token
    /// of theirs ends at its next request; the Your password page says how many.
    /// </summary>
    [HttpPost("sign-out-everywhere")]
    public async Task<IActionResult> SignOutEverywhere()
    {
        var userId = User.UserId();
        var ended = await UserSessions.EndAllButAsync(db, userId, User.SessionId(), clock.GetUtcNow(), HttpContext.RequestAborted);
        audit.SignInsEnded(userId, userId, User.DisplayName(), ended.Sessions, ended.Tokens);
        logger.LogInformation("User {UserId} signed out everywhere else", userId);
        TempData[PageMessage.PasswordKey] = SignInsEnded.OwnMessage(ended, fromBrowser: true);
        return RedirectToAction(nameof(Password));
    }

    /// <summary>The active user whose link this is, when the token is (still) valid.</summary>
    private async Task<User?> InviteeAsync(int userId, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var users = signIn.UserManager;
        var user = await users.Users.FirstOrDefaultAsync(u => u.Id == userId, HttpContext.RequestAborted);
        return user is { IsActive: true } && await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider,
            UserManager<User>.ResetPasswordTokenPurpose, token)
            ? user
            : null;
    }

    [AllowAnonymous]
    [HttpGet("denied")]
    public IActionResult Denied()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return View();
    }
}

public sealed class LoginForm
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Display(Name = "Stay signed in")]
    public bool RememberMe { get; set; }

    public string? ReturnUrl { get; set; }

    /// <summary>
    /// The sign-in page was reached from a form posted after the session ended (the cookie handler's redirect adds
    /// <see cref="UnsavedParameter"/> for any request but GET and HEAD): its change was not saved, and the page says so.
    /// </summary>
    public bool Unsaved { get; set; }

    public const string UnsavedParameter = "unsaved";

    /// <summary>
    /// The sign-in page was reached with a cookie from before sign-ins were kept as sessions on the server (2026-12-05),
    /// which is refused once (decision 0020): the page says why (the cookie handler's redirect adds
    /// <see cref="UpgradedParameter"/>). Not carried through a refused sign-in: said once.
    /// </summary>
    public bool Upgraded { get; set; }

    public const string UpgradedParameter = "upgraded";
}

public sealed class PasswordForm
{
    [Required(ErrorMessage = "Enter your current password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Current password")]
    public string CurrentPassword { get; set; } = "";

    [Required(ErrorMessage = "Choose a new password.")]
    [DataType(DataType.Password)]
    [Display(Name = "New password")]
    public string NewPassword { get; set; } = "";

    [Required(ErrorMessage = "Repeat the new password.")]
    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords are not the same.")]
    [DataType(DataType.Password)]
    [Display(Name = "Repeat the new password")]
    public string ConfirmPassword { get; set; } = "";
}

public sealed class InvitationForm
{
    public int User { get; set; }

    public string Token { get; set; } = "";

    /// <summary>Shown, not posted back.</summary>
    public string Email { get; set; } = "";

    /// <summary>
    /// The id of the user signed in in this browser when the page said that setting the password signs them out; 0 when
    /// nobody was. A post from another signed-in user than the page named changes nothing and asks again.
    /// </summary>
    public int SignedInAs { get; set; }

    /// <summary>Who is signed in, as the page names them; shown, not posted back.</summary>
    public string? SignedInName { get; set; }

    [Required(ErrorMessage = "Choose a password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Repeat the password.")]
    [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
    [DataType(DataType.Password)]
    [Display(Name = "Repeat the password")]
    public string ConfirmPassword { get; set; } = "";
}
