using System.Diagnostics.CodeAnalysis;

namespace Rollouter.Import;

/// <summary>
/// The reasons a form checked as a whole is refused, gathered field by field so that the page can mark every wrong
/// field at once. It is a way to build a <see cref="Import.Problem"/>, not another outcome: services return
/// <see cref="ToResult"/> or <see cref="ToResult{T}"/>.
/// </summary>
public sealed class ProblemList
{
    private readonly List<Problem> _reasons = [];

    /// <summary>Whether any reason was found; then <see cref="Problem"/> holds them all.</summary>
    [MemberNotNullWhen(true, nameof(Problem))]
    public bool Failed => _reasons.Count > 0;

    /// <summary>Every reason as one problem (<see cref="Problem.Combine"/>), or null when there is none.</summary>
    public Problem? Problem => _reasons.Count == 0 ? null : Problem.Combine(_reasons);

    public void Invalid(string? field, string message) => _reasons.Add(Problem.Invalid(message, NoBlank(field)));

    public void Conflict(string? field, string message) => _reasons.Add(Problem.Conflict(message, NoBlank(field)));

    public void Forbidden(string message) => _reasons.Add(Problem.Forbidden(message));

    public void Add(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        _reasons.AddRange(problem.Reasons);
    }

    public Result ToResult() => Failed ? Result.Refused(Problem) : Result.Success;

    /// <summary><paramref name="value"/> when no reason was found.</summary>
    public Result<T> ToResult<T>(T value) => Failed ? Result<T>.Refused(Problem) : Result<T>.Success(value);

    private static string? NoBlank(string? field) => string.IsNullOrEmpty(field) ? null : field;
}
