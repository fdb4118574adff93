using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Account;

[Route("account")]
public sealed class AccountController(SignInManager<User> signIn, ILogger<AccountController> logger) : Controller
{
    [AllowAnonymous]
    [HttpGet("login")]
    public IActionResult Login(string? returnUrl = null) => View(new LoginForm { ReturnUrl = returnUrl });

    [AllowAnonymous]
    [HttpPost("login")]
    public async Task<IActionResult> Login(LoginForm form)
    {
        if (!ModelState.IsValid)
        {
            return View(form);
        }

        var user = await signIn.UserManager.Users.FirstOrDefaultAsync(
            u => u.NormalizedEmail == signIn.UserManager.NormalizeEmail(form.Email), HttpContext.RequestAborted);
        if (user is { IsActive: true })
        {
            var result = await signIn.PasswordSignInAsync(user, form.Password, form.RememberMe, lockoutOnFailure: true);
            if (result.Succeeded)
            {
                logger.LogInformation("User {UserId} signed in", user.Id);
                return LocalRedirect(Url.IsLocalUrl(form.ReturnUrl) ? form.ReturnUrl : "/");
            }

            if (result.IsLockedOut)
            {
                ModelState.AddModelError("", "Too many failed attempts: this account is locked for a few minutes.");
                return View(form);
            }
        }

        ModelState.AddModelError("", "The email or password is not correct, or the account is deactivated.");
        return View(form);
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
        var invitee = await InviteeAsync(user, token);
        if (invitee is null)
        {
            return View("InvitationInvalid");
        }

        return View(new InvitationForm { User = user, Token = token!, Email = invitee.Email ?? "" });
    }

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

        await signIn.SignOutAsync();
        await signIn.SignInAsync(invitee, isPersistent: false);
        logger.LogInformation("User {UserId} set a password through an invitation link", invitee.Id);
        return LocalRedirect("/rollouts");
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
}

public sealed class InvitationForm
{
    public int User { get; set; }

    public string Token { get; set; } = "";

    /// <summary>Shown, not posted back.</summary>
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Repeat the password.")]
    [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
    [DataType(DataType.Password)]
    [Display(Name = "Repeat the password")]
    public string ConfirmPassword { get; set; } = "";
}
