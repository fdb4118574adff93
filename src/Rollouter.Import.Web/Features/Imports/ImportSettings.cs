using System.ComponentModel.DataAnnotations;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>The "Rollouter:Imports" configuration section, checked at start-up.</summary>
public sealed class ImportSettings
{
    public const string Section = "Rollouter:Imports";

    /// <summary>Largest upload accepted; a larger one is refused with 413 before anything is stored.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Rollouter:Imports:MaxFileBytes must be a positive number of bytes.")]
    public long MaxFileBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Hangfire workers of this instance, i.e. imports it runs at the same time.</summary>
    [Range(1, 64, ErrorMessage = "Rollouter:Imports:Workers must be between {1} and {2}.")]
    public int Workers { get; set; } = 2;

    /// <summary>
    /// Dry runs (Check, a key account manager's too) and replacement previews this instance runs at once, each reading a
    /// whole file; empty: the machine's processors, at least 2. One more is refused with 429 (decision 0099).
    /// </summary>
    [Range(1, 64, ErrorMessage = "Rollouter:Imports:MaxConcurrentChecks must be between {1} and {2}.")]
    public int? MaxConcurrentChecks { get; set; }

    /// <summary>
    /// The retention of uploaded files (decision 0136): an import's kept file (its chunks in the database and the copies in
    /// the data folder's import-cache) is deleted this many days after the import's last activity (its last run's end,
    /// or its upload when it never ran), whatever its status but In Progress; the import itself, its counts, failed rows
    /// and the clients it wrote stay. 0 keeps every file for as long as its import (before 2026-12-07, the only way).
    /// </summary>
    [Range(0, 36500, ErrorMessage = "Rollouter:Imports:KeepFilesDays must be between {1} and {2} days (0 keeps every file).")]
    public int KeepFilesDays { get; set; } = 90;
}
