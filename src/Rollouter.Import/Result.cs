using System.Diagnostics.CodeAnalysis;

namespace Rollouter.Import;

/// <summary>
/// The outcome of a request to a service: a value, or the <see cref="Import.Problem"/> that refused it. Checking
/// <see cref="Succeeded"/> tells the compiler which of the two is there, so callers need no <c>!</c>.
/// </summary>
public sealed class Result<T>
{
    private Result(T? value, Problem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public Problem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Succeeded => Problem is null;

    [MemberNotNullWhen(true, nameof(Problem))]
    [MemberNotNullWhen(false, nameof(Value))]
    public bool Failed => Problem is not null;

    public static Result<T> Success(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, null);
    }

    public static Result<T> Refused(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(default, problem);
    }

#pragma warning disable CA2225 // Success and Refused are the named alternatives.
    public static implicit operator Result<T>(T value) => Success(value);

    public static implicit operator Result<T>(Problem problem) => Refused(problem);
#pragma warning restore CA2225
}

/// <summary>The outcome of a request that gives nothing back but may be refused.</summary>
public sealed class Result
{
    public static readonly Result Success = new(null);

    private Result(Problem? problem) => Problem = problem;

    public Problem? Problem { get; }

    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Succeeded => Problem is null;

    [MemberNotNullWhen(true, nameof(Problem))]
    public bool Failed => Problem is not null;

    public static Result Refused(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(problem);
    }

#pragma warning disable CA2225
    public static implicit operator Result(Problem problem) => Refused(problem);
#pragma warning restore CA2225
}
