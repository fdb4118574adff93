namespace Rollouter.Import.Web.Features.Settings;

public enum SettingsErrorKind
{
    /// <summary>The input breaks a rule (400).</summary>
    Invalid,

    /// <summary>The name or identifier is taken (409).</summary>
    Conflict,

    /// <summary>The caller's role does not allow it (403).</summary>
    Forbidden,
}

/// <summary>One reason a settings change was refused; <see cref="Field"/> names the form field ("" for the whole form).</summary>
public sealed record SettingsError(string Field, string Message, SettingsErrorKind Kind = SettingsErrorKind.Invalid);

/// <summary>The reasons a settings change was refused; empty when it succeeded. Pages show them, the API answers with them.</summary>
public sealed class SettingsErrors : List<SettingsError>
{
    public bool Failed => Count > 0;

    public void Invalid(string field, string message) => Add(new SettingsError(field, message));

    public void Conflict(string field, string message) => Add(new SettingsError(field, message, SettingsErrorKind.Conflict));

    public void Forbidden(string message) => Add(new SettingsError("", message, SettingsErrorKind.Forbidden));

    /// <summary>The HTTP status the API answers with: 403 before 409 before 400.</summary>
    public int StatusCode =>
        this.Any(e => e.Kind == SettingsErrorKind.Forbidden) ? StatusCodes.Status403Forbidden
        : this.Any(e => e.Kind == SettingsErrorKind.Conflict) ? StatusCodes.Status409Conflict
        : StatusCodes.Status400BadRequest;

    public string Message => string.Join(" ", this.Select(e => e.Message));

    /// <summary>Copies the errors into a form's model state, under <paramref name="prefix"/>.</summary>
    public void CopyTo(Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary modelState, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(modelState);
        foreach (var error in this)
        {
            modelState.AddModelError(error.Field.Length == 0 ? "" : prefix + error.Field, error.Message);
        }
    }
}

/// <summary>Checks of names shared by every settings form.</summary>
public static class SettingsNames
{
    /// <summary>Trimmed, or null when blank.</summary>
    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The lines of a text area, trimmed, without blank ones.</summary>
    public static List<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>
    /// The first name that appears twice, ignoring case: names that differ only by case are refused everywhere, because
    /// people cannot tell "Done" from "done" in a dropdown even where imports compare exactly.
    /// </summary>
    public static string? FirstDuplicate(IEnumerable<string> names) =>
        names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
}
