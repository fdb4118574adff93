namespace Rollouter.Import.Data.Entities;

public enum ImportStatus
{
    /// <summary>No Name column mapped yet.</summary>
    Incomplete = 1,
    WaitingForApproval = 2,
    InProgress = 3,
    Failed = 4,
    Completed = 5,

    /// <summary>A completed import taken back: its clients deleted, the values it changed restored.</summary>
    Reverted = 6,
}

/// <summary>One import of one file into one inventory, from upload to its result.</summary>
public class ClientImport
{
    public int Id { get; set; }

    public int RolloutId { get; set; }

    public Rollout Rollout { get => field ?? throw Navigation.NotLoaded(this, nameof(Rollout)); set; }

    public int InventoryId { get; set; }

    public Inventory Inventory { get => field ?? throw Navigation.NotLoaded(this, nameof(Inventory)); set; }

    public ImportStatus Status { get; set; } = ImportStatus.Incomplete;

    /// <summary>The longest file name kept (the column's length); a longer one is cut by <see cref="FitFileName"/>.</summary>
    public const int FileNameLength = 400;

    /// <summary>The longest extension kept when a file name is cut (".xlsx", ".csv": the readers go by it).</summary>
    private const int ExtensionLength = 16;

    /// <summary>The uploaded file's name as the client sent it, at most <see cref="FileNameLength"/> characters.</summary>
    public required string FileName { get; set; }

    /// <summary>
    /// The part of <paramref name="name"/> after its last <c>/</c> or <c>\</c>: a browser on Windows (or a script) may
    /// send the whole path, "C:\Users\bob\Desktop\inv.csv", or "..\..\win.ini.csv"; only "inv.csv" and "win.ini.csv"
    /// are the file's name. <see cref="Path.GetFileName(string)"/> on Linux cuts at <c>/</c> only.
    /// </summary>
    public static string WithoutFolders(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
    }

    /// <summary>
    /// <paramref name="name"/> as it can be kept: without control characters (PostgreSQL refuses a NUL in text), line
    /// separators or direction overrides (a name is logged and shown on one line, as it reads: <see cref="PlainText.OnOneLine"/>), and cut to
    /// <see cref="FileNameLength"/> characters keeping its extension, never between the two halves of a character
    /// (SQLite ignores a column's length; PostgreSQL and SQL Server refuse a longer value).
    /// </summary>
    public static string FitFileName(string name)
    {
        name = PlainText.WithValidCharacters(PlainText.OnOneLine(name));

        if (name.Length <= FileNameLength)
        {
            return name;
        }

        var extension = Path.GetExtension(name);
        if (extension.Length > ExtensionLength)
        {
            extension = "";
        }

        var keep = FileNameLength - extension.Length;
        if (char.IsHighSurrogate(name[keep - 1]))
        {
            keep--;
        }

        return name[..keep] + extension;
    }

    public long FileSize { get; set; }

    /// <summary>Hex SHA-256 of the kept file.</summary>
    public string? FileSha256 { get; set; }

    /// <summary>
    /// When the kept file was deleted under the retention of uploaded files (<c>Rollouter:Imports:KeepFilesDays</c>,
    /// decision 0136), or null while it is kept: the import's page and API then say so instead of "no longer on the
    /// server" (a file lost), and nothing of it is fetched again.
    /// </summary>
    public DateTimeOffset? FileDeletedAt { get; set; }

    /// <summary>The longest idempotency key kept (the column's length).</summary>
    public const int IdempotencyKeyLength = 255;

    /// <summary>
    /// The key a script sent with the upload (the API's <c>Idempotency-Key</c> header), or null: a retry of the upload
    /// with the same key, by the same user into the same rollout within a day, is answered with this import.
    /// </summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>
    /// The key a script sent with the latest approval (the API's <c>Idempotency-Key</c> header on approve), or null: a
    /// retry of that approval with the same key, by the same approver within a day, is answered with this import and
    /// starts no run (decision 0122). An earlier run keeps its approval's key (<see cref="ImportRun.ApprovalIdempotencyKey"/>).
    /// </summary>
    public string? ApprovalIdempotencyKey { get; set; }

    /// <summary>Sheet, header row, delimiter, encoding, hidden-row choice (JSON).</summary>
    public string? ParseOptions { get; set; }

    /// <summary>Column-field mapping and the import-wide settings such as "update existing clients" (JSON).</summary>
    public string? Mapping { get; set; }

    public int? RowCount { get; set; }

    public int CreatedById { get; set; }

    public User CreatedBy { get => field ?? throw Navigation.NotLoaded(this, nameof(CreatedBy)); set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int? ApprovedById { get; set; }

    public User? ApprovedBy { get; set; }

    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>
    /// When the import was first approved; null for one never approved. Unlike <see cref="ApprovedAt"/>, a changed
    /// mapping or file settings of a Failed import keep it: an import that has run is kept for the reviews whatever its
    /// status now, and is never discarded (decision 0062).
    /// </summary>
    public DateTimeOffset? FirstApprovedAt { get; set; }

    /// <summary>When the first run of this approval started; a run again after an interruption keeps it.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>
    /// The import's latest activity, which the reviews list orders by, newest first: its last run's finish (set with
    /// <see cref="FinishedAt"/>, and kept when a changed mapping clears that), or its creation when it never ran. Read
    /// and written through the property (ImportConfiguration), so an import made without it has its creation.
    /// </summary>
    public DateTimeOffset LastActivityAt { get => field == default ? CreatedAt : field; set; }

    /// <summary>
    /// Runs started for this approval: 1 for the first, one more each time an interrupted run (a crash, a stopped
    /// server) is run again from the start. Approval sets it back to 0.
    /// </summary>
    public int Attempt { get; set; }

    /// <summary>
    /// Until when the import's run counts as alive without another sign of life: the running job moves it forward
    /// with every heartbeat, approval and a resume grant it to the job about to start. Once it has passed and no run
    /// holds the import's lock, any instance runs the import again. For a Completed import whose revert was asked for,
    /// the lease a resume grants to the revert job it queues again (ImportRecovery).
    /// </summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>Rows checked so far by the running job.</summary>
    public int RowsChecked { get; set; }

    /// <summary>Rows written so far by the running job.</summary>
    public int RowsWritten { get; set; }

    public int CreatedCount { get; set; }

    public int UpdatedCount { get; set; }

    public int FailedRowCount { get; set; }

    /// <summary>
    /// The rows a Completed run skipped, their values all in columns not imported (decision 0069); null for an import
    /// that has not completed, or completed before this was recorded (decision 0081).
    /// </summary>
    public int? SkippedRowCount { get; set; }

    /// <summary>The skipped rows listed at most (<see cref="SkippedRows"/>): the rest are counted only.</summary>
    public const int SkippedRowsListed = 100;

    /// <summary>The column's length: <see cref="SkippedRowsListed"/> row numbers of up to 10 digits, each with a comma.</summary>
    public const int SkippedRowsLength = SkippedRowsListed * 11;

    /// <summary>
    /// The first <see cref="SkippedRowsListed"/> of those rows, as the spreadsheet numbers them, ascending and
    /// comma-separated ("4,9,12"; <c>Importing.SkippedRows</c> reads and writes it); null with <see cref="SkippedRowCount"/>.
    /// </summary>
    public string? SkippedRows { get; set; }

    /// <summary>A problem with the import as a whole (e.g. the client limit), shown above the failed rows.</summary>
    public string? FailureMessage { get; set; }

    /// <summary>
    /// When a revert of this (Completed) import was asked for and queued; it stays Completed until the revert's job
    /// commits. Null again when the job refused the revert (<see cref="RevertFailureMessage"/>).
    /// </summary>
    public DateTimeOffset? RevertRequestedAt { get; set; }

    /// <summary>Who asked for the revert (and is named in the reverted clients' history).</summary>
    public int? RevertedById { get; set; }

    /// <summary>
    /// The key sent with the revert asked for last (the API's <c>Idempotency-Key</c> header on revert, or the revert
    /// page's own key), or null: a retry of that request with the same key, by the same user, is answered with this import
    /// as it is now and asks for no second revert (decision 0146).
    /// </summary>
    public string? RevertIdempotencyKey { get; set; }

    public User? RevertedBy { get; set; }

    /// <summary>When the revert committed and the import became Reverted.</summary>
    public DateTimeOffset? RevertedAt { get; set; }

    /// <summary>Why the last revert's job refused it (a client changed meanwhile); the import stayed Completed.</summary>
    public string? RevertFailureMessage { get; set; }

    /// <summary>Changes with every status transition so two racing approvals cannot both win.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    public List<ImportRowError> Errors { get; set; } = [];

    public List<ImportFileChunk> FileChunks { get; set; } = [];

    public List<ImportCellCorrection> CellCorrections { get; set; } = [];

    public List<ImportValueReplacement> Replacements { get; set; } = [];
}

/// <summary>One reason one row failed: the row as the spreadsheet numbers it, the column, the value, the message.</summary>
public class ImportRowError
{
    public long Id { get; set; }

    public int ImportId { get; set; }

    public ClientImport Import { get => field ?? throw Navigation.NotLoaded(this, nameof(Import)); set; }

    public int Row { get; set; }

    /// <summary>Column letter ("C"); null for an error of the row as a whole.</summary>
    public string? Column { get; set; }

    public string? Header { get; set; }

    public string? Value { get; set; }

    public required string Message { get; set; }
}

/// <summary>
/// The kept upload, in chunks, in the database: every instance that shares the database can process any import,
/// and a file is streamed in and out without being held whole in memory.
/// </summary>
public class ImportFileChunk
{
    public int ImportId { get; set; }

    public ClientImport Import { get => field ?? throw Navigation.NotLoaded(this, nameof(Import)); set; }

    public int Index { get; set; }

    public required byte[] Data { get; set; }
}
