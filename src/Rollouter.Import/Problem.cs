using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import;

/// <summary>
/// What kind of "no" a problem is. The web layer maps each kind to one HTTP status in one place
/// (Infrastructure/Problems): NotFound 404, Forbidden 403, Invalid 400, Conflict 409, TooLarge 413, UnsupportedType 415,
/// InsufficientStorage 507, Gone 410, Busy 429.
/// </summary>
public enum ProblemKind
{
    /// <summary>The input breaks a rule.</summary>
    Invalid = 1,

    /// <summary>The thing does not exist, or the caller may not know that it does.</summary>
    NotFound,

    /// <summary>The caller's role does not allow it.</summary>
    Forbidden,

    /// <summary>The request is fine but the state of the thing refuses it (an import In Progress, a name taken).</summary>
    Conflict,

    /// <summary>The upload or its content passes a size limit.</summary>
    TooLarge,

    /// <summary>The upload is not a file the importer reads.</summary>
    UnsupportedType,

    /// <summary>
    /// The server has no room to write what the request needs (its disk is full): nothing the caller did wrong, and the
    /// same request succeeds once there is room.
    /// </summary>
    InsufficientStorage,

    /// <summary>
    /// What the request needs was kept and is no longer there, or cannot be read: an import's original file missing from
    /// the database and the data folder (a database restored without its files), or its copy unreadable. Nothing the
    /// caller did wrong; it works again once the administrator restores the file.
    /// </summary>
    Gone,

    /// <summary>
    /// The server is already doing this work, or as much of it as it does at once (a dry run of the same import, or too
    /// many dry runs): nothing wrong with the request; the same request succeeds a moment later.
    /// </summary>
    Busy,
}

/// <summary>
/// Why a request was refused, in words a rollout manager understands. <see cref="Field"/> names the form field or
/// request member at fault (null for the request as a whole). A form checked as a whole may be refused for several
/// reasons at once: <see cref="Combine"/> keeps each one in <see cref="Reasons"/>.
/// </summary>
public sealed record Problem(ProblemKind Kind, string Message, string? Field = null)
{
    private static readonly IReadOnlyDictionary<string, object?> NoExtensions = new Dictionary<string, object?>();

    private IReadOnlyList<Problem>? _reasons;

    /// <summary>
    /// What a script needs to act on the refusal besides the message (e.g. a revert's <c>conflicts</c>): the web layer
    /// adds each as a member of the problem details, and a page may show it.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Extensions { get; init; } = NoExtensions;

    /// <summary>Every reason of the refusal, each with its field; just this one unless combined.</summary>
    public IReadOnlyList<Problem> Reasons
    {
        get => _reasons ?? [this];
        private init => _reasons = value;
    }

    public static Problem Invalid(string message, string? field = null) => new(ProblemKind.Invalid, message, field);

    public static Problem NotFound(string message) => new(ProblemKind.NotFound, message);

    public static Problem Busy(string message) => new(ProblemKind.Busy, message);

    public static Problem Forbidden(string message) => new(ProblemKind.Forbidden, message);

    public static Problem Conflict(string message, string? field = null) => new(ProblemKind.Conflict, message, field);

    public static Problem TooLarge(string message) => new(ProblemKind.TooLarge, message);

    public static Problem InsufficientStorage(string message) => new(ProblemKind.InsufficientStorage, message);

    public static Problem Gone(string message) => new(ProblemKind.Gone, message);

    /// <summary>A file the readers refuse: too large, not a spreadsheet, or otherwise unreadable.</summary>
    public static Problem FromFile(FileProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(problem.Kind switch
        {
            FileProblemKind.TooLarge => ProblemKind.TooLarge,
            FileProblemKind.WrongType => ProblemKind.UnsupportedType,
            FileProblemKind.NoRoom => ProblemKind.InsufficientStorage,
            FileProblemKind.Missing => ProblemKind.Gone,
            _ => ProblemKind.Invalid,
        }, problem.Message, problem.Field);
    }

    /// <summary>
    /// One problem of several reasons (a form with more than one wrong field): the kind is the gravest (Forbidden, then
    /// Invalid, then Conflict, then the first's: a request that breaks a rule is a 400 whatever else it would run into, as
    /// a conflict is for a request that is fine), the message every reason's in turn.
    /// </summary>
    public static Problem Combine(IReadOnlyList<Problem> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        if (reasons.Count == 0)
        {
            throw new ArgumentException("A combined problem needs at least one reason.", nameof(reasons));
        }

        if (reasons.Count == 1)
        {
            return reasons[0];
        }

        var all = reasons.SelectMany(r => r.Reasons).ToList();
        var kind = all.Any(r => r.Kind == ProblemKind.Forbidden) ? ProblemKind.Forbidden
            : all.Any(r => r.Kind == ProblemKind.Invalid) ? ProblemKind.Invalid
            : all.Any(r => r.Kind == ProblemKind.Conflict) ? ProblemKind.Conflict
            : all[0].Kind;
        return new Problem(kind, string.Join(" ", all.Select(r => r.Message))) { Reasons = all };
    }
}
