using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>Asserts that the database itself, not EF Core, refused a write, and which constraint it named.</summary>
public static class DatabaseErrors
{
    private const int SqliteConstraint = 19;

    /// <param name="exception">What SaveChanges threw.</param>
    /// <param name="table">The table of the rejected row.</param>
    /// <param name="constraint">The constraint PostgreSQL names (SQLite names the columns instead).</param>
    /// <param name="columns">The constrained columns, in index order.</param>
    public static void AssertUniqueViolation(DbUpdateException exception, string table, string constraint,
        params string[] columns)
    {
        switch (exception.InnerException)
        {
            case SqliteException sqlite:
                Assert.Equal(SqliteConstraint, sqlite.SqliteErrorCode);
                Assert.Contains(
                    "UNIQUE constraint failed: " + string.Join(", ", columns.Select(c => table + "." + c)),
                    sqlite.Message, StringComparison.Ordinal);
                break;
            case PostgresException postgres:
                Assert.Equal(PostgresErrorCodes.UniqueViolation, postgres.SqlState);
                Assert.Equal(table, postgres.TableName);
                Assert.Equal(constraint, postgres.ConstraintName);
                break;
            default:
                Assert.Fail($"Expected a unique violation from the database, got: {exception.InnerException ?? exception}");
                break;
        }
    }
}
