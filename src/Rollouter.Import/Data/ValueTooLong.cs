using Microsoft.Data.SqlClient;
using Npgsql;

namespace Rollouter.Import.Data;

/// <summary>A value longer than its column: the database refused the row, no one else changed anything.</summary>
public static class ValueTooLong
{
    /// <summary>PostgreSQL's string_data_right_truncation ("value too long for type character varying(200)").</summary>
    private const string PostgresTooLong = "22001";

    /// <summary>SQL Server's "String or binary data would be truncated" (2628 since 2019, 8152 before).</summary>
    private static readonly int[] SqlServerTooLong = [2628, 8152];

    /// <summary>
    /// Whether <paramref name="exception"/> (or one inside it) says a value was longer than its column. The services
    /// check every length a form or request can send before saving; this is the last line, so that such a refusal is
    /// never told as "someone else changed the same settings". SQLite keeps any length.
    /// </summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresTooLong } || e is SqlException sql && SqlServerTooLong.Contains(sql.Number))
            {
                return true;
            }
        }

        return false;
    }
}
