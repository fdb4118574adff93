using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// Every import rule, ready for one inventory and mapping: <see cref="ImportCheckerLoader.LoadAsync"/> reads what the
/// rules need once; <see cref="Check"/> is the dry run; <see cref="Start"/> begins the real run's pass (see
/// <see cref="CheckPass"/>). Each rule lives in a class of its own. One pass at a time: the rules keep what a pass has
/// seen (the file's names, the rows of linked clients, the options it adds). Rows are never held.
/// </summary>
public sealed class ImportChecker
{
    /// <summary>
    /// A run lists every error of its first this many failed rows (the import's failed rows, the API's, the error
    /// report); the rows failing after them are counted, not listed.
    /// </summary>
    public const int MaxListedRows = 100_000;

    /// <summary>
    /// A run lists no further failed row once this many errors are listed (the row listed last keeps all its errors):
    /// the bound on storage when each row fails in many of its up to 500 columns (<see cref="ReaderLimits.MaxColumns"/>).
    /// </summary>
    public const int MaxListedErrors = 1_000_000;

    /// <summary>
    /// The dry run's bound: it holds its errors in memory and gives them in one answer, so it keeps whole rows until
    /// this many errors are kept (of at most <see cref="MaxListedRows"/> rows) and counts the rest.
    /// </summary>
    public const int MaxStoredErrors = 100_000;

    public const int MaxNameLength = 400;

    public const int MaxOptionLength = 400;

    /// <summary>Longer values are cut in errors: the error report shows the row as the file holds it anyway.</summary>
    public const int MaxErrorValueLength = 1_000;

    internal ImportChecker(InventoryDefinition inventory, ImportMapping mapping, ColumnPlan[] columns, FieldPlan[] fields,
        List<string> setupErrors, NameRule name, StatusRule status, RequiredFieldsRule requiredFields,
        ClientLimitRule clientLimit, AdvancedLinkRule links)
    {
        Inventory = inventory;
        Mapping = mapping;
        Columns = columns;
        Fields = fields;
        SetupErrors = setupErrors;
        Name = name;
        Status = status;
        RequiredFields = requiredFields;
        ClientLimit = clientLimit;
        Links = links;
    }

    /// <summary>A checker whose every pass fails with <paramref name="errors"/> (the mapping cannot be used).</summary>
    internal static ImportChecker Unusable(InventoryDefinition inventory, ImportMapping mapping, FieldPlan[] fields,
        List<string> errors) =>
        new(inventory, mapping, [], fields, errors,
            new NameRule(ColumnPlan.Unmapped, new ExistingNames(), new Dictionary<int, string>(), inventory.InventoryId, false),
            new StatusRule(inventory), new RequiredFieldsRule(fields), new ClientLimitRule(null, 0),
            new AdvancedLinkRule([]));

    public InventoryDefinition Inventory { get; }

    public ImportMapping Mapping { get; }

    internal ColumnPlan[] Columns { get; }

    internal FieldPlan[] Fields { get; }

    /// <summary>Why the mapping cannot be used at all (then no row is read).</summary>
    internal IReadOnlyList<string> SetupErrors { get; }

    internal NameRule Name { get; }

    /// <summary>
    /// The encoding of a CSV read in a single-byte encoding (Windows-1252, Mac Roman, DOS 850), else null: a new name
    /// whose "?" stand for the letters of a stored client's name then fails its row (decision 0184).
    /// </summary>
    public string? SingleByteEncoding
    {
        get => Name.SingleByteEncoding;
        set => Name.SingleByteEncoding = value;
    }

    internal StatusRule Status { get; }

    internal RequiredFieldsRule RequiredFields { get; }

    internal ClientLimitRule ClientLimit { get; }

    internal AdvancedLinkRule Links { get; }

    /// <summary>
    /// What the inventory's clients hold in the mapped columns, for the dry run of an update to count the clients it
    /// would change; null for a real run (its writer compares) and without "Update existing clients".
    /// </summary>
    internal CurrentValues? Current { get; init; }

    /// <summary>
    /// Checks every row against every rule and writes nothing: the dry run, and exactly the errors a real run gives.
    /// </summary>
    /// <param name="rows">The file's data rows, streamed.</param>
    /// <param name="progress">Told the number of rows checked so far, every thousand rows and at the end.</param>
    /// <param name="expectedRowCount">The file's row count when known (e.g. from the upload); sizes the name index once.</param>
    /// <param name="cancellationToken">Checked before every row.</param>
    public CheckResult Check(IEnumerable<SourceRow> rows, IProgress<int>? progress = null, int expectedRowCount = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var source = rows.GetEnumerator();
        return new CheckPass(this, source, progress, expectedRowCount, MaxStoredErrors, cancellationToken).CheckAll();
    }

    /// <summary>
    /// Begins a pass over <paramref name="rows"/>, which the caller owns: a real run hands the pass's rows to the writer
    /// and, should a row fail, goes on with the same enumerator to check the rest, listing the errors of the first
    /// <see cref="MaxListedRows"/> failed rows (at most <see cref="MaxListedErrors"/>, in whole rows).
    /// </summary>
    public CheckPass Start(IEnumerator<SourceRow> rows, IProgress<int>? progress = null, int expectedRowCount = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new CheckPass(this, rows, progress, expectedRowCount, MaxListedErrors, cancellationToken);
    }

    /// <summary>What the writer needs besides the rows.</summary>
    public WriteContext CreateWriteContext(int importId, int? userId) => new()
    {
        ImportId = importId,
        RolloutId = Inventory.RolloutId,
        InventoryId = Inventory.InventoryId,
        UserId = userId,
        FieldNames = Inventory.CustomFields.ToDictionary(f => f.Id, f => f.Name),
        CheckedAgainst = Inventory,
    };
}
