using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// The data annotations of a settings class, checked when the app starts (<c>ValidateOnStart</c>), each failure the
/// attribute's own message ("Rollouter:Imports:Workers must be between 1 and 64."), as the docs quote it: .NET's
/// <c>ValidateDataAnnotations</c> wraps it in "DataAnnotation validation failed for 'ImportSettings' members: …".
/// </summary>
public static class SettingsValidation
{
    public static OptionsBuilder<T> ValidateSettings<T>(this OptionsBuilder<T> builder) where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<T>>(new AnnotationsValidator<T>(builder.Name));
        return builder.ValidateOnStart();
    }

    private sealed class AnnotationsValidator<T>(string? name) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            ArgumentNullException.ThrowIfNull(options);
            var results = new List<ValidationResult>();
            return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(results.Select(r =>
                    r.ErrorMessage ?? $"{typeof(T).Name}: {string.Join(", ", r.MemberNames)} is not valid."));
        }
    }
}
