namespace Rollouter.Import.Web.Features.Imports;

/// <summary>The "Rollouter:Imports" configuration section.</summary>
public sealed class ImportSettings
{
    public const string Section = "Rollouter:Imports";

    /// <summary>Largest upload accepted; a larger one is refused with 413 before anything is stored.</summary>
    public long MaxFileBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Hangfire workers of this instance, i.e. imports it runs at the same time.</summary>
    public int Workers { get; set; } = 2;
}
