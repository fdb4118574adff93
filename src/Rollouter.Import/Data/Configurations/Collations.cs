using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rollouter.Import.Data.Configurations;

/// <summary>
/// The columns whose unique index must agree with a comparison the application makes itself (docs/decisions/0043).
/// SQL Server's default collation (SQL_Latin1_General_CP1_CI_AS) ignores case, width and kana: its unique index would
/// refuse a value the application holds apart (full-width "ＰＣ01" and "PC01"), or, for an ordinal comparison, one that
/// differs only in case. On SQL Server these columns compare code point by code point instead, as PostgreSQL's
/// deterministic collations (and "C") and SQLite's BINARY already do.
/// </summary>
public static class Collations
{
    /// <summary>SQL Server's code-point collation (the 100 version's BIN2: no legacy first-character rule).</summary>
    public const string SqlServerBinary = "Latin1_General_100_BIN2";

    /// <summary>The column compares ordinally on SQL Server (the other databases do so already).</summary>
    public static PropertyBuilder<string> ComparedOrdinally(this PropertyBuilder<string> property, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(property);
        return provider == DatabaseProvider.SqlServer ? property.UseCollation(SqlServerBinary) : property;
    }
}
